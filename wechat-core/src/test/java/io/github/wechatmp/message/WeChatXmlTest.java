package io.github.wechatmp.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.test.Fault;
import io.github.wechatmp.test.WeChatStandIn;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WeChatXmlTest {
  private WeChatStandIn attacker;

  @BeforeEach
  void startAttacker() {
    // Anything a parser fetches lands here; every test asserts that nothing did.
    attacker = WeChatStandIn.start();
    attacker.failNext(
        Integer.MAX_VALUE,
        Fault.body(
            200,
            "application/xml-dtd",
            "<!ENTITY leaked \"LEAKED\"><!ENTITY % p \"<!ENTITY leaked2 'LEAKED'>\">%p;"));
  }

  @AfterEach
  void stopAttacker() {
    assertEquals(List.of(), attacker.received(), "the parser fetched an external resource");
    attacker.close();
  }

  private static MessageCryptoException malformed(String xml) {
    MessageCryptoException e =
        assertThrows(MessageCryptoException.class, () -> WeChatXml.parse(xml));
    assertEquals(MessageCryptoException.MALFORMED_XML, e.errorCode());
    return e;
  }

  @Test
  void readsAPushedTextMessage() {
    Map<String, String> m =
        WeChatXml.parse(
            "<xml>\n"
                + "  <ToUserName><![CDATA[gh_97417a04a28d]]></ToUserName>\n"
                + "  <FromUserName><![CDATA[o9AgO5Kd5ggOC]]></FromUserName>\n"
                + "  <CreateTime>1714112445</CreateTime>\n"
                + "  <MsgType><![CDATA[text]]></MsgType>\n"
                + "  <Content><![CDATA[a <b> & ]]]]><![CDATA[> c]]></Content>\n"
                + "  <MsgId>24000000000000000</MsgId>\n"
                + "</xml>");
    assertEquals(
        List.of("ToUserName", "FromUserName", "CreateTime", "MsgType", "Content", "MsgId"),
        List.copyOf(m.keySet()));
    assertEquals("gh_97417a04a28d", m.get("ToUserName"));
    assertEquals("1714112445", m.get("CreateTime"));
    assertEquals("a <b> & ]]> c", m.get("Content"));
    assertThrows(UnsupportedOperationException.class, () -> m.put("x", "y"));
  }

  @Test
  void predefinedAndCharacterEntitiesAreText() {
    assertEquals(
        "<&>\"' A", WeChatXml.parse("<xml><C>&lt;&amp;&gt;&quot;&apos; &#x41;</C></xml>").get("C"));
  }

  @Test
  void nestedEventFieldsAreKeyedByPathAndRepeatsKeepTheFirst() {
    Map<String, String> m =
        WeChatXml.parse(
            "<xml><Event>scancode_waitmsg</Event>"
                + "<ScanCodeInfo><ScanType>qrcode</ScanType><ScanResult>1</ScanResult></ScanCodeInfo>"
                + "<SendPicsInfo><Count>2</Count><PicList><item><PicMd5Sum>a</PicMd5Sum></item>"
                + "<item><PicMd5Sum>b</PicMd5Sum></item></PicList></SendPicsInfo><Event>second</Event></xml>");
    assertEquals("scancode_waitmsg", m.get("Event"));
    assertEquals("qrcode", m.get("ScanCodeInfo.ScanType"));
    assertEquals("1", m.get("ScanCodeInfo.ScanResult"));
    assertEquals("a", m.get("SendPicsInfo.PicList.item.PicMd5Sum"));
    assertEquals(null, m.get("ScanCodeInfo"));
  }

  @Test
  void externalEntityIsRefusedAndNeverFetched() {
    String url = attacker.baseUrl() + "xxe";
    malformed(
        "<?xml version=\"1.0\"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM \""
            + url
            + "\">]>"
            + "<xml><Content>&xxe;</Content></xml>");
    malformed(
        "<!DOCTYPE xml [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><xml><Content>&xxe;</Content></xml>");
  }

  @Test
  void externalDtdAndParameterEntitiesAreRefusedAndNeverFetched() {
    String url = attacker.baseUrl() + "evil.dtd";
    malformed(
        "<?xml version=\"1.0\"?><!DOCTYPE xml SYSTEM \""
            + url
            + "\"><xml><Content>&leaked;</Content></xml>");
    malformed(
        "<!DOCTYPE xml [<!ENTITY % remote SYSTEM \""
            + url
            + "\">%remote;]><xml><Content>x</Content></xml>");
    malformed("<!DOCTYPE xml PUBLIC \"-//X//Y\" \"" + url + "\"><xml><Content>x</Content></xml>");
  }

  @Test
  void anyDoctypeIsRefusedEvenAHarmlessOne() {
    MessageCryptoException e = malformed("<!DOCTYPE xml><xml><Content>x</Content></xml>");
    assertTrue(e.getMessage().contains("DOCTYPE"), e.getMessage());
  }

  @Test
  void entityExpansionBombIsRefusedQuickly() {
    StringBuilder dtd = new StringBuilder("<!DOCTYPE lolz [<!ENTITY lol \"lol\">");
    String prev = "lol";
    for (int i = 1; i <= 9; i++) {
      dtd.append("<!ENTITY lol")
          .append(i)
          .append(" \"")
          .append(("&" + prev + ";").repeat(10))
          .append("\">");
      prev = "lol" + i;
    }
    dtd.append("]><xml><Content>&").append(prev).append(";</Content></xml>");
    long t0 = System.nanoTime();
    malformed(dtd.toString());
    assertTrue(System.nanoTime() - t0 < 5_000_000_000L);
  }

  @Test
  void undeclaredEntityIsRefused() {
    malformed("<xml><Content>&nbsp;</Content></xml>");
  }

  @Test
  void emptyOversizedMalformedOrTooDeep() {
    malformed(null);
    malformed("");
    malformed("  ");
    malformed("not xml");
    malformed("<xml><a></xml>");
    malformed("<xml></xml><xml></xml>");
    malformed("<xml><C>" + "x".repeat(WeChatXml.MAX_CHARS) + "</C></xml>");
    malformed("<a>".repeat(WeChatXml.MAX_DEPTH + 1) + "</a>".repeat(WeChatXml.MAX_DEPTH + 1));
    assertEquals(
        "x",
        WeChatXml.parse(
                "<a>".repeat(WeChatXml.MAX_DEPTH) + "x" + "</a>".repeat(WeChatXml.MAX_DEPTH))
            .values()
            .iterator()
            .next());
  }

  @Test
  void writeBuildsAReplyThatReadsBackAndCannotBeInjected() {
    Map<String, String> reply = new java.util.LinkedHashMap<>();
    reply.put("ToUserName", "o9AgO5Kd5ggOC");
    reply.put("FromUserName", "gh_97417a04a28d");
    reply.put("CreateTime", "1714112445");
    reply.put("MsgType", "text");
    reply.put("Content", "a ]]></Content><MsgType>news</MsgType><![CDATA[ 😀 & <b>\n");
    String xml = WeChatXml.write(reply);
    assertTrue(xml.startsWith("<xml><ToUserName><![CDATA[o9AgO5Kd5ggOC]]></ToUserName>"), xml);
    assertEquals(reply, WeChatXml.parse(xml));
    assertEquals("<xml></xml>", WeChatXml.write(Map.of()));
  }

  @Test
  void writeRefusesWhatXmlCannotCarry() {
    for (Map<String, String> bad :
        List.<Map<String, String>>of(
            Map.of("Content", "bell \u0007"),
            Map.of("Content", "half \ud83d"),
            Map.of("Content", "\ude00"),
            Map.of("Content", "\uffff"),
            Map.of("1Name", "x"),
            Map.of("a b", "x"),
            Map.of("a>", "x"),
            Map.of("", "x"))) {
      MessageCryptoException e =
          assertThrows(MessageCryptoException.class, () -> WeChatXml.write(bad), bad.toString());
      assertEquals(MessageCryptoException.REPLY_XML_FAILURE, e.errorCode());
    }
    Map<String, String> nullValue = new java.util.HashMap<>();
    nullValue.put("Content", null);
    assertEquals(
        MessageCryptoException.REPLY_XML_FAILURE,
        assertThrows(MessageCryptoException.class, () -> WeChatXml.write(nullValue)).errorCode());
    assertEquals(
        MessageCryptoException.REPLY_XML_FAILURE,
        assertThrows(MessageCryptoException.class, () -> WeChatXml.write(null)).errorCode());
    assertEquals(
        MessageCryptoException.REPLY_XML_FAILURE,
        assertThrows(
                MessageCryptoException.class,
                () -> WeChatXml.write(Map.of("C", "x".repeat(WeChatXml.MAX_CHARS))))
            .errorCode());
  }
}
