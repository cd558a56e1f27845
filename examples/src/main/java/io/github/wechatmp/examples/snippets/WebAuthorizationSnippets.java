package io.github.wechatmp.examples.snippets;

import io.github.wechatmp.oauth.InvalidStateException;
import io.github.wechatmp.oauth.Scope;
import io.github.wechatmp.oauth.StateCodec;
import io.github.wechatmp.oauth.WeChatUser;
import io.github.wechatmp.oauth.WebAccessToken;
import io.github.wechatmp.oauth.WebAuthorization;
import io.github.wechatmp.token.TokenStore;

/** Documentation snippets: web authorization (网页授权) without a framework. */
final class WebAuthorizationSnippets {
  private WebAuthorizationSnippets() {}

  static String start(String appId, String appSecret, byte[] stateKey, TokenStore store) {
    // snippet:start oauth-setup
    // One of each per account, shared by every request; the store is the one the access token
    // uses, so that the double redirect is one exchange across the cluster.
    WebAuthorization auth =
        WebAuthorization.builder().appId(appId).appSecret(appSecret).store(store).build();
    StateCodec states = StateCodec.builder().appId(appId).key(stateKey).store(store).build();

    // Send the user to WeChat: the state carries the page to come back to, signed.
    String url =
        auth.authorizeUrl(
            "https://example.com/wechat/signed-in", Scope.USERINFO, states.issue("/orders"));
    // snippet:end
    return url + auth + states;
  }

  static String callback(
      WebAuthorization auth, StateCodec states, String code, String state, Session session) {
    // snippet:start oauth-callback
    // WeChat's redirect: https://example.com/wechat/signed-in?code=...&state=...
    String returnPath;
    try {
      returnPath = states.consume(state, code); // forged, expired or replayed: refused
    } catch (InvalidStateException e) {
      return "403: " + e.reason();
    }
    WebAccessToken token = auth.exchange(code); // the double redirect gets the same answer
    if (token.snapshotUser()) {
      return "Open the page in WeChat to sign in"; // a Moments snapshot page: not a sign-in
    }
    WeChatUser user = auth.userInfo(token); // Scope.USERINFO only; BASE knows the OpenID alone
    session.signIn(token.openId(), user.nickname());
    return "302: " + returnPath;
    // snippet:end
  }

  /** Whatever the application keeps its signed-in users in. */
  interface Session {
    void signIn(String openId, String nickname);
  }
}
