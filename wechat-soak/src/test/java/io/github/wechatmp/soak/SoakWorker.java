package io.github.wechatmp.soak;

import io.github.wechatmp.http.AccessTokenInterceptor;
import io.github.wechatmp.store.file.FileTokenStore;
import io.github.wechatmp.store.redis.RedisTokenStore;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.TokenEventListener;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStore;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.providers.PooledConnectionProvider;

/**
 * One worker JVM of the soak: an application instance with one {@link AccessTokenProvider} over a
 * shared store (Redis or a token file), and several threads making paced API calls through OkHttp
 * and {@link AccessTokenInterceptor} to the stand-in's token-checked {@code
 * cgi-bin/get_api_domain_ip}. Every call's outcome, and every token the provider took, is one line
 * of its call log, written with one {@code write} per line so that a SIGKILL loses no completed
 * line (see {@link CallLog} for the format).
 *
 * <p>Arguments: {@code redis <host:port> | file <path>}, then the stand-in's base URL, the thread
 * count, the pause between two calls of a thread in ms, and the call log's path. Runs until killed.
 */
public final class SoakWorker {
  static final String APP_ID = "wxs0a1c2e3f4a5b6c7";
  static final String SECRET = "soak-secret-0123456789abcdef0123";
  static final TokenKey KEY = TokenKey.of(APP_ID, TokenKey.ACCESS_TOKEN);
  static final String REDIS_PREFIX = "soak:";
  static final String API_PATH = "cgi-bin/get_api_domain_ip";

  private final FileOutputStream out;

  private SoakWorker(Path log) throws IOException {
    this.out = new FileOutputStream(log.toFile(), true);
  }

  /** Appends one line, in one write, so that a kill never leaves half of it. */
  synchronized void line(String text) {
    try {
      out.write((System.currentTimeMillis() + " " + text + "\n").getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static void main(String[] args) throws Exception {
    String kind = args[0];
    String where = args[1];
    String baseUrl = args[2];
    int threads = Integer.parseInt(args[3]);
    long paceMillis = Long.parseLong(args[4]);
    SoakWorker w = new SoakWorker(Path.of(args[5]));
    w.line("START " + ProcessHandle.current().pid());

    TokenStore store;
    if (kind.equals("redis")) {
      HostAndPort address = HostAndPort.from(where);
      // As RedisTokenStore's Javadoc recommends: short timeouts, a bounded pool wait.
      ConnectionPoolConfig pool = new ConnectionPoolConfig();
      pool.setMaxTotal(16);
      pool.setMaxWait(Duration.ofSeconds(2));
      UnifiedJedis jedis =
          new UnifiedJedis(
              new PooledConnectionProvider(
                  address,
                  DefaultJedisClientConfig.builder()
                      .connectionTimeoutMillis(1000)
                      .socketTimeoutMillis(2000)
                      .build(),
                  pool));
      store = RedisTokenStore.builder(jedis).keyPrefix(REDIS_PREFIX).build();
    } else {
      store = new FileTokenStore(Path.of(where));
    }

    // The provider's own client marks each token request in the log before sending it, so that
    // the coordinator knows which worker is fetching (and can kill it in the middle).
    OkHttpClient tokenClient =
        new OkHttpClient.Builder()
            .addInterceptor(
                chain -> {
                  w.line("TOKENREQ");
                  return chain.proceed(chain.request());
                })
            .build();
    AccessTokenProvider provider =
        AccessTokenProvider.builder()
            .appId(APP_ID)
            .appSecret(SECRET)
            .apiBaseUrl(baseUrl)
            .httpClient(tokenClient)
            .store(store)
            .eventListener(
                new TokenEventListener() {
                  @Override
                  public void onFetched(TokenKey key, AccessToken token, Duration latency) {
                    w.line("TOKEN fetched " + times(token));
                  }

                  @Override
                  public void onFetchedWithoutStore(TokenKey key, AccessToken token) {
                    w.line("STORELESS " + token.masked());
                  }

                  @Override
                  public void onAdopted(TokenKey key, AccessToken token) {
                    w.line("TOKEN adopted " + times(token));
                  }

                  @Override
                  public void onRefreshFailed(
                      TokenKey key, RuntimeException error, int consecutiveFailures) {
                    w.line("REFRESHFAIL " + consecutiveFailures + " " + CallLog.oneLine(error));
                  }

                  @Override
                  public void onInvalidated(TokenKey key, boolean wasCurrent) {
                    w.line("INVALIDATED " + wasCurrent);
                  }
                })
            .build();
    OkHttpClient api =
        new OkHttpClient.Builder()
            .addInterceptor(new AccessTokenInterceptor(provider))
            .readTimeout(Duration.ofSeconds(20))
            .build();
    Request request = new Request.Builder().url(baseUrl + API_PATH).build();

    List<Thread> callers = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      String name = "t" + i;
      Thread t =
          new Thread(
              () -> {
                // Spread the threads' calls over the pause, not all at the same instant.
                sleep(ThreadLocalRandom.current().nextLong(paceMillis + 1));
                while (true) {
                  long started = System.currentTimeMillis();
                  String outcome;
                  try (Response r = api.newCall(request).execute()) {
                    String body = r.body().string();
                    outcome =
                        r.code() == 200 && body.contains("\"ip_list\"")
                            ? "OK"
                            : "FAIL HTTP_" + r.code() + " " + CallLog.oneLine(body);
                  } catch (Throwable e) {
                    outcome = "FAIL " + CallLog.oneLine(e);
                  }
                  String[] parts = outcome.split(" ", 2);
                  w.line(
                      parts[0]
                          + " "
                          + name
                          + " "
                          + started
                          + (parts.length > 1 ? " " + parts[1] : ""));
                  sleep(paceMillis);
                }
              },
              "caller-" + name);
      t.setDaemon(true);
      callers.add(t);
    }
    callers.forEach(Thread::start);
    while (true) {
      TimeUnit.DAYS.sleep(1); // until killed
    }
  }

  private static String times(AccessToken token) {
    return token.expiresAt().toEpochMilli()
        + " "
        + token.issuedAt().map(i -> String.valueOf(i.toEpochMilli())).orElse("-")
        + " "
        + token.masked();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
