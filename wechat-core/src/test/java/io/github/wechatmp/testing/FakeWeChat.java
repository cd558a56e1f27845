package io.github.wechatmp.testing;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * WeChat's token endpoints played by a real HTTP server (MockWebServer). By default every request
 * to {@code cgi-bin/token} or {@code cgi-bin/stable_token} gets a new, unique token with {@link
 * #expiresIn(long)} seconds of life; responses queued with {@link #enqueue} are served first.
 * Counts and records what it received. Thread-safe.
 */
public final class FakeWeChat implements AutoCloseable {
  /** The AppSecret tests use; assertions look for it in logs and messages. */
  public static final String SECRET = "s3cr3t-0123456789abcdef0123456789";

  public static final String APP_ID = "wx0123456789abcdef";

  private final MockWebServer server = new MockWebServer();
  private final AtomicInteger tokenRequests = new AtomicInteger();
  private final AtomicInteger issued = new AtomicInteger();
  private final ConcurrentLinkedQueue<MockResponse> scripted = new ConcurrentLinkedQueue<>();
  private final List<RecordedRequest> requests = Collections.synchronizedList(new ArrayList<>());
  private volatile long expiresIn = 7200;
  private volatile long delayMillis;
  private volatile MockResponse fixedResponse;

  public FakeWeChat() throws IOException {
    server.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            requests.add(request);
            String path = request.getUrl().encodedPath();
            if (path.endsWith("/cgi-bin/message/custom/send")) {
              // a customer service message: accepted; the test reads it from requests()
              return new MockResponse.Builder().body("{\"errcode\":0,\"errmsg\":\"ok\"}").build();
            }
            if (!path.endsWith("/cgi-bin/token") && !path.endsWith("/cgi-bin/stable_token")) {
              return new MockResponse.Builder()
                  .code(404)
                  .body("{\"errcode\":404,\"errmsg\":\"no such path\"}")
                  .build();
            }
            tokenRequests.incrementAndGet();
            MockResponse next = scripted.poll();
            if (next != null) {
              return next;
            }
            MockResponse fixed = fixedResponse;
            if (fixed != null) {
              return fixed;
            }
            MockResponse.Builder b =
                new MockResponse.Builder().body(tokenJson(nextToken(), expiresIn));
            if (delayMillis > 0) {
              b.headersDelay(delayMillis, TimeUnit.MILLISECONDS);
            }
            return b.build();
          }
        });
    server.start();
  }

  /** The base URL to give the provider as {@code apiBaseUrl}. */
  public String baseUrl() {
    return server.url("/").toString();
  }

  /** How many requests reached the token endpoints. */
  public int tokenRequests() {
    return tokenRequests.get();
  }

  /** Every request received, in order. */
  public List<RecordedRequest> requests() {
    synchronized (requests) {
      return new ArrayList<>(requests);
    }
  }

  /** The lifetime of tokens issued from now on. */
  public FakeWeChat expiresIn(long seconds) {
    this.expiresIn = seconds;
    return this;
  }

  /** How long WeChat takes to answer from now on. */
  public FakeWeChat delay(long millis) {
    this.delayMillis = millis;
    return this;
  }

  /**
   * Serves {@code response} to every token request with no scripted answer; null restores fresh
   * tokens.
   */
  public FakeWeChat answerAlways(MockResponse response) {
    this.fixedResponse = response;
    return this;
  }

  /** Serves {@code response} to the next token request, before the default answers resume. */
  public FakeWeChat enqueue(MockResponse response) {
    scripted.add(response);
    return this;
  }

  /** Serves a JSON body with HTTP 200 to the next token request. */
  public FakeWeChat enqueueJson(String json) {
    return enqueue(new MockResponse.Builder().body(json).build());
  }

  /** Serves {@code {"errcode": code, "errmsg": msg}} to the next token request. */
  public FakeWeChat enqueueError(int code, String msg) {
    return enqueueJson("{\"errcode\":" + code + ",\"errmsg\":\"" + msg + "\"}");
  }

  /** The value the n-th issued token has (1-based), as {@link #nextToken()} makes it. */
  public static String tokenValue(int n) {
    return "TOKEN_" + n + "_" + "x".repeat(120);
  }

  /** Issues the next unique token value. */
  public String nextToken() {
    return tokenValue(issued.incrementAndGet());
  }

  public static String tokenJson(String token, long expiresIn) {
    return "{\"access_token\":\"" + token + "\",\"expires_in\":" + expiresIn + "}";
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
