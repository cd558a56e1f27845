package io.github.wechatmp.callback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.WeChatApiException;
import io.github.wechatmp.WeChatTransportException;
import io.github.wechatmp.internal.xml.FlatXml;
import io.github.wechatmp.testing.FakeWeChat;
import io.github.wechatmp.token.AccessTokenProvider;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;

/** Late replies through cgi-bin/message/custom/send at the provider's base URL, and its errors. */
class CustomerServiceSenderTest {
  private static final WeChatMessage MESSAGE = Messages.from(FlatXml.scan(Samples.TEXT));

  @Test
  void weChatsRefusalIsAnApiExceptionWithItsErrcodeAndATransportFailureATransportException()
      throws Exception {
    AtomicInteger sends = new AtomicInteger();
    try (MockWebServer server = new MockWebServer()) {
      server.setDispatcher(
          new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
              if (request.getUrl().encodedPath().endsWith("/cgi-bin/token")) {
                return new MockResponse.Builder()
                    .body(FakeWeChat.tokenJson(FakeWeChat.tokenValue(1), 7200))
                    .build();
              }
              return sends.incrementAndGet() == 1
                  ? new MockResponse.Builder()
                      .body("{\"errcode\":45015,\"errmsg\":\"response out of time limit\"}")
                      .build()
                  : new MockResponse.Builder().code(502).body("bad gateway").build();
            }
          });
      server.start();
      try (AccessTokenProvider tokens =
          AccessTokenProvider.builder()
              .appId(FakeWeChat.APP_ID)
              .appSecret(FakeWeChat.SECRET)
              .apiBaseUrl(server.url("/").toString())
              .build()) {
        CustomerServiceSender sender = new CustomerServiceSender(tokens);
        WeChatApiException e =
            assertThrows(WeChatApiException.class, () -> sender.send(MESSAGE, Reply.text("late")));
        assertEquals(45015, e.errorCode());
        WeChatTransportException t =
            assertThrows(
                WeChatTransportException.class, () -> sender.send(MESSAGE, Reply.text("late")));
        assertTrue(t.getMessage().contains("502"), t.getMessage());
        assertThrows(
            IllegalArgumentException.class,
            () -> sender.send(MESSAGE, Reply.transferToCustomerService()));
        assertTrue(sender.toString().contains("cgi-bin/message/custom/send"));
      }
    }
  }
}
