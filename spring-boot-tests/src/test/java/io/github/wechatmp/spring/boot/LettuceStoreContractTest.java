package io.github.wechatmp.spring.boot;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/** The Spring Data Redis store on Lettuce against the TokenStore contract. */
class LettuceStoreContractTest extends SpringDataRedisStoreContract {
  @Override
  RedisConnectionFactory factory(RedisStandaloneConfiguration config) {
    LettuceConnectionFactory f = new LettuceConnectionFactory(config);
    f.afterPropertiesSet();
    f.start();
    return f;
  }
}
