package io.github.wechatmp.spring.boot;

import io.github.wechatmp.callback.WeChatCallback;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the MVC and WebFlux endpoints share: finding the callback and reading the query. */
final class CallbackRoutes {
  private CallbackRoutes() {}

  /** The callback of the path's account; for the bare path, the single account's. */
  static Optional<WeChatCallback> callback(WeChatAccounts accounts, String name) {
    if (name == null) {
      Optional<WeChatAccount> single = accounts.byName(WeChatAccounts.DEFAULT_NAME);
      if (single.isEmpty() && accounts.size() == 1) {
        single = accounts.all().stream().findFirst();
      }
      return single.flatMap(WeChatAccount::callback);
    }
    return accounts.byName(name).flatMap(WeChatAccount::callback);
  }

  static Map<String, String> firstValues(Map<String, List<String>> params) {
    Map<String, String> q = new HashMap<>();
    params.forEach(
        (k, v) -> {
          if (v != null && !v.isEmpty() && v.get(0) != null) {
            q.put(k, v.get(0));
          }
        });
    return q;
  }

  static String path(WeChatProperties p) {
    String path = p.getCallback().getPath();
    if (path == null || path.isBlank()) {
      path = "/wechat";
    }
    path = path.strip();
    if (!path.startsWith("/")) {
      path = "/" + path;
    }
    while (path.length() > 1 && path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    return path;
  }
}
