package io.github.wechatmp.open.testing;

/**
 * Plain-text messages as WeChat delivers them to an authorizer's message URL (before encryption).
 */
public final class TestMessages {
  private TestMessages() {}

  /**
   * A customer's text message to the merchant's account {@code gh_merchant0001}.
   *
   * @param content the text
   * @param msgId the message's id (WeChat's retries of one message share it)
   * @return the message's XML
   */
  public static String text(String content, long msgId) {
    return "<xml><ToUserName><![CDATA[gh_merchant0001]]></ToUserName>"
        + "<FromUserName><![CDATA[openid-of-a-customer]]></FromUserName>"
        + "<CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        + "<Content><![CDATA["
        + content
        + "]]></Content><MsgId>"
        + msgId
        + "</MsgId></xml>";
  }
}
