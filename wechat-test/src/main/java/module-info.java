/**
 * A local stand-in for WeChat that users' tests run against: {@link
 * io.github.wechatmp.test.WeChatStandIn} plays WeChat's token and API endpoints with WeChat's rules
 * and error codes, and {@link io.github.wechatmp.test.CallbackClient} calls a user's callback URL
 * as WeChat does. Depends on the JDK alone, and for {@link
 * io.github.wechatmp.test.WeChatStandInExtension} only on JUnit Jupiter (an optional dependency).
 */
module io.github.wechatmp.test {
  requires jdk.httpserver;
  requires java.net.http;
  // Only WeChatStandInExtension uses JUnit; it is optional at run time.
  requires static transitive org.junit.jupiter.api; // in the extension's API

  exports io.github.wechatmp.test;
}
