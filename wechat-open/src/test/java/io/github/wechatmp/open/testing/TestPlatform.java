package io.github.wechatmp.open.testing;

import io.github.wechatmp.open.OpenPlatform;

/** The test platform's credentials, the same in every test, and a builder preset with them. */
public final class TestPlatform {
  /** The platform's AppID. */
  public static final String COMPONENT_APP_ID = "wxcomponent000001";

  /** The platform's AppSecret. */
  public static final String SECRET = "component-secret-0123456789abcdef";

  /** The platform's message token. */
  public static final String TOKEN = "platformtoken";

  /** The platform's EncodingAESKey. */
  public static final String AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

  private TestPlatform() {}

  /**
   * Returns a builder with the test platform's AppID, secret, token and key, calling the stand-in
   * at {@code apiBaseUrl}; the authorization store (required) and the rest are the test's.
   *
   * @param apiBaseUrl the stand-in's base URL
   * @return the builder
   */
  public static OpenPlatform.Builder builder(String apiBaseUrl) {
    return OpenPlatform.builder()
        .componentAppId(COMPONENT_APP_ID)
        .componentAppSecret(SECRET)
        .token(TOKEN)
        .encodingAesKey(AES_KEY)
        .apiBaseUrl(apiBaseUrl);
  }
}
