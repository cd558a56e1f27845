/**
 * A {@link io.github.wechatmp.token.TokenStore} that every instance of an application, on every
 * host, shares through Redis (a single server, Sentinel or Redis Cluster) over Jedis: see {@link
 * io.github.wechatmp.store.redis.RedisTokenStore}.
 */
package io.github.wechatmp.store.redis;
