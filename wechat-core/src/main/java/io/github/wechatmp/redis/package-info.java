/**
 * The one Redis layout of wechat-mp: the keys, values, Lua scripts and change channel that every
 * Redis store and deduplicator of the SDK reads and writes ({@link
 * io.github.wechatmp.redis.RedisLayout} describes them), and the shared implementations over any
 * client that can run a {@code GET}, a {@code DEL} and an {@code EVAL} ({@link
 * io.github.wechatmp.redis.RedisAccess}). {@code RedisTokenStore} (Jedis) and the Spring Boot
 * starter's stores over Spring Data Redis are built on them, so nodes on either client share one
 * token, one refresh lock, one hold-off and one deduplication.
 */
package io.github.wechatmp.redis;
