/**
 * What every instance of an application, on every host, shares through Redis (a single server,
 * Sentinel or Redis Cluster) over Jedis: the {@link io.github.wechatmp.token.TokenStore} {@link
 * io.github.wechatmp.store.redis.RedisTokenStore}, and the {@link
 * io.github.wechatmp.callback.MessageDeduplicator} {@link
 * io.github.wechatmp.store.redis.RedisMessageDeduplicator} that keeps WeChat's retries from running
 * a handler twice across the cluster.
 */
package io.github.wechatmp.store.redis;
