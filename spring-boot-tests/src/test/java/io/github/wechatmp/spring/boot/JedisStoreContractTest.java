package io.github.wechatmp.spring.boot;

import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;

/** The Spring Data Redis store on Spring Data's Jedis client against the TokenStore contract. */
class JedisStoreContractTest extends SpringDataRedisStoreContract {
  @Override
  RedisConnectionFactory factory(RedisStandaloneConfiguration config) {
    JedisConnectionFactory f = new JedisConnectionFactory(config);
    f.afterPropertiesSet();
    f.start();
    return f;
  }
}
