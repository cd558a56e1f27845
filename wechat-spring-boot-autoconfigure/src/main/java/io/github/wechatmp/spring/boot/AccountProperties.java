package io.github.wechatmp.spring.boot;

import java.time.Duration;

/**
 * The settings of one Official Account: {@code wechat.mp.*} for a single account, {@code
 * wechat.mp.accounts.<name>.*} for each of many, or what {@link WeChatAccounts#add} is given for an
 * account added at run time. Unset values take the defaults of the SDK's builders.
 *
 * <p>A mutable bean, as Spring's binding needs; not thread-safe. {@link #toString()} never shows
 * the AppSecret, the Token or the EncodingAESKey.
 */
public class AccountProperties {

  /** The AppID, such as wx0123456789abcdef. */
  private String appId;

  /** The AppSecret; sent only to WeChat's token endpoint, never logged. */
  private String appSecret;

  /** The Token of the server configuration, with which WeChat signs what it pushes. */
  private String token;

  /**
   * The EncodingAESKey of the server configuration (43 characters), for the security and
   * compatibility modes; leave it unset in plaintext mode.
   */
  private String encodingAesKey;

  /** Whether to use cgi-bin/stable_token instead of cgi-bin/token. */
  private Boolean stableToken;

  /** How long before expiry a background refresh starts (default 200 s). */
  private Duration refreshMargin;

  /** How long before expiry a token stops being served (default 30 s). */
  private Duration expiryMargin;

  /**
   * While the token store is unreachable and no usable token is held, at most one fetch from WeChat
   * without the store per this interval (default 60 s; 0 never: calls fail until the store
   * returns). With classic tokens each such fetch voids the other instances' tokens five minutes
   * later; see docs/tokens-and-stores.md.
   */
  private Duration storeOutageFetchInterval;

  /** The base URL of WeChat's API (default https://api.weixin.qq.com/). */
  private String apiBaseUrl;

  /** Creates empty settings. */
  public AccountProperties() {}

  /**
   * Returns the AppID.
   *
   * @return the AppID, or null if unset
   */
  public String getAppId() {
    return appId;
  }

  /**
   * Sets the AppID.
   *
   * @param appId the AppID
   */
  public void setAppId(String appId) {
    this.appId = appId;
  }

  /**
   * Returns the AppSecret.
   *
   * @return the AppSecret, or null if unset
   */
  public String getAppSecret() {
    return appSecret;
  }

  /**
   * Sets the AppSecret.
   *
   * @param appSecret the AppSecret
   */
  public void setAppSecret(String appSecret) {
    this.appSecret = appSecret;
  }

  /**
   * Returns the server configuration's Token.
   *
   * @return the Token, or null if unset (then the account has no callback)
   */
  public String getToken() {
    return token;
  }

  /**
   * Sets the server configuration's Token.
   *
   * @param token the Token
   */
  public void setToken(String token) {
    this.token = token;
  }

  /**
   * Returns the EncodingAESKey.
   *
   * @return the key, or null if unset (plaintext mode)
   */
  public String getEncodingAesKey() {
    return encodingAesKey;
  }

  /**
   * Sets the EncodingAESKey.
   *
   * @param encodingAesKey 43 characters of {@code [a-zA-Z0-9]}
   */
  public void setEncodingAesKey(String encodingAesKey) {
    this.encodingAesKey = encodingAesKey;
  }

  /**
   * Returns whether stable tokens are used.
   *
   * @return the setting, or null if unset (false)
   */
  public Boolean getStableToken() {
    return stableToken;
  }

  /**
   * Sets whether stable tokens are used.
   *
   * @param stableToken true for {@code cgi-bin/stable_token}
   */
  public void setStableToken(Boolean stableToken) {
    this.stableToken = stableToken;
  }

  /**
   * Returns the refresh margin.
   *
   * @return the margin, or null if unset
   */
  public Duration getRefreshMargin() {
    return refreshMargin;
  }

  /**
   * Sets the refresh margin.
   *
   * @param refreshMargin between zero and one day
   */
  public void setRefreshMargin(Duration refreshMargin) {
    this.refreshMargin = refreshMargin;
  }

  /**
   * Returns the expiry margin.
   *
   * @return the margin, or null if unset
   */
  public Duration getExpiryMargin() {
    return expiryMargin;
  }

  /**
   * Sets the expiry margin.
   *
   * @param expiryMargin between zero and one day
   */
  public void setExpiryMargin(Duration expiryMargin) {
    this.expiryMargin = expiryMargin;
  }

  /**
   * Returns the interval between fetches without the store while it is unreachable.
   *
   * @return the interval, or null if unset
   */
  public Duration getStoreOutageFetchInterval() {
    return storeOutageFetchInterval;
  }

  /**
   * Sets the interval between fetches without the store while it is unreachable.
   *
   * @param storeOutageFetchInterval between zero (never) and one day
   */
  public void setStoreOutageFetchInterval(Duration storeOutageFetchInterval) {
    this.storeOutageFetchInterval = storeOutageFetchInterval;
  }

  /**
   * Returns the API base URL.
   *
   * @return the URL, or null if unset
   */
  public String getApiBaseUrl() {
    return apiBaseUrl;
  }

  /**
   * Sets the API base URL.
   *
   * @param apiBaseUrl an https URL, or http to a loopback address
   */
  public void setApiBaseUrl(String apiBaseUrl) {
    this.apiBaseUrl = apiBaseUrl;
  }

  /** Copies the settings that {@code defaults} has and this lacks, except the credentials. */
  void inheritFrom(AccountProperties defaults) {
    if (stableToken == null) {
      stableToken = defaults.stableToken;
    }
    if (refreshMargin == null) {
      refreshMargin = defaults.refreshMargin;
    }
    if (expiryMargin == null) {
      expiryMargin = defaults.expiryMargin;
    }
    if (storeOutageFetchInterval == null) {
      storeOutageFetchInterval = defaults.storeOutageFetchInterval;
    }
    if (apiBaseUrl == null) {
      apiBaseUrl = defaults.apiBaseUrl;
    }
  }

  /** Returns a copy, so that later changes to this bean do not reach an account built from it. */
  AccountProperties copy() {
    AccountProperties c = new AccountProperties();
    c.appId = appId;
    c.appSecret = appSecret;
    c.token = token;
    c.encodingAesKey = encodingAesKey;
    c.stableToken = stableToken;
    c.refreshMargin = refreshMargin;
    c.expiryMargin = expiryMargin;
    c.storeOutageFetchInterval = storeOutageFetchInterval;
    c.apiBaseUrl = apiBaseUrl;
    return c;
  }

  /** Returns the AppID and which settings are present; never a secret. */
  @Override
  public String toString() {
    return getClass().getSimpleName()
        + "{appId="
        + appId
        + ", appSecret="
        + (appSecret == null ? "unset" : "***")
        + ", token="
        + (token == null ? "unset" : "***")
        + ", encodingAesKey="
        + (encodingAesKey == null ? "unset" : "***")
        + '}';
  }
}
