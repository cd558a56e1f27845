package io.github.wechatmp.examples.snippets;

import io.github.wechatmp.jssdk.JsSdkSignature;
import io.github.wechatmp.jssdk.JsSdkSigner;
import io.github.wechatmp.jssdk.JsapiTicketProvider;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.TokenStore;

/** Docs snippet (docs/js-sdk.md): signing a page for the JS-SDK's wx.config. */
final class JsSdkSnippets {
  private JsSdkSnippets() {}

  static JsSdkSignature sign(AccessTokenProvider tokens, TokenStore store, String pageUrl) {
    // snippet:start jssdk
    // The jsapi_ticket is cached and refreshed like the access token, in the same store.
    JsapiTicketProvider tickets =
        JsapiTicketProvider.builder().accessTokenProvider(tokens).store(store).build();
    JsSdkSigner signer = new JsSdkSigner(tickets);

    JsSdkSignature s = signer.sign(pageUrl); // the #fragment is stripped
    // wx.config({ appId: s.appId(), timestamp: s.timestamp(), nonceStr: s.nonceStr(), signature:
    // s.signature(), ... })
    // snippet:end
    return s;
  }
}
