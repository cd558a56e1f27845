package io.github.wechatmp.http;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * WeChat played by a real HTTP server: the token endpoints issue unique access tokens, getticket
 * issues unique jsapi tickets, and every other path is an ordinary API that answers {@code
 * {"errcode":0}} to a token it issued and has not {@linkplain #revoke revoked}, and 40001
 * otherwise, as WeChat does. Scripted answers, queued per endpoint, are served first. Counts and
 * records every request. Thread-safe.
 */
public final class ScriptedWeChat implements AutoCloseable {
  public static final String APP_ID = "wx0123456789abcdef";
  public static final String SECRET = "s3cr3t-0123456789abcdef0123456789";

  private final MockWebServer server = new MockWebServer();
  private final AtomicInteger tokenRequests = new AtomicInteger();
  private final AtomicInteger ticketRequests = new AtomicInteger();
  private final AtomicInteger apiRequests = new AtomicInteger();
  private final AtomicInteger tokensIssued = new AtomicInteger();
  private final AtomicInteger ticketsIssued = new AtomicInteger();
  private final Set<String> validTokens = ConcurrentHashMap.newKeySet();
  private final ConcurrentLinkedQueue<MockResponse> ticketScript = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<MockResponse> apiScript = new ConcurrentLinkedQueue<>();
  private final List<RecordedRequest> ticketLog = Collections.synchronizedList(new ArrayList<>());
  private final List<RecordedRequest> apiLog = Collections.synchronizedList(new ArrayList<>());
  private volatile long ticketDelayMillis;

  public ScriptedWeChat() throws IOException {
    server.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            String path = request.getUrl().encodedPath();
            if (path.endsWith("/cgi-bin/token") || path.endsWith("/cgi-bin/stable_token")) {
              tokenRequests.incrementAndGet();
              String token = tokenValue(tokensIssued.incrementAndGet());
              validTokens.add(token);
              return json("{\"access_token\":\"" + token + "\",\"expires_in\":7200}");
            }
            if (path.endsWith("/cgi-bin/ticket/getticket")) {
              ticketRequests.incrementAndGet();
              ticketLog.add(request);
              MockResponse scripted = ticketScript.poll();
              if (scripted != null) {
                return scripted;
              }
              if (!validTokens.contains(
                  String.valueOf(request.getUrl().queryParameter("access_token")))) {
                return json(
                    error(40001, "invalid credential, access_token is invalid or not latest"));
              }
              if (!"jsapi".equals(request.getUrl().queryParameter("type"))) {
                return json(error(40097, "invalid args"));
              }
              String body =
                  "{\"errcode\":0,\"errmsg\":\"ok\",\"ticket\":\""
                      + ticketValue(ticketsIssued.incrementAndGet())
                      + "\",\"expires_in\":7200}";
              MockResponse.Builder b =
                  new MockResponse.Builder()
                      .addHeader("Content-Type", "application/json")
                      .body(body);
              if (ticketDelayMillis > 0) {
                b.headersDelay(ticketDelayMillis, TimeUnit.MILLISECONDS);
              }
              return b.build();
            }
            apiRequests.incrementAndGet();
            apiLog.add(request);
            MockResponse scripted = apiScript.poll();
            if (scripted != null) {
              return scripted;
            }
            if (!validTokens.contains(
                String.valueOf(request.getUrl().queryParameter("access_token")))) {
              return json(
                  error(40001, "invalid credential, access_token is invalid or not latest"));
            }
            return json("{\"errcode\":0,\"errmsg\":\"ok\"}");
          }
        });
    server.start();
  }

  public static String tokenValue(int n) {
    return "TOKEN_" + n + "_" + "t".repeat(100);
  }

  public static String ticketValue(int n) {
    return "TICKET_" + n + "_" + "k".repeat(70);
  }

  public static String error(int code, String msg) {
    return "{\"errcode\":" + code + ",\"errmsg\":\"" + msg + "\"}";
  }

  public static MockResponse json(String body) {
    return new MockResponse.Builder()
        .addHeader("Content-Type", "application/json; encoding=utf-8")
        .body(body)
        .build();
  }

  /** The base URL, for apiBaseUrl and for building API request URLs. */
  public String baseUrl() {
    return server.url("/").toString();
  }

  /** The host name requests reach this server under. */
  public String host() {
    return server.url("/").host();
  }

  /**
   * Makes the API and getticket answer 40001 to {@code token} from now on, as after a reset
   * elsewhere.
   */
  public void revoke(String token) {
    validTokens.remove(token);
  }

  public void enqueueTicket(MockResponse r) {
    ticketScript.add(r);
  }

  public void enqueueApi(MockResponse r) {
    apiScript.add(r);
  }

  public void ticketDelay(long millis) {
    this.ticketDelayMillis = millis;
  }

  public int tokenRequests() {
    return tokenRequests.get();
  }

  public int ticketRequests() {
    return ticketRequests.get();
  }

  public int apiRequests() {
    return apiRequests.get();
  }

  public List<RecordedRequest> ticketLog() {
    synchronized (ticketLog) {
      return new ArrayList<>(ticketLog);
    }
  }

  public List<RecordedRequest> apiLog() {
    synchronized (apiLog) {
      return new ArrayList<>(apiLog);
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
