package io.github.wechatmp.callback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.callback.inbound.ImageMessage;
import io.github.wechatmp.callback.inbound.TextMessage;
import io.github.wechatmp.callback.inbound.WeChatEvent;
import io.github.wechatmp.callback.inbound.WeChatMessage;
import io.github.wechatmp.internal.xml.FlatXml;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class MessageRouterTest {
  private static WeChatMessage parse(String xml) {
    return Messages.from(FlatXml.scan(xml));
  }

  private static String text(Reply r) {
    return r.values[0];
  }

  @Test
  void rulesAreTriedInOrderAndTheFirstMatchWins() {
    MessageRouter router =
        MessageRouter.builder()
            .onText(Pattern.compile("is a"), m -> Reply.text("pattern"))
            .on(TextMessage.class, m -> Reply.text("type"))
            .onClick("EVENTKEY", e -> Reply.text("click " + e.key()))
            .on(WeChatEvent.class, e -> Reply.text("event"))
            .build();
    assertEquals("pattern", text(router.handle(parse(Samples.TEXT))));
    assertEquals("type", text(router.handle(parse(Samples.TEXT.replace("this is a test", "x")))));
    assertEquals("click EVENTKEY", text(router.handle(parse(Samples.CLICK))));
    assertEquals("event", text(router.handle(parse(Samples.CLICK.replace("EVENTKEY", "other")))));
  }

  @Test
  void theTextPatternIsSearchedForNotMatchedWhole() {
    MessageRouter router =
        MessageRouter.builder().onText(Pattern.compile("test$"), m -> Reply.text("found")).build();
    assertEquals("found", text(router.handle(parse(Samples.TEXT))));
  }

  @Test
  void withoutAMatchTheFallbackAnswersAndWithoutOneNothingDoes() {
    WeChatMessage image = parse(Samples.IMAGE);
    assertSame(Reply.none(), MessageRouter.builder().build().handle(image));
    assertEquals(
        "fallback",
        text(MessageRouter.builder().fallback(m -> Reply.text("fallback")).build().handle(image)));
    assertSame(
        Reply.none(),
        MessageRouter.builder().fallback(m -> null).build().handle(image),
        "a null answer is none");
    assertTrue(
        MessageRouter.builder().on(ImageMessage.class, m -> null).build().handle(image).isNone());
  }
}
