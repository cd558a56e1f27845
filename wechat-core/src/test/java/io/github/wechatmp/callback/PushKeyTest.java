package io.github.wechatmp.callback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Two different pushes of one type from one sender in the same second each reach the handler once,
 * however many times WeChat retries each: the deduplication key tells them apart by the field that
 * differs (issue 21 item 1), for every event type.
 */
class PushKeyTest {
  private final Handlers handler = new Handlers();

  /** Every event type, with one field two real pushes in one second would differ in. */
  static Stream<Arguments> pairs() {
    String card =
        "<xml><ToUserName><![CDATA[toUser]]></ToUserName>"
            + "<FromUserName><![CDATA[fromUser]]></FromUserName>"
            + "<CreateTime>1348831860</CreateTime><MsgType><![CDATA[event]]></MsgType>"
            + "<Event><![CDATA[user_get_card]]></Event>"
            + "<CardId><![CDATA[pFS7Fjg8kV1IdDz01r4SQwMkuCKc]]></CardId>"
            + "<UserCardCode><![CDATA[12312312]]></UserCardCode></xml>";
    return Stream.of(
        pair("TEMPLATESENDJOBFINISH", Samples.TEMPLATE_SEND_JOB_FINISH, "200163836", "200163840"),
        pair("MASSSENDJOBFINISH", Samples.MASS_SEND_JOB_FINISH, "1000001625", "1000001629"),
        pair("PUBLISHJOBFINISH", Samples.PUBLISH_JOB_FINISH, "2247503051", "2247503052"),
        pair("LOCATION", Samples.LOCATION_EVENT, "23.137466", "23.137502"),
        pair("SCAN", Samples.SCAN, "[TICKET]", "[TICKET2]"),
        pair("subscribe from a QR code", Samples.SUBSCRIBE_QR, "[TICKET]", "[TICKET2]"),
        pair("VIEW", Samples.VIEW, "MENUID", "MENUID2"),
        pair("view_miniprogram", Samples.VIEW_MINIPROGRAM, "MENUID", "MENUID2"),
        pair(
            "scancode_push",
            Samples.SCANCODE_PUSH,
            "ScanResult><![CDATA[1]",
            "ScanResult><![CDATA[7]"),
        pair(
            "scancode_waitmsg",
            Samples.SCANCODE_WAITMSG,
            "ScanResult><![CDATA[2]",
            "ScanResult><![CDATA[7]"),
        pair(
            "pic_photo_or_album, second picture",
            Samples.PIC_PHOTO_OR_ALBUM,
            "1b5f7c23b5bf75682a53e7b6d163e185",
            "0b5f7c23b5bf75682a53e7b6d163e185"),
        pair(
            "location_select",
            Samples.LOCATION_SELECT,
            "Location_X><![CDATA[23]",
            "Location_X><![CDATA[24]"),
        pair(
            "subscribe_msg_popup_event, second template",
            Samples.SUBSCRIBE_MSG_POPUP,
            "reject",
            "accept"),
        pair("subscribe_msg_change_event", Samples.SUBSCRIBE_MSG_CHANGE, "reject", "accept"),
        pair(
            "subscribe_msg_sent_event",
            Samples.SUBSCRIBE_MSG_SENT,
            "1700827132819554304",
            "1700827132819554305"),
        pair("an event this SDK does not know", card, "12312312", "12312313"));
  }

  private static Arguments pair(String name, String sample, String field, String other) {
    if (!sample.contains(field)) {
      throw new IllegalArgumentException(name + ": the sample has no " + field);
    }
    return Arguments.of(name, sample, sample.replace(field, other));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("pairs")
  void twoPushesInTheSameSecondBothReachTheHandlerAndTheirRetriesNeither(
      String name, String first, String second) {
    WeChatCallback cb = WeChatCallback.builder().token(Pushes.TOKEN).handler(handler).build();
    handler.answer = m -> null;
    for (String push : List.of(first, first, second, second, first)) {
      CallbackResponse r = cb.handle("POST", Pushes.plaintext(push).query(), push);
      assertEquals(200, r.status(), r.body());
      assertEquals("success", r.body());
    }
    assertEquals(2, handler.calls.get(), name);
    assertNotEquals(handler.received.get(0), handler.received.get(1));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("pairs")
  void aRetryHasTheKeyOfItsFirstDelivery(String name, String first, String second) {
    assertEquals(key(first), key(first), name);
    assertNotEquals(key(first), key(second), name);
  }

  private static String key(String xml) {
    io.github.wechatmp.internal.xml.FlatXml.Leaves leaves =
        io.github.wechatmp.internal.xml.FlatXml.scan(xml);
    return Messages.dedupKey(Messages.from(leaves), leaves);
  }
}
