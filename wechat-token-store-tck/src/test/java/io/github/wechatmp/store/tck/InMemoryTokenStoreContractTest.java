package io.github.wechatmp.store.tck;

import io.github.wechatmp.token.InMemoryTokenStore;
import io.github.wechatmp.token.TokenStore;

/**
 * InMemoryTokenStore against the contract. It lives here, not in core, because this module depends
 * on core: core's tests using it would be a Maven cycle. No second instance shares its storage, and
 * it has no corrupt or failing state, so those tests are skipped.
 */
class InMemoryTokenStoreContractTest extends TokenStoreContract {
  @Override
  protected TokenStore newStore() {
    return new InMemoryTokenStore();
  }

  @Override
  protected boolean keepsIssueTimes() {
    return true;
  }

  @Override
  protected boolean sharesHoldOffs() {
    return true;
  }

  @Override
  protected boolean fencesSaves() {
    return true;
  }
}
