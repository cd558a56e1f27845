/**
 * The central token service: a runnable HTTP server that holds the access tokens and jsapi tickets
 * of one or many WeChat accounts and hands them to services in any language ({@link
 * io.github.wechatmp.tokenserver.TokenServer}). An application, not a library: nothing else depends
 * on it.
 */
// Jedis, Moshi and SnakeYAML have no descriptors, only stable Automatic-Module-Names.
@SuppressWarnings("requires-automatic")
module io.github.wechatmp.tokenserver {
  requires io.github.wechatmp;
  requires io.github.wechatmp.store.file;
  requires io.github.wechatmp.store.redis;
  requires io.github.wechatmp.open;
  requires java.sql;
  requires redis.clients.jedis;
  requires com.squareup.moshi;
  requires okio;
  requires org.slf4j;
  requires org.yaml.snakeyaml;
  requires jdk.httpserver;

  exports io.github.wechatmp.tokenserver;
}
