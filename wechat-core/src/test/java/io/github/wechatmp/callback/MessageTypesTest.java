package io.github.wechatmp.callback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.callback.inbound.ClickEvent;
import io.github.wechatmp.callback.inbound.ImageMessage;
import io.github.wechatmp.callback.inbound.LinkMessage;
import io.github.wechatmp.callback.inbound.LocationEvent;
import io.github.wechatmp.callback.inbound.LocationMessage;
import io.github.wechatmp.callback.inbound.LocationSelectEvent;
import io.github.wechatmp.callback.inbound.MassSendJobFinishEvent;
import io.github.wechatmp.callback.inbound.PicEvent;
import io.github.wechatmp.callback.inbound.PublishJobFinishEvent;
import io.github.wechatmp.callback.inbound.ScanCodeEvent;
import io.github.wechatmp.callback.inbound.ScanEvent;
import io.github.wechatmp.callback.inbound.ShortVideoMessage;
import io.github.wechatmp.callback.inbound.SubscribeEvent;
import io.github.wechatmp.callback.inbound.SubscribeMessageEvent;
import io.github.wechatmp.callback.inbound.TemplateSendJobFinishEvent;
import io.github.wechatmp.callback.inbound.TextMessage;
import io.github.wechatmp.callback.inbound.UnknownEvent;
import io.github.wechatmp.callback.inbound.UnknownMessage;
import io.github.wechatmp.callback.inbound.UnsubscribeEvent;
import io.github.wechatmp.callback.inbound.VideoMessage;
import io.github.wechatmp.callback.inbound.ViewEvent;
import io.github.wechatmp.callback.inbound.ViewMiniprogramEvent;
import io.github.wechatmp.callback.inbound.VoiceMessage;
import io.github.wechatmp.callback.inbound.WeChatMessage;
import io.github.wechatmp.internal.xml.FlatXml;
import io.github.wechatmp.message.MessageCryptoException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every message and event type, parsed from WeChat's documented examples. */
class MessageTypesTest {
  private static final Instant CREATED = Instant.ofEpochSecond(1348831860);

  private static <T extends WeChatMessage> T parse(String xml, Class<T> type) {
    WeChatMessage m = Messages.from(FlatXml.scan(xml));
    assertEquals("toUser", m.toUser());
    assertEquals("fromUser", m.fromUser());
    assertEquals(CREATED, m.createTime());
    return assertInstanceOf(type, m);
  }

  @Test
  void aTextMessageHasItsContentAndMsgId() {
    TextMessage m = parse(Samples.TEXT, TextMessage.class);
    assertEquals("this is a test", m.content());
    assertEquals("1234567890123456", m.msgId());
    assertEquals("xxxx", m.fields().get("MsgDataId"));
    assertFalse(m.toString().contains("this is a test"), m.toString());
    assertTrue(m.toString().contains("1234567890123456"), m.toString());
  }

  @Test
  void mediaMessagesHaveTheirMediaIds() {
    ImageMessage image = parse(Samples.IMAGE, ImageMessage.class);
    assertEquals("this is a url", image.picUrl());
    assertEquals("media_id", image.mediaId());
    assertEquals("1234567890123456", image.msgId());
    VoiceMessage voice = parse(Samples.VOICE, VoiceMessage.class);
    assertEquals("media_id", voice.mediaId());
    assertEquals("Format", voice.format());
    assertEquals("腾讯微信团队", voice.recognition());
    VideoMessage video = parse(Samples.VIDEO, VideoMessage.class);
    assertEquals("thumb_media_id", video.thumbMediaId());
    ShortVideoMessage shortVideo = parse(Samples.SHORT_VIDEO, ShortVideoMessage.class);
    assertEquals("media_id", shortVideo.mediaId());
    assertEquals("thumb_media_id", shortVideo.thumbMediaId());
  }

