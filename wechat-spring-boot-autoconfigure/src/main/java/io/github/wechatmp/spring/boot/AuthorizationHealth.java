package io.github.wechatmp.spring.boot;

import io.github.wechatmp.open.Authorization;
import io.github.wechatmp.open.AuthorizationStore;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code wechatOpen} health report on either Boot generation's API: the count of authorizations
 * in each state (counts, never the accounts themselves), DOWN when the store cannot be read.
 */
final class AuthorizationHealth {
  final boolean up;
  final Map<String, Object> details;

  private AuthorizationHealth(boolean up, Map<String, Object> details) {
    this.up = up;
    this.details = details;
  }

  static AuthorizationHealth of(AuthorizationStore store) {
    Map<String, Object> details = new LinkedHashMap<>();
    try {
      Map<Authorization.State, Long> counts = store.countByState();
      for (Authorization.State s : Authorization.State.values()) {
        details.put(s.name(), counts.getOrDefault(s, 0L));
      }
      return new AuthorizationHealth(true, details);
    } catch (RuntimeException e) {
      // The store's messages name the store and never a refresh token.
      details.put("error", e.getClass().getSimpleName() + ": " + e.getMessage());
      return new AuthorizationHealth(false, details);
    }
  }
}
