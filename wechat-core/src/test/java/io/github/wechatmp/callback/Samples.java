package io.github.wechatmp.callback;

/**
 * WeChat's documented examples of every pushed message and event (its message-receiving and
 * event-push pages), with the sample values WeChat prints.
 */
final class Samples {
  private Samples() {}

  private static String head(String type) {
    return "<xml><ToUserName><![CDATA[toUser]]></ToUserName>\n"
        + "<FromUserName><![CDATA[fromUser]]></FromUserName>\n"
        + "<CreateTime>1348831860</CreateTime>\n"
        + "<MsgType><![CDATA["
        + type
        + "]]></MsgType>\n";
  }

  private static String event(String event) {
    return head("event") + "<Event><![CDATA[" + event + "]]></Event>\n";
  }

  static final String TEXT =
      head("text")
          + "<Content><![CDATA[this is a test]]></Content>\n"
          + "<MsgId>1234567890123456</MsgId>\n"
          + "<MsgDataId>xxxx</MsgDataId>\n<Idx>xxxx</Idx>\n</xml>";
  static final String IMAGE =
      head("image")
          + "<PicUrl><![CDATA[this is a url]]></PicUrl>\n"
          + "<MediaId><![CDATA[media_id]]></MediaId>\n"
          + "<MsgId>1234567890123456</MsgId>\n</xml>";
  static final String VOICE =
      head("voice")
          + "<MediaId><![CDATA[media_id]]></MediaId>\n"
          + "<Format><![CDATA[Format]]></Format>\n"
          + "<Recognition><![CDATA[腾讯微信团队]]></Recognition>\n"
          + "<MsgId>1234567890123456</MsgId>\n</xml>";
  static final String VIDEO =
      head("video")
          + "<MediaId><![CDATA[media_id]]></MediaId>\n"
          + "<ThumbMediaId><![CDATA[thumb_media_id]]></ThumbMediaId>\n"
          + "<MsgId>1234567890123456</MsgId>\n</xml>";
  static final String SHORT_VIDEO =
      head("shortvideo")
          + "<MediaId><![CDATA[media_id]]></MediaId>\n"
          + "<ThumbMediaId><![CDATA[thumb_media_id]]></ThumbMediaId>\n"
          + "<MsgId>1234567890123456</MsgId>\n</xml>";
  static final String LOCATION =
      head("location")
          + "<Location_X>23.134521</Location_X>\n<Location_Y>113.358803</Location_Y>\n"
          + "<Scale>20</Scale>\n<Label><![CDATA[位置信息]]></Label>\n"
          + "<MsgId>1234567890123456</MsgId>\n</xml>";
  static final String LINK =
      head("link")
          + "<Title><![CDATA[公众平台官网链接]]></Title>\n"
          + "<Description><![CDATA[公众平台官网链接]]></Description>\n"
          + "<Url><![CDATA[url]]></Url>\n<MsgId>1234567890123456</MsgId>\n</xml>";