  @Test
  void locationAndLinkMessagesHaveTheirValues() {
    LocationMessage loc = parse(Samples.LOCATION, LocationMessage.class);
    assertEquals(23.134521, loc.latitude());
    assertEquals(113.358803, loc.longitude());
    assertEquals(20, loc.scale());
    assertEquals("位置信息", loc.label());
    LinkMessage link = parse(Samples.LINK, LinkMessage.class);
    assertEquals("公众平台官网链接", link.title());
    assertEquals("公众平台官网链接", link.description());
    assertEquals("url", link.url());
    assertEquals("1234567890123456", link.msgId());
  }

  @Test
  void aSubscribeCarriesTheQrSceneOnlyWhenItCameFromAQrCode() {
    SubscribeEvent plain = parse(Samples.SUBSCRIBE, SubscribeEvent.class);
    assertNull(plain.scene());
    assertNull(plain.ticket());
    SubscribeEvent qr = parse(Samples.SUBSCRIBE_QR, SubscribeEvent.class);
    assertEquals("123123", qr.scene());
    assertEquals("TICKET", qr.ticket());
    assertEquals("qrscene_123123", qr.eventKey());
    assertEquals("subscribe", qr.event());
    parse(Samples.UNSUBSCRIBE, UnsubscribeEvent.class);
    ScanEvent scan = parse(Samples.SCAN, ScanEvent.class);
    assertEquals("SCENE_VALUE", scan.scene());
    assertEquals("TICKET", scan.ticket());
  }

  @Test
  void locationClickAndViewEventsHaveTheirValues() {
    LocationEvent loc = parse(Samples.LOCATION_EVENT, LocationEvent.class);
    assertEquals(23.137466, loc.latitude());
    assertEquals(113.352425, loc.longitude());
    assertEquals(119.385040, loc.precision());
    assertEquals("EVENTKEY", parse(Samples.CLICK, ClickEvent.class).key());
    ViewEvent view = parse(Samples.VIEW, ViewEvent.class);
    assertEquals("www.qq.com", view.url());
    assertEquals("MENUID", view.menuId());
    ViewMiniprogramEvent mini = parse(Samples.VIEW_MINIPROGRAM, ViewMiniprogramEvent.class);
    assertEquals("pages/index/index", mini.pagePath());
    assertEquals("MENUID", mini.menuId());
  }

  @Test
  void theMenusScanPicAndLocationEventsHaveTheirNestedValues() {
    ScanCodeEvent push = parse(Samples.SCANCODE_PUSH, ScanCodeEvent.class);
    assertEquals("scancode_push", push.event());
    assertEquals("6", push.key());
    assertEquals("qrcode", push.scanType());
    assertEquals("1", push.scanResult());
    ScanCodeEvent wait = parse(Samples.SCANCODE_WAITMSG, ScanCodeEvent.class);
    assertEquals("scancode_waitmsg", wait.event());
    assertEquals("2", wait.scanResult());
    PicEvent pics = parse(Samples.PIC_PHOTO_OR_ALBUM, PicEvent.class);
    assertEquals("pic_photo_or_album", pics.event());
    assertEquals(2, pics.count());
    assertEquals(
        List.of("5a75aaca956d97be686719218f275c6b", "1b5f7c23b5bf75682a53e7b6d163e185"),
        pics.picMd5Sums());
    for (String kind : List.of("pic_sysphoto", "pic_weixin")) {
      assertEquals(
          kind,
          parse(Samples.PIC_PHOTO_OR_ALBUM.replace("pic_photo_or_album", kind), PicEvent.class)
              .event());
    }
    LocationSelectEvent sel = parse(Samples.LOCATION_SELECT, LocationSelectEvent.class);
    assertEquals("6", sel.key());
    assertEquals(23.0, sel.latitude());
    assertEquals(113.0, sel.longitude());
    assertEquals(15, sel.scale());
    assertEquals(" 广州市海珠区客村艺苑路 106号", sel.label());
    assertEquals("", sel.poiName());
  }

