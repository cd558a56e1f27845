package io.github.wechatmp.open;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link AuthorizationStore} in this process's memory: for tests and trials only. Every
 * authorization is lost when the process ends, and with it the refresh tokens that WeChat issues
 * only once, so each merchant would have to authorize the platform again; it says so in a WARN when
 * it is made. Use {@code JdbcAuthorizationStore} or {@code FileAuthorizationStore} in production.
 *
 * <p>Thread-safe; {@link #save} is atomic per account.
 */
public final class InMemoryAuthorizationStore implements AuthorizationStore {
  private static final Logger log = LoggerFactory.getLogger(InMemoryAuthorizationStore.class);

  private final ConcurrentSkipListMap<String, Authorization> records =
      new ConcurrentSkipListMap<>();

  /** Creates an empty store and logs a WARN that its authorizations are lost on restart. */
  public InMemoryAuthorizationStore() {
    log.warn(
        "InMemoryAuthorizationStore keeps authorizations in memory only: every authorizer refresh"
            + " token is lost when this process ends, and each merchant must then authorize the"
            + " platform again. Use JdbcAuthorizationStore or FileAuthorizationStore in production.");
  }

  @Override
  public Optional<Authorization> find(String authorizerAppId) {
    return Optional.ofNullable(records.get(Authorization.checkAppId(authorizerAppId)));
  }

  @Override
  public boolean save(Authorization authorization) {
    Objects.requireNonNull(authorization, "authorization");
    boolean[] saved = {false};
    records.compute(
        authorization.authorizerAppId(),
        (id, old) -> {
          if (old != null && old.updatedAt().isAfter(authorization.updatedAt())) {
            return old;
          }
          saved[0] = true;
          return authorization;
        });
    return saved[0];
  }

  @Override
  public List<Authorization> list(String afterAuthorizerAppId, int limit) {
    AuthorizationStore.checkListArguments(afterAuthorizerAppId, limit);
    NavigableMap<String, Authorization> tail =
        afterAuthorizerAppId == null ? records : records.tailMap(afterAuthorizerAppId, false);
    List<Authorization> page = new ArrayList<>(Math.min(limit, 64));
    for (Authorization a : tail.values()) {
      if (page.size() == limit) {
        break;
      }
      page.add(a);
    }
    return page;
  }

  @Override
  public Map<Authorization.State, Long> countByState() {
    Map<Authorization.State, Long> counts = Authorization.zeroCounts();
    for (Authorization a : records.values()) {
      counts.merge(a.state(), 1L, Long::sum);
    }
    return counts;
  }

  @Override
  public String toString() {
    return "InMemoryAuthorizationStore[" + records.size() + " authorizations]";
  }
}
