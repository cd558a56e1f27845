package io.github.wechatmp.spring.boot;

import io.github.wechatmp.api.WeChatApi;
import io.github.wechatmp.token.AccessTokenProvider;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link WeChatApi} of every account in {@link WeChatAccounts}, by name or AppID: built on the
 * account's token provider and HTTP client the first time it is asked for, then kept while the
 * account is. Accounts added at run time get theirs too. Thread-safe.
 */
public final class WeChatApis {
  private final WeChatAccounts accounts;
  private final Map<String, Entry> byAppId = new ConcurrentHashMap<>();

  private record Entry(AccessTokenProvider tokens, WeChatApi api) {}

  /**
   * Serves the accounts of {@code accounts}.
   *
   * @param accounts the accounts
   * @throws NullPointerException if {@code accounts} is null
   */
  public WeChatApis(WeChatAccounts accounts) {
    this.accounts = Objects.requireNonNull(accounts, "accounts");
  }

  /**
   * Returns the client of an account.
   *
   * @param nameOrAppId the account's name (as under {@code wechat.mp.accounts}) or AppID
   * @return its client
   * @throws java.util.NoSuchElementException if there is no such account
   */
  public WeChatApi get(String nameOrAppId) {
    WeChatAccount account = accounts.get(nameOrAppId);
    AccessTokenProvider tokens = account.tokens();
    // An account removed and added again under the same AppID has a new provider: a new client.
    return byAppId.compute(
            account.appId(),
            (id, e) ->
                e != null && e.tokens == tokens
                    ? e
                    : new Entry(
                        tokens,
                        WeChatApi.builder().tokens(tokens).httpClient(account.apiClient()).build()))
        .api;
  }

  @Override
  public String toString() {
    return "WeChatApis{" + accounts + '}';
  }
}
