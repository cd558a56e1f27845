package io.github.wechatmp.oauth;

/** What a web authorization asks the user for. */
public enum Scope {
  /** {@code snsapi_base}: the OpenID only, with no consent page. */
  BASE("snsapi_base"),
  /** {@code snsapi_userinfo}: the OpenID and, once the user consents, the profile. */
  USERINFO("snsapi_userinfo");

  private final String value;

  Scope(String value) {
    this.value = value;
  }

  /**
   * Returns the scope as WeChat names it.
   *
   * @return {@code snsapi_base} or {@code snsapi_userinfo}
   */
  public String value() {
    return value;
  }

  /**
   * Reads the {@code scope} of WeChat's token answer, which may list several scopes separated by
   * commas: {@link #USERINFO} if {@code snsapi_userinfo} is among them, else {@link #BASE}.
   *
   * @param scope WeChat's {@code scope}, or null
   * @return the scope the token carries
   */
  public static Scope fromWeChat(String scope) {
    if (scope != null) {
      for (String s : scope.split(",", -1)) {
        if (s.strip().equals(USERINFO.value)) {
          return USERINFO;
        }
      }
    }
    return BASE;
  }
}