  static final String SUBSCRIBE = event("subscribe") + "</xml>";
  static final String SUBSCRIBE_QR =
      event("subscribe")
          + "<EventKey><![CDATA[qrscene_123123]]></EventKey>\n"
          + "<Ticket><![CDATA[TICKET]]></Ticket>\n</xml>";
  static final String UNSUBSCRIBE = event("unsubscribe") + "</xml>";
  static final String SCAN =
      event("SCAN")
          + "<EventKey><![CDATA[SCENE_VALUE]]></EventKey>\n"
          + "<Ticket><![CDATA[TICKET]]></Ticket>\n</xml>";
  static final String LOCATION_EVENT =
      event("LOCATION")
          + "<Latitude>23.137466</Latitude>\n<Longitude>113.352425</Longitude>\n"
          + "<Precision>119.385040</Precision>\n</xml>";
  static final String CLICK = event("CLICK") + "<EventKey><![CDATA[EVENTKEY]]></EventKey>\n</xml>";
  static final String VIEW =
      event("VIEW")
          + "<EventKey><![CDATA[www.qq.com]]></EventKey>\n"
          + "<MenuId>MENUID</MenuId>\n</xml>";
  static final String SCANCODE_PUSH =
      event("scancode_push")
          + "<EventKey><![CDATA[6]]></EventKey>\n"
          + "<ScanCodeInfo><ScanType><![CDATA[qrcode]]></ScanType>\n"
          + "<ScanResult><![CDATA[1]]></ScanResult>\n</ScanCodeInfo>\n</xml>";
  static final String SCANCODE_WAITMSG =
      event("scancode_waitmsg")
          + "<EventKey><![CDATA[6]]></EventKey>\n"
          + "<ScanCodeInfo><ScanType><![CDATA[qrcode]]></ScanType>\n"
          + "<ScanResult><![CDATA[2]]></ScanResult>\n</ScanCodeInfo>\n</xml>";
  static final String PIC_PHOTO_OR_ALBUM =
      event("pic_photo_or_album")
          + "<EventKey><![CDATA[6]]></EventKey>\n"
          + "<SendPicsInfo><Count>2</Count>\n<PicList>"
          + "<item><PicMd5Sum><![CDATA[5a75aaca956d97be686719218f275c6b]]></PicMd5Sum>\n</item>\n"
          + "<item><PicMd5Sum><![CDATA[1b5f7c23b5bf75682a53e7b6d163e185]]></PicMd5Sum>\n</item>\n"
          + "</PicList>\n</SendPicsInfo>\n</xml>";
  static final String LOCATION_SELECT =
      event("location_select")
          + "<EventKey><![CDATA[6]]></EventKey>\n"
          + "<SendLocationInfo><Location_X><![CDATA[23]]></Location_X>\n"
          + "<Location_Y><![CDATA[113]]></Location_Y>\n<Scale><![CDATA[15]]></Scale>\n"
          + "<Label><![CDATA[ 广州市海珠区客村艺苑路 106号]]></Label>\n"
          + "<Poiname><![CDATA[]]></Poiname>\n</SendLocationInfo>\n</xml>";
  static final String VIEW_MINIPROGRAM =
      event("view_miniprogram")
          + "<EventKey><![CDATA[pages/index/index]]></EventKey>\n"
          + "<MenuId>MENUID</MenuId>\n</xml>";
  static final String TEMPLATE_SEND_JOB_FINISH =
      event("TEMPLATESENDJOBFINISH")
          + "<MsgID>200163836</MsgID>\n<Status><![CDATA[success]]></Status>\n</xml>";
  static final String MASS_SEND_JOB_FINISH =
      event("MASSSENDJOBFINISH")
          + "<MsgID>1000001625</MsgID>\n<Status><![CDATA[err(30003)]]></Status>\n"
          + "<TotalCount>100</TotalCount>\n<FilterCount>80</FilterCount>\n"
          + "<SentCount>75</SentCount>\n<ErrorCount>5</ErrorCount>\n"
          + "<CopyrightCheckResult><Count>0</Count><ResultList/><CheckState>1</CheckState>"
          + "</CopyrightCheckResult>\n</xml>";
  static final String PUBLISH_JOB_FINISH =
      event("PUBLISHJOBFINISH")
          + "<PublishEventInfo><publish_id>2247503051</publish_id>\n"
          + "<publish_status>0</publish_status>\n"
          + "<article_id><![CDATA[b5O2OUs25HBxRceL7hfReg-U9QGeq9zQjiDvyWP4Hq4]]></article_id>\n"
          + "<article_detail><count>1</count>\n<item><idx>1</idx>\n"
          + "<article_url><![CDATA[ARTICLE_URL]]></article_url>\n</item>\n</article_detail>\n"
          + "</PublishEventInfo>\n</xml>";
  static final String SUBSCRIBE_MSG_POPUP =
      event("subscribe_msg_popup_event")
          + "<SubscribeMsgPopupEvent>\n<List>\n"
          + "<TemplateId><![CDATA[VRR0UEO9VJOLs0MHlU0OilqX6MVFDwH3_3gz3Oc0NIc]]></TemplateId>\n"
          + "<SubscribeStatusString><![CDATA[accept]]></SubscribeStatusString>\n"
          + "<PopupScene>2</PopupScene>\n</List>\n<List>\n"
          + "<TemplateId><![CDATA[9nLIlbOQZC5Y89AZteFEux3WCXRRRG5Wfzkpssu4bLI]]></TemplateId>\n"
          + "<SubscribeStatusString><![CDATA[reject]]></SubscribeStatusString>\n"
          + "<PopupScene>2</PopupScene>\n</List>\n</SubscribeMsgPopupEvent>\n</xml>";
  static final String SUBSCRIBE_MSG_CHANGE =
      event("subscribe_msg_change_event")
          + "<SubscribeMsgChangeEvent>\n<List>"
          + "<TemplateId><![CDATA[VRR0UEO9VJOLs0MHlU0OilqX6MVFDwH3_3gz3Oc0NIc]]></TemplateId>\n"
          + "<SubscribeStatusString><![CDATA[reject]]></SubscribeStatusString>\n</List>\n"
          + "</SubscribeMsgChangeEvent>\n</xml>";
  static final String SUBSCRIBE_MSG_SENT =
      event("subscribe_msg_sent_event")
          + "<SubscribeMsgSentEvent>\n<List>\n"
          + "<TemplateId><![CDATA[VRR0UEO9VJOLs0MHlU0OilqX6MVFDwH3_3gz3Oc0NIc]]></TemplateId>\n"
          + "<MsgID>1700827132819554304</MsgID>\n<ErrorCode>0</ErrorCode>\n"
          + "<ErrorStatus><![CDATA[success]]></ErrorStatus>\n</List>\n"
          + "</SubscribeMsgSentEvent>\n</xml>";
}
