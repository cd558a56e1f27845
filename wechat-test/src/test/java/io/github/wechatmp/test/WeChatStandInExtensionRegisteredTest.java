package io.github.wechatmp.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class WeChatStandInExtensionRegisteredTest {
  @RegisterExtension
  static final WeChatStandInExtension EXT =
      new WeChatStandInExtension(WeChatStandIn.builder().appId("wxone").appSecret("secret"));

  @Test
  void aConfiguredStandInRefusesOtherAccounts() throws Exception {
    WeChatStandIn wechat = EXT.standIn();
    assertEquals(
        "40013",
        Http.errcode(
            Http.get(
                wechat.baseUrl()
                    + "cgi-bin/token?grant_type=client_credential&appid=wxtwo&secret=secret")));
  }

  @Test
  void outsideAClassRunThereIsNoStandIn() {
    assertThrows(IllegalStateException.class, () -> new WeChatStandInExtension().standIn());
  }
}
