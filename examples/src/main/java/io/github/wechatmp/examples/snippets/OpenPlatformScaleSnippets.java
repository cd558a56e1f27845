package io.github.wechatmp.examples.snippets;

import io.github.wechatmp.open.OpenPlatform;

/**
 * docs/third-party-platform.md snippet of the "Scale" section: the rate of the authorizers'
 * background refreshes. Main code so that the page quotes compiled code.
 */
final class OpenPlatformScaleSnippets {
  private OpenPlatformScaleSnippets() {}

  static OpenPlatform.Builder withRate(OpenPlatform.Builder builder) {
    // snippet:start open-scale-rate
    builder.authorizerRefreshRate(30); // api_authorizer_token calls a second, in this process
    // snippet:end
    return builder;
  }
}
