// A module-path application that requires only the Redis store: Jedis and its pool must be read
// through it.
module app.redis {
  requires io.github.wechatmp.store.redis;
}