  @Test
  void jobFinishEventsHaveTheirOutcome() {
    TemplateSendJobFinishEvent t =
        parse(Samples.TEMPLATE_SEND_JOB_FINISH, TemplateSendJobFinishEvent.class);
    assertEquals("200163836", t.msgId());
    assertEquals("success", t.status());
    MassSendJobFinishEvent mass = parse(Samples.MASS_SEND_JOB_FINISH, MassSendJobFinishEvent.class);
    assertEquals("1000001625", mass.msgId());
    assertEquals("err(30003)", mass.status());
    assertEquals(100, mass.totalCount());
    assertEquals(80, mass.filterCount());
    assertEquals(75, mass.sentCount());
    assertEquals(5, mass.errorCount());
    assertEquals("1", mass.fields().get("CopyrightCheckResult.CheckState"));
    PublishJobFinishEvent pub = parse(Samples.PUBLISH_JOB_FINISH, PublishJobFinishEvent.class);
    assertEquals("2247503051", pub.publishId());
    assertEquals(0, pub.publishStatus());
    assertEquals("b5O2OUs25HBxRceL7hfReg-U9QGeq9zQjiDvyWP4Hq4", pub.articleId());
    assertEquals(List.of("ARTICLE_URL"), pub.articleUrls());
  }

  @Test
  void subscribeMessageEventsHaveOneSubscriptionPerListElement() {
    SubscribeMessageEvent popup = parse(Samples.SUBSCRIBE_MSG_POPUP, SubscribeMessageEvent.class);
    assertEquals(SubscribeMessageEvent.POPUP, popup.event());
    assertEquals(
        List.of(
            new SubscribeMessageEvent.Subscription(
                "VRR0UEO9VJOLs0MHlU0OilqX6MVFDwH3_3gz3Oc0NIc", "accept", "2", null, null, null),
            new SubscribeMessageEvent.Subscription(
                "9nLIlbOQZC5Y89AZteFEux3WCXRRRG5Wfzkpssu4bLI", "reject", "2", null, null, null)),
        popup.subscriptions());
    SubscribeMessageEvent change = parse(Samples.SUBSCRIBE_MSG_CHANGE, SubscribeMessageEvent.class);
    assertEquals(SubscribeMessageEvent.CHANGE, change.event());
    assertEquals("reject", change.subscriptions().get(0).status());
    SubscribeMessageEvent sent = parse(Samples.SUBSCRIBE_MSG_SENT, SubscribeMessageEvent.class);
    assertEquals(SubscribeMessageEvent.SENT, sent.event());
    assertEquals(
        List.of(
            new SubscribeMessageEvent.Subscription(
                "VRR0UEO9VJOLs0MHlU0OilqX6MVFDwH3_3gz3Oc0NIc",
                null,
                null,
                "1700827132819554304",
                "0",
                "success")),
        sent.subscriptions());
  }

  @Test
  void anythingElseIsUnknownNeverAnError() {
    UnknownMessage m =
        parse(Samples.TEXT.replace("[text]", "[miniprogrampage]"), UnknownMessage.class);
    assertEquals("miniprogrampage", m.msgType());
    assertEquals("this is a test", m.fields().get("Content"));
    UnknownEvent e =
        parse(Samples.CLICK.replace("[CLICK]", "[card_pass_check]"), UnknownEvent.class);
    assertEquals("card_pass_check", e.event());
    assertEquals("EVENTKEY", e.eventKey());
  }

  @Test
  void aMessageWithoutItsAddressesOrWithABadNumberIsMalformed() {
    for (String xml :
        List.of(
            Samples.TEXT.replace("<ToUserName><![CDATA[toUser]]></ToUserName>", ""),
            Samples.TEXT.replace("<MsgType><![CDATA[text]]></MsgType>", ""),
            Samples.TEXT.replace("1348831860", "yesterday"),
            Samples.LOCATION.replace("23.134521", "north"),
            Samples.CLICK.replace("<Event><![CDATA[CLICK]]></Event>", ""))) {
      MessageCryptoException e =
          assertThrows(MessageCryptoException.class, () -> Messages.from(FlatXml.scan(xml)));
      assertEquals(MessageCryptoException.MALFORMED_XML, e.errorCode());
    }
  }

  @Test
  void theFieldsOfARecordAreFrozen() {
    TextMessage m =
        new TextMessage(
            "a", "b", CREATED, "hi", "1", new java.util.HashMap<>(java.util.Map.of("k", "v")));
    assertThrows(UnsupportedOperationException.class, () -> m.fields().put("x", "y"));
  }
}
