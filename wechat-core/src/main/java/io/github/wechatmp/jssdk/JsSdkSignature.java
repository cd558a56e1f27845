package io.github.wechatmp.jssdk;

/**
 * What a page passes to {@code wx.config}: {@code appId}, {@code timestamp}, {@code nonceStr} and
 * {@code signature}, made by {@link JsSdkSigner#sign(String)} for one page URL. None of it is
 * secret; it is meant to be sent to the browser. Immutable and thread-safe.
 */
public final class JsSdkSignature {
  private final String appId;
  private final long timestamp;
  private final String nonceStr;
  private final String signature;
  private final String url;

  JsSdkSignature(String appId, long timestamp, String nonceStr, String signature, String url) {
    this.appId = appId;
    this.timestamp = timestamp;
    this.nonceStr = nonceStr;
    this.signature = signature;
    this.url = url;
  }

  /**
   * Returns the AppID, for {@code wx.config}'s {@code appId}.
   *
   * @return the AppID
   */
  public String appId() {
    return appId;
  }

  /**
   * Returns the signing time in seconds since the epoch, for {@code timestamp}.
   *
   * @return the signing time, in seconds since the epoch
   */
  public long timestamp() {
    return timestamp;
  }

  /**
   * Returns the random string signed, for {@code nonceStr}.
   *
   * @return the nonce
   */
  public String nonceStr() {
    return nonceStr;
  }

  /**
   * Returns the lowercase hex SHA-1 signature, for {@code signature}.
   *
   * @return 40 lowercase hex digits
   */
  public String signature() {
    return signature;
  }

  /**
   * Returns the URL that was signed: the one given, without its {@code #fragment}.
   *
   * @return the signed URL
   */
  public String url() {
    return url;
  }

  @Override
  public String toString() {
    return "JsSdkSignature{appId="
        + appId
        + ", timestamp="
        + timestamp
        + ", nonceStr="
        + nonceStr
        + ", signature="
        + signature
        + ", url="
        + url
        + '}';
  }
}
