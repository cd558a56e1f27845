package io.github.wechatmp.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

class WeChatStandInExtensionTest {
  static WeChatStandIn first;

  @Nested
  @ExtendWith(WeChatStandInExtension.class)
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  class Injected {
    @Test
    @Order(1)
    void aTestGetsARunningStandIn(WeChatStandIn wechat) throws Exception {
      first = wechat;
      assertTrue(
          Http.classicToken(wechat, "wxany", "any").length() > 100, "it issues tokens at once");
    }

    @Test
    @Order(2)
    void theTestsOfAClassShareIt(WeChatStandIn wechat) {
      assertSame(first, wechat);
      assertEquals(1, wechat.tokenRequests());
    }
  }
}
