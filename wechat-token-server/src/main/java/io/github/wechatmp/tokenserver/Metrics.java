package io.github.wechatmp.tokenserver;

import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.TokenEventListener;
import io.github.wechatmp.token.TokenKey;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

/**
 * The server's counters, written in the Prometheus text format (version 0.0.4). Counting is a
 * {@link LongAdder} increment, so the request path does not contend on it. Thread-safe. Labels hold
 * AppIDs, routes and status codes only: never a key, token or secret.
 */
final class Metrics implements TokenEventListener {
  private final ConcurrentMap<String, LongAdder> requests = new ConcurrentHashMap<>();
  private final ConcurrentMap<String, LongAdder> events = new ConcurrentHashMap<>();
  private final long startedMillis = System.currentTimeMillis();

  void request(String route, int status) {
    requests.computeIfAbsent(route + '\u0000' + status, k -> new LongAdder()).increment();
  }

  private void event(String name, TokenKey key, String extra) {
    events
        .computeIfAbsent(
            name + '\u0000' + key.appId() + '\u0000' + key.kind() + '\u0000' + extra,
            k -> new LongAdder())
        .increment();
  }

  @Override
  public void onFetched(TokenKey key, AccessToken token, Duration latency) {
    event("wechat_token_fetches_total", key, "");
  }

  @Override
  public void onAdopted(TokenKey key, AccessToken token) {
    event("wechat_token_adoptions_total", key, "");
  }

  @Override
  public void onRefreshFailed(TokenKey key, RuntimeException error, int consecutiveFailures) {
    event("wechat_token_refresh_failures_total", key, "");
  }

  @Override
  public void onInvalidated(TokenKey key, boolean wasCurrent) {
    event("wechat_token_invalidations_total", key, wasCurrent ? "true" : "false");
  }

  long count(String name, String appId, String kind) {
    long n = 0;
    String prefix = name + '\u0000' + appId + '\u0000' + kind + '\u0000';
    for (Map.Entry<String, LongAdder> e : events.entrySet()) {
      if (e.getKey().startsWith(prefix)) {
        n += e.getValue().sum();
      }
    }
    return n;
  }

  /**
   * Writes every metric; per-account series only for the accounts {@code visible} accepts.
   *
   * @param gauges lines of gauges already in the text format, appended as they are
   */
  String render(Predicate<String> visible, String gauges) {
    StringBuilder b = new StringBuilder(2048);
    b.append("# HELP wechat_token_server_start_time_seconds When the server started.\n")
        .append("# TYPE wechat_token_server_start_time_seconds gauge\n")
        .append("wechat_token_server_start_time_seconds ")
        .append(startedMillis / 1000)
        .append('\n');
    b.append("# HELP wechat_token_server_requests_total HTTP requests by route and status.\n")
        .append("# TYPE wechat_token_server_requests_total counter\n");
    for (Map.Entry<String, Long> e : sorted(requests).entrySet()) {
      String[] p = e.getKey().split("\u0000", -1);
      b.append("wechat_token_server_requests_total{route=\"")
          .append(p[0])
          .append("\",status=\"")
          .append(p[1])
          .append("\"} ")
          .append(e.getValue())
          .append('\n');
    }
    String[][] help = {
      {"wechat_token_fetches_total", "Credentials this instance fetched from WeChat."},
      {"wechat_token_adoptions_total", "Credentials taken from the store, fetched elsewhere."},
      {"wechat_token_refresh_failures_total", "Refreshes that failed."},
      {"wechat_token_invalidations_total", "Reports of rejected credentials, by whether current."}
    };
    Map<String, Long> ev = sorted(events);
    for (String[] h : help) {
      b.append("# HELP ").append(h[0]).append(' ').append(h[1]).append('\n');
      b.append("# TYPE ").append(h[0]).append(" counter\n");
      for (Map.Entry<String, Long> e : ev.entrySet()) {
        String[] p = e.getKey().split("\u0000", -1);
        if (!p[0].equals(h[0]) || !visible.test(p[1])) {
          continue;
        }
        b.append(h[0])
            .append("{app_id=\"")
            .append(p[1])
            .append("\",kind=\"")
            .append(p[2])
            .append('"');
        if (!p[3].isEmpty()) {
          b.append(",current=\"").append(p[3]).append('"');
        }
        b.append("} ").append(e.getValue()).append('\n');
      }
    }
    b.append(gauges);
    return b.toString();
  }

  private static Map<String, Long> sorted(ConcurrentMap<String, LongAdder> m) {
    Map<String, Long> out = new TreeMap<>();
    m.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }
}
