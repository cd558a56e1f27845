package io.github.wechatmp.store.redis;

import io.github.wechatmp.test.WeChatStandIn;
import java.time.Clock;

/** The account the tests use, and the stand-in WeChat that knows it. */
final class TestApp {
  static final String APP_ID = "wx0123456789abcdef";

  /** The AppSecret; assertions look for it in logs and messages. */
  static final String SECRET = "s3cr3t-0123456789abcdef0123456789";

  private TestApp() {}

  /** A stand-in WeChat that accepts only this account, on the system clock. */
  static WeChatStandIn standIn() {
    return WeChatStandIn.builder().appId(APP_ID).appSecret(SECRET).start();
  }

  /** A stand-in WeChat that accepts only this account, on {@code clock}. */
  static WeChatStandIn standIn(Clock clock) {
    return WeChatStandIn.builder().appId(APP_ID).appSecret(SECRET).clock(clock).start();
  }

  /** The n-th token (1-based) the stand-in issued. */
  static String token(WeChatStandIn wechat, int n) {
    return wechat.issuedTokens().get(n - 1);
  }
}
