package io.github.wechatmp.callback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.WeChatApiException;
import io.github.wechatmp.WeChatTransportException;
import io.github.wechatmp.api.WeChatApi;
import io.github.wechatmp.callback.inbound.WeChatMessage;
import io.github.wechatmp.internal.xml.FlatXml;
import io.github.wechatmp.test.Fault;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.testing.StandIns;
import io.github.wechatmp.token.AccessTokenProvider;
import org.junit.jupiter.api.Test;

/** Late replies through cgi-bin/message/custom/send at the provider's base URL, and its errors. */
class CustomerServiceSenderTest {
  private static final WeChatMessage MESSAGE = Messages.from(FlatXml.scan(Samples.TEXT));

  @Test
  void weChatsRefusalIsAnApiExceptionWithItsErrcodeAndATransportFailureATransportException()
      throws Exception {
    String send = "cgi-bin/message/custom/send";
    try (WeChatStandIn wechat = WeChatStandIn.start()) {
      wechat
          .failNext(1, Fault.errcode(45015, "response out of time limit").at(send))
          .failNext(1, Fault.body(502, "text/plain", "bad gateway").at(send));
      try (AccessTokenProvider tokens =
          AccessTokenProvider.builder()
              .appId(StandIns.APP_ID)
              .appSecret(StandIns.SECRET)
              .apiBaseUrl(wechat.baseUrl())
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
        assertEquals(2, wechat.requests(send), "each send reached WeChat once");
      }
    }
  }

  @Test
  void aLateReplyGoesThroughTheAccountsWeChatApiWhichRetriesSystemBusy() {
    String send = "cgi-bin/message/custom/send";
    try (WeChatStandIn wechat = WeChatStandIn.start()) {
      wechat.failNext(1, Fault.systemBusy().at(send));
      try (AccessTokenProvider tokens =
          AccessTokenProvider.builder()
              .appId(StandIns.APP_ID)
              .appSecret(StandIns.SECRET)
              .apiBaseUrl(wechat.baseUrl())
              .build()) {
        WeChatApi api =
            WeChatApi.builder().tokens(tokens).busyBackoff(java.time.Duration.ofMillis(1)).build();
        new CustomerServiceSender(api).send(MESSAGE, Reply.text("late"));
        assertEquals(2, wechat.requests(send), "busy once, then sent");
        assertEquals(1, wechat.sentMessages().size());
        assertTrue(wechat.sentMessages().get(0).contains("\"content\":\"late\""));
      }
    }
  }
}
