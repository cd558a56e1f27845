package io.github.wechatmp.open.testing;

import io.github.wechatmp.open.Authorization;
import io.github.wechatmp.open.AuthorizationStore;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An {@link AuthorizationStore} that hands every call to another: tests override the calls they
 * count, fail or block.
 */
public class DelegatingAuthorizationStore implements AuthorizationStore {
  private final AuthorizationStore inner;

  /**
   * Delegates to {@code inner}.
   *
   * @param inner the store that does the work
   */
  public DelegatingAuthorizationStore(AuthorizationStore inner) {
    this.inner = inner;
  }

  @Override
  public Optional<Authorization> find(String authorizerAppId) {
    return inner.find(authorizerAppId);
  }

  @Override
  public boolean save(Authorization authorization) {
    return inner.save(authorization);
  }

  @Override
  public List<Authorization> list(String afterAuthorizerAppId, int limit) {
    return inner.list(afterAuthorizerAppId, limit);
  }

  @Override
  public Map<Authorization.State, Long> countByState() {
    return inner.countByState();
  }
}
