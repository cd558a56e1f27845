package io.github.wechatmp.tokenserver;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisPooled;

/**
 * Makes the Redis client from a {@code redis://[user:password@]host[:port][/db]} or {@code
 * rediss://} (TLS) URL, with the short timeouts the Redis store's documentation recommends. Over
 * TLS the server's certificate must chain to a trusted CA (the JDK's, or those of {@code caFile})
 * <em>and</em> name the URL's host: Jedis checks neither name nor address by itself, so without
 * {@link #verifyingHostName()} any server with any trusted certificate (one issued for another of
 * the organisation's hosts, say) could answer for the store and plant tokens.
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

  /**
   * TLS parameters that make the handshake check the server's certificate against the host name (or
   * address) connected to, as HTTPS does.
   */
  static SSLParameters verifyingHostName() {
    SSLParameters p = new SSLParameters();
    p.setEndpointIdentificationAlgorithm("HTTPS");
    return p;
  }

  /**
   * A socket factory trusting only the CA certificates in the PEM file {@code caFile}.
   *
   * @throws IllegalArgumentException naming the problem if the file is unreadable or holds no
   *     certificate
   */
  static SSLSocketFactory trusting(Path caFile) {
    try (InputStream in = Files.newInputStream(caFile)) {
      Collection<? extends Certificate> certs =
          CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certs.isEmpty()) {
        throw new IllegalArgumentException(caFile + " holds no PEM certificate");
      }
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      int i = 0;
      for (Certificate c : certs) {
        trust.setCertificateEntry("ca-" + i++, c);
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx.getSocketFactory();
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot read CA certificates from " + caFile + ": " + e);
    }
  }

  static JedisPooled client(String url, Path caFile) {
    URI uri = parse(url);
    boolean tls = "rediss".equals(uri.getScheme());
    DefaultJedisClientConfig.Builder config =
        DefaultJedisClientConfig.builder()
            .connectionTimeoutMillis(1000)
            .socketTimeoutMillis(2000)
            .ssl(tls);
    if (tls) {
      config.sslParameters(verifyingHostName());
      if (caFile != null) {
        config.sslSocketFactory(trusting(caFile));
      }
    }
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
