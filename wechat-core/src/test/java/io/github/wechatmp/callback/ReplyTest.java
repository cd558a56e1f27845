package io.github.wechatmp.callback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.callback.inbound.WeChatMessage;
import io.github.wechatmp.internal.xml.FlatXml;
import io.github.wechatmp.message.WeChatXml;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every reply's XML, field by field, and the customer service JSON of late replies. */
class ReplyTest {
  private static final WeChatMessage TEXT = Messages.from(FlatXml.scan(Samples.TEXT));
  private static final WeChatMessage CLICK = Messages.from(FlatXml.scan(Samples.CLICK));

  private static Map<String, String> fields(String... pairs) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("ToUserName", "fromUser");
    m.put("FromUserName", "toUser");
    m.put("CreateTime", "1700000000");
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return m;
  }

  private static void check(Reply reply, WeChatMessage to, Map<String, String> expected) {
    String xml = reply.toXml(to, 1700000000L);
    assertTrue(xml.contains("<CreateTime>1700000000</CreateTime>"), "a number, not CDATA: " + xml);
    assertEquals(List.copyOf(expected.entrySet()), List.copyOf(WeChatXml.parse(xml).entrySet()));
  }

  @Test
  void aTextReplyIsAddressedBackWithTheClocksTime() {
    check(Reply.text("hello <b>&"), TEXT, fields("MsgType", "text", "Content", "hello <b>&"));
  }

  @Test
  void mediaRepliesNestTheirMediaId() {
    check(Reply.image("m1"), TEXT, fields("MsgType", "image", "Image.MediaId", "m1"));
    check(Reply.voice("m2"), TEXT, fields("MsgType", "voice", "Voice.MediaId", "m2"));
    check(
        Reply.video("m3", "T", "D"),
        TEXT,
        fields(
            "MsgType",
            "video",
            "Video.MediaId",
            "m3",
            "Video.Title",
            "T",
            "Video.Description",
            "D"));
    check(Reply.video("m3", null, null), TEXT, fields("MsgType", "video", "Video.MediaId", "m3"));
    check(
        Reply.music("T", "D", "http://m", "http://hq", "thumb"),
        TEXT,
        fields(
            "MsgType",
            "music",
            "Music.Title",
            "T",
            "Music.Description",
            "D",
            "Music.MusicUrl",
            "http://m",
            "Music.HQMusicUrl",
            "http://hq",
            "Music.ThumbMediaId",
            "thumb"));
  }

  @Test
  void aNewsReplyCountsItsArticles() {
    Reply one = Reply.news(new Reply.Article("T", "D", "http://p", "http://u"));
    check(
        one,
        TEXT,
        fields(
            "MsgType",
            "news",
            "ArticleCount",
            "1",
            "Articles.item.Title",
            "T",
            "Articles.item.Description",
            "D",
            "Articles.item.PicUrl",
            "http://p",
            "Articles.item.Url",
            "http://u"));
    Reply two =
        Reply.news(
            new Reply.Article("A", null, null, null), new Reply.Article("B", null, null, null));
    String xml = two.toXml(CLICK, 1L);
    assertEquals("2", WeChatXml.parse(xml).get("ArticleCount"));
    assertEquals(List.of("A", "B"), FlatXml.scan(xml).all("Articles.item.Title"));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> two.toXml(TEXT, 1L));
    assertTrue(e.getMessage().contains("1 article"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> Reply.news(Collections.nCopies(9, new Reply.Article("x", null, null, null))));
    assertThrows(IllegalArgumentException.class, () -> Reply.news(List.of()));
  }

  @Test
  void transferAndNone() {
    check(Reply.transferToCustomerService(), TEXT, fields("MsgType", "transfer_customer_service"));
    assertNull(Reply.none().toXml(TEXT, 1L));
    assertTrue(Reply.none().isNone());
  }

  @Test
  void aValueCannotBreakOutOfItsCdata() {
    String xml = Reply.text("a]]><MsgType>x</MsgType>").toXml(TEXT, 1L);
    assertEquals("a]]><MsgType>x</MsgType>", WeChatXml.parse(xml).get("Content"));
    assertEquals("text", WeChatXml.parse(xml).get("MsgType"));
  }

  @Test
  void badValuesAreRefusedWhenTheReplyIsMade() {
    assertThrows(NullPointerException.class, () -> Reply.text(null));
    assertThrows(IllegalArgumentException.class, () -> Reply.text("bell \u0007"));
    assertThrows(IllegalArgumentException.class, () -> Reply.image(" "));
    assertThrows(IllegalArgumentException.class, () -> Reply.text("half \uD800 a pair"));
  }

  @Test
  void lateRepliesBecomeWeChatsCustomerServiceJson() {
    assertEquals(
        "{\"touser\":\"u\",\"msgtype\":\"text\",\"text\":{\"content\":\"hi \\\"you\\\"\"}}",
        CustomerServiceSender.json("u", Reply.text("hi \"you\"")));
    assertEquals(
        "{\"touser\":\"u\",\"msgtype\":\"image\",\"image\":{\"media_id\":\"m\"}}",
        CustomerServiceSender.json("u", Reply.image("m")));
    assertEquals(
        "{\"touser\":\"u\",\"msgtype\":\"voice\",\"voice\":{\"media_id\":\"m\"}}",
        CustomerServiceSender.json("u", Reply.voice("m")));
    assertEquals(
        "{\"touser\":\"u\",\"msgtype\":\"video\",\"video\":{\"media_id\":\"m\",\"title\":\"T\"}}",
        CustomerServiceSender.json("u", Reply.video("m", "T", null)));
    assertEquals(
        "{\"touser\":\"u\",\"msgtype\":\"music\",\"music\":{\"title\":\"T\",\"musicurl\":\"a\","
            + "\"hqmusicurl\":\"b\",\"thumb_media_id\":\"t\"}}",
        CustomerServiceSender.json("u", Reply.music("T", null, "a", "b", "t")));
    assertEquals(
        "{\"touser\":\"u\",\"msgtype\":\"news\",\"news\":{\"articles\":[{\"title\":\"T\","
            + "\"description\":\"D\",\"url\":\"U\",\"picurl\":\"P\"}]}}",
        CustomerServiceSender.json("u", Reply.news(new Reply.Article("T", "D", "P", "U"))));
    assertThrows(
        IllegalArgumentException.class,
        () -> CustomerServiceSender.json("u", Reply.transferToCustomerService()));
  }
}
