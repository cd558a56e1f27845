package io.github.wechatmp.tokenserver;

import java.net.URI;
import java.time.Duration;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisPooled;

/**
 * Makes the Redis client from a {@code redis://[user:password@]host[:port][/db]} or {@code
 * rediss://} (TLS) URL, with the short timeouts the Redis store's documentation recommends.
 */
final class RedisUrls {
  private RedisUrls() {}

  /**
   * Checks the URL's form.
   *
   * @throws IllegalArgumentException with a message that never holds the password
   */
  static URI parse(String url) {
    URI uri;
    try {
      uri = URI.create(url.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("is not a URL of the form redis://host:port");
    }
    if (!"redis".equals(uri.getScheme()) && !"rediss".equals(uri.getScheme())) {
      throw new IllegalArgumentException("must start with redis:// or rediss://");
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("has no host");
    }
    String path = uri.getPath();
    if (path != null && !path.isEmpty() && !path.equals("/") && !path.matches("/\\d{1,2}")) {
      throw new IllegalArgumentException("may only name a database number as its path, as /0");
    }
    return uri;
  }

  static JedisPooled client(String url) {
    URI uri = parse(url);
    DefaultJedisClientConfig.Builder config =
        DefaultJedisClientConfig.builder()
            .connectionTimeoutMillis(1000)
            .socketTimeoutMillis(2000)
            .ssl("rediss".equals(uri.getScheme()));
    String userInfo = uri.getUserInfo();
    if (userInfo != null && !userInfo.isEmpty()) {
      int colon = userInfo.indexOf(':');
      if (colon < 0) {
        config.password(userInfo);
      } else {
        if (colon > 0) {
          config.user(userInfo.substring(0, colon));
        }
        config.password(userInfo.substring(colon + 1));
      }
    }
    String path = uri.getPath();
    if (path != null && path.length() > 1) {
      config.database(Integer.parseInt(path.substring(1)));
    }
    ConnectionPoolConfig pool = new ConnectionPoolConfig();
    pool.setMaxTotal(32);
    pool.setMaxWait(Duration.ofSeconds(2));
    int port = uri.getPort() < 0 ? 6379 : uri.getPort();
    return new JedisPooled(pool, new HostAndPort(uri.getHost(), port), config.build());
  }

  /** The URL without its user and password, for logs. */
  static String withoutCredentials(String url) {
    try {
      URI uri = URI.create(url.strip());
      return uri.getScheme()
          + "://"
          + uri.getHost()
          + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
          + (uri.getPath() == null ? "" : uri.getPath());
    } catch (IllegalArgumentException e) {
      return "(unparsable URL)";
    }
  }
}
