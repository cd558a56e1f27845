package io.github.wechatmp.store.tck;

import io.github.wechatmp.open.AuthorizationStore;
import io.github.wechatmp.open.InMemoryAuthorizationStore;

/** The contract on the in-memory store: no sharing, no damage, no outage to test. */
class InMemoryAuthorizationStoreContractTest extends AuthorizationStoreContract {
  @Override
  protected AuthorizationStore newStore() {
    return new InMemoryAuthorizationStore();
  }
}
