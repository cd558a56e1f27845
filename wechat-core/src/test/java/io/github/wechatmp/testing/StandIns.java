package io.github.wechatmp.testing;

import io.github.wechatmp.test.WeChatStandIn;
import java.time.Clock;
import java.util.List;

/** The account core's tests use against {@link WeChatStandIn}, and small helpers around it. */
public final class StandIns {
  /** The AppSecret tests use; assertions look for it in logs and messages. */
  public static final String SECRET = "s3cr3t-0123456789abcdef0123456789";

  public static final String APP_ID = "wx0123456789abcdef";

  private StandIns() {}

  /** A stand-in that accepts any AppID and AppSecret, on {@code clock}. */
  public static WeChatStandIn start(Clock clock) {
    return WeChatStandIn.builder().clock(clock).start();
  }

  /**
   * The n-th access token the stand-in issued (1-based), or null if it has not issued that many yet
   * (so that a condition polled before the fetch simply reads false).
   */
  public static String token(WeChatStandIn wechat, int n) {
    List<String> issued = wechat.issuedTokens();
    return issued.size() < n ? null : issued.get(n - 1);
  }

  /** The n-th ticket the stand-in issued (1-based), or null if not yet issued. */
  public static String ticket(WeChatStandIn wechat, int n) {
    List<String> issued = wechat.issuedTickets();
    return issued.size() < n ? null : issued.get(n - 1);
  }

  /** A token endpoint's answer, for verbatim scripted answers. */
  public static String tokenJson(String token, long expiresIn) {
    return "{\"access_token\":\"" + token + "\",\"expires_in\":" + expiresIn + "}";
  }

  /** WeChat's error body. */
  public static String error(int code, String msg) {
    return "{\"errcode\":" + code + ",\"errmsg\":\"" + msg + "\"}";
  }
}
