package io.github.wechatmp.spring.boot;

import io.github.wechatmp.token.TokenStatus;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The health of one account from its provider's {@code status()} alone (no WeChat call, no store
 * call), for both Spring Boot generations' health APIs. An account is down once its access token
 * has expired, or none is held and the last refresh failed; an account that has not needed a token
 * yet is up. Never shows a token or a secret.
 */
final class HealthReport {
  final boolean up;
  final Map<String, Object> details;

  private HealthReport(boolean up, Map<String, Object> details) {
    this.up = up;
    this.details = details;
  }

  static HealthReport of(WeChatAccount a) {
    TokenStatus s = a.tokens().status();
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("appId", a.appId());
    d.put("state", s.state().name());
    s.expiresAt().ifPresent(e -> d.put("expiresAt", e.toString()));
    s.lastRefreshAt().ifPresent(e -> d.put("lastRefreshAt", e.toString()));
    d.put("consecutiveFailures", s.consecutiveFailures());
    s.holdOffUntil().ifPresent(e -> d.put("holdOffUntil", e.toString()));
    s.lastError().ifPresent(e -> d.put("lastError", e));
    return new HealthReport(isUp(s), d);
  }

  /** The accounts in a stable order, for the composite's members. */
  static List<WeChatAccount> sorted(WeChatAccounts accounts) {
    return accounts.all().stream().sorted(Comparator.comparing(WeChatAccount::name)).toList();
  }

  static boolean isUp(TokenStatus s) {
    switch (s.state()) {
      case EXPIRED:
        return false;
      case NONE:
        return s.consecutiveFailures() == 0;
      default:
        return true;
    }
  }
}
