package io.github.wechatmp.jssdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.message.SharedVectors;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.testing.StandIns;
import io.github.wechatmp.token.AccessTokenProvider;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class JsSdkSignerTest {
  private static final String APP_ID = "wx0123456789abcdef";

  private static String vector(String name) {
    return SharedVectors.value("JS-SDK", name);
  }

  @Test
  void matchesTheJsSdkVector() {
    JsSdkSignature s =
        JsSdkSigner.sign(
            APP_ID,
            vector("jsapi_ticket"),
            vector("url"),
            Long.parseLong(vector("timestamp")),
            vector("noncestr"));
    assertEquals(vector("url.expected"), s.signature());
    assertEquals(vector("url"), s.url());
  }

  @Test
  void theFragmentIsDroppedAndNothingElseChanges() {
    String ticket = vector("jsapi_ticket");
    long ts = Long.parseLong(vector("timestamp"));
    JsSdkSignature s =
        JsSdkSigner.sign(APP_ID, ticket, vector("url") + "#/page?x=1#y", ts, vector("noncestr"));
    assertEquals(vector("url.expected"), s.signature());
    assertEquals(vector("url"), s.url());
    // the host has no trailing slash in the vector, and must not get one
    assertTrue(s.url().startsWith("http://mp.weixin.qq.com?"), s.url());
  }

  @Test
  void signsNowWithAFreshNonceThroughTheInjectedSources() {
    Clock fixed =
        Clock.fixed(Instant.ofEpochSecond(Long.parseLong(vector("timestamp"))), ZoneOffset.UTC);
    JsSdkSigner signer =
        new JsSdkSigner(APP_ID, () -> vector("jsapi_ticket"), fixed, () -> vector("noncestr"));
    JsSdkSignature s = signer.sign(vector("url"));
    assertEquals(vector("url.expected"), s.signature());
    assertEquals(APP_ID, s.appId());
    assertEquals(Long.parseLong(vector("timestamp")), s.timestamp());
    assertEquals(vector("noncestr"), s.nonceStr());
  }

  @Test
  void endToEndWithTheTicketProvider() throws Exception {
    try (WeChatStandIn wechat = WeChatStandIn.start();
        AccessTokenProvider tokens =
            AccessTokenProvider.builder()
                .appId(StandIns.APP_ID)
                .appSecret(StandIns.SECRET)
                .apiBaseUrl(wechat.baseUrl())
                .build();
        JsapiTicketProvider tickets =
            JsapiTicketProvider.builder()
                .accessTokenProvider(tokens)
                .apiBaseUrl(wechat.baseUrl())
                .build()) {
      JsSdkSigner signer = new JsSdkSigner(tickets);
      long before = System.currentTimeMillis() / 1000;
      JsSdkSignature a = signer.sign("https://example.com/shop/item?id=7&from=singlemessage#top");
      JsSdkSignature b = signer.sign("https://example.com/shop/item?id=7&from=singlemessage");
      long after = System.currentTimeMillis() / 1000;

      assertEquals(StandIns.APP_ID, a.appId());
      assertTrue(a.timestamp() >= before && a.timestamp() <= after);
      assertTrue(a.nonceStr().matches("[A-Za-z0-9]{16}"), a.nonceStr());
      assertNotEquals(a.nonceStr(), b.nonceStr());
      String string1 =
          "jsapi_ticket="
              + wechat.issuedTickets().get(0)
              + "&noncestr="
              + a.nonceStr()
              + "&timestamp="
              + a.timestamp()
              + "&url=https://example.com/shop/item?id=7&from=singlemessage";
      String expected =
          HexFormat.of()
              .formatHex(
                  MessageDigest.getInstance("SHA-1")
                      .digest(string1.getBytes(StandardCharsets.UTF_8)));
      assertEquals(expected, a.signature());
      assertEquals(1, wechat.requests("cgi-bin/ticket/getticket"));
      assertEquals(1, wechat.tokenRequests());
      assertTrue(!a.toString().contains(wechat.issuedTickets().get(0)));
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "/relative/page",
        "mp.weixin.qq.com/x",
        "ftp://mp.weixin.qq.com/",
        "http://",
        "https://",
        "https:///path",
        "javascript:alert(1)",
        "https://a.com/with space",
        "https://a.com/\n",
        "#only-fragment"
      })
  @NullSource
  void invalidUrlsAreRefusedBeforeAnyTicketIsFetched(String url) {
    JsSdkSigner signer =
        new JsSdkSigner(
            APP_ID,
            () -> {
              throw new AssertionError("the ticket must not be fetched for an invalid URL");
            },
            Clock.systemUTC(),
            () -> "n");
    assertThrows(IllegalArgumentException.class, () -> signer.sign(url));
  }

  @Test
  void upperCaseSchemeIsAccepted() {
    assertEquals("HTTPS://a.com/", JsSdkSigner.pageUrl("HTTPS://a.com/#x"));
    assertThrows(
        IllegalArgumentException.class,
        () -> JsSdkSigner.pageUrl("https://a.com/" + "x".repeat(5000)));
  }
}
