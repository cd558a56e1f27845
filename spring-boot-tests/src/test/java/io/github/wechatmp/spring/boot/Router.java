package io.github.wechatmp.spring.boot;

import io.github.wechatmp.callback.MessageRouter;
import io.github.wechatmp.callback.Reply;
import io.github.wechatmp.callback.inbound.SubscribeEvent;
import io.github.wechatmp.callback.inbound.TextMessage;

/** The application's router in the tests. */
final class Router {
  private Router() {}

  static MessageRouter router() {
    return MessageRouter.builder()
        .on(TextMessage.class, m -> Reply.text("echo: " + m.content()))
        .on(SubscribeEvent.class, e -> Reply.text("welcome"))
        .build();
  }

  static String text(String toUser, String content, long msgId) {
    return "<xml><ToUserName><![CDATA["
        + toUser
        + "]]></ToUserName><FromUserName><![CDATA[oUser1]]></FromUserName><CreateTime>"
        + (System.currentTimeMillis() / 1000)
        + "</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA["
        + content
        + "]]></Content><MsgId>"
        + msgId
        + "</MsgId></xml>";
  }
}
