package io.github.wechatmp.spring.boot;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code wechat.mp.oauth.*}: signing WeChat users in through Spring Security's {@code
 * oauth2Login()} with WeChat's web authorization. The AppID, AppSecret and API base URL are the
 * {@linkplain #getAccount() account's}.
 *
 * <p>A mutable bean, as Spring's binding needs; not thread-safe. {@link #toString()} never shows
 * the state key.
 */
@ConfigurationProperties(prefix = "wechat.mp.oauth")
public class WeChatOAuthProperties {
  /** Whether the WeChat sign-in (the "wechat" registration for oauth2Login()) is contributed. */
  private boolean enabled;

  /** The account users sign in to: "default" (wechat.mp.app-id) or a key of wechat.mp.accounts. */
  private String account = WeChatAccounts.DEFAULT_NAME;

  /** What users are asked for: userinfo (the profile, after consent) or base (the OpenID only). */
  private String scope = "userinfo";

  /** The redirect URI template; its domain must be the account's web authorization domain. */
  private String redirectUri = "{baseUrl}/login/oauth2/code/{registrationId}";

  /** The base URL of WeChat's authorize page (https://open.weixin.qq.com/ when unset). */
  private String authorizeBaseUrl;

  /** The key signing the state, 32 bytes or more in Base64; derived from the AppSecret if unset. */
  private String stateKey;

  /** Whether WeChat's authorization requests live in their signed state, not the session. */
  private boolean statelessState = true;

  /** Creates the settings with their defaults. */
  public WeChatOAuthProperties() {}

  /**
   * Returns whether the WeChat sign-in is contributed.
   *
   * @return the setting, false by default
   */
  public boolean isEnabled() {
    return enabled;
  }

  /**
   * Sets whether the WeChat sign-in is contributed.
   *
   * @param enabled true to contribute it
   */
  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  /**
   * Returns the name of the account users sign in to ({@code default}: {@code wechat.mp.app-id}).
   *
   * @return the account's name
   */
  public String getAccount() {
    return account;
  }

  /**
   * Sets the name of the account users sign in to, a key of {@code wechat.mp.accounts}.
   *
   * @param account the account's name
   */
  public void setAccount(String account) {
    this.account = account;
  }

  /**
   * Returns what users are asked for: {@code userinfo} (the profile, after the user's consent) or
   * {@code base} (the OpenID only, with no consent page).
   *
   * @return {@code userinfo} by default
   */
  public String getScope() {
    return scope;
  }

  /**
   * Sets what users are asked for.
   *
   * @param scope {@code userinfo} or {@code base}
   */
  public void setScope(String scope) {
    this.scope = scope;
  }

  /**
   * Returns the redirect URI template, Spring Security's {@code
   * {baseUrl}/login/oauth2/code/{registrationId}} by default. Its domain must be the account's web
   * authorization domain.
   *
   * @return the template
   */
  public String getRedirectUri() {
    return redirectUri;
  }

  /**
   * Sets the redirect URI template.
   *
   * @param redirectUri the template
   */
  public void setRedirectUri(String redirectUri) {
    this.redirectUri = redirectUri;
  }

  /**
   * Returns the base URL of WeChat's authorize page ({@code https://open.weixin.qq.com/} when
   * unset; a stand-in's in tests).
   *
   * @return the URL, or null if unset
   */
  public String getAuthorizeBaseUrl() {
    return authorizeBaseUrl;
  }

  /**
   * Sets the base URL of WeChat's authorize page.
   *
   * @param authorizeBaseUrl an http or https URL
   */
  public void setAuthorizeBaseUrl(String authorizeBaseUrl) {
    this.authorizeBaseUrl = authorizeBaseUrl;
  }

  /**
   * Returns the key that signs the {@code state}, in Base64 (at least 32 bytes); when unset, one is
   * derived from the AppSecret, the same on every instance.
   *
   * @return the key, or null if unset
   */
  public String getStateKey() {
    return stateKey;
  }

  /**
   * Sets the key that signs the {@code state}.
   *
   * @param stateKey at least 32 bytes, in Base64
   */
  public void setStateKey(String stateKey) {
    this.stateKey = stateKey;
  }

  /**
   * Returns whether WeChat's authorization requests are kept in their signed {@code state} rather
   * than in the HTTP session, so that a browser that lost its cookie, and WeChat's double redirect,
   * still sign in. Other registrations keep using the session.
   *
   * @return true by default
   */
  public boolean isStatelessState() {
    return statelessState;
  }

  /**
   * Sets whether WeChat's authorization requests are kept in their signed {@code state}; false
   * leaves Spring Security's repository (or the application's) alone.
   *
   * @param statelessState false to keep them in the session
   */
  public void setStatelessState(boolean statelessState) {
    this.statelessState = statelessState;
  }

  /** Returns the settings, the state key masked. */
  @Override
  public String toString() {
    return "WeChatOAuthProperties{enabled="
        + enabled
        + ", account="
        + account
        + ", scope="
        + scope
        + ", redirectUri="
        + redirectUri
        + ", authorizeBaseUrl="
        + authorizeBaseUrl
        + ", stateKey="
        + (stateKey == null ? "unset" : "***")
        + ", statelessState="
        + statelessState
        + '}';
  }
}
