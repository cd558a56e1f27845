package io.github.wechatmp.callback;

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
import io.github.wechatmp.callback.inbound.WeChatEvent;
import io.github.wechatmp.callback.inbound.WeChatMessage;
import io.github.wechatmp.internal.callback.Fields;
import io.github.wechatmp.internal.xml.FlatXml;
import io.github.wechatmp.message.MessageCryptoException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Turns a parsed document into its {@link WeChatMessage} and its deduplication key. */
final class Messages {
  private Messages() {}

  /** The type for a log line: MsgType, and Event for events. */
  static String typeOf(WeChatMessage m) {
    String type = m.fields().get("MsgType");
    return m instanceof WeChatEvent e ? type + "/" + e.event() : type;
  }

  /** The fields an event's key names on their own; every other leaf goes into its digest. */
  private static final Set<String> EVENT_KEY_FIELDS =
      Set.of("ToUserName", "FromUserName", "CreateTime", "MsgType", "Event", "EventKey");

  /**
   * The key retries of one push share, and two different pushes never do. A message is keyed by the
   * account and its MsgId. An event is keyed by the account, sender, CreateTime, Event and EventKey
   * (as WeChat advises), its MsgID or MsgId when it has one (job-finish reports of bulk sends share
   * everything else within a second), and a digest of every other leaf in document order: WeChat
   * resends a push unchanged, while two real pushes in one second (two locations, two scans, two
   * subscription changes, two publish reports) differ in some field, and an event type this SDK
   * does not know yet is covered too.
   */
  static String dedupKey(WeChatMessage m, FlatXml.Leaves leaves) {
    Map<String, String> f = m.fields();
    String msgId = f.get("MsgId");
    if (msgId != null && !(m instanceof WeChatEvent)) {
      return "m|" + m.toUser() + "|" + msgId.strip();
    }
    String event = f.get("Event");
    String key = f.get("EventKey");
    StringBuilder sb =
        new StringBuilder("e|")
            .append(m.toUser())
            .append('|')
            .append(m.fromUser())
            .append('|')
            .append(m.createTime().getEpochSecond())
            .append('|')
            .append(event == null ? f.get("MsgType") : event.strip())
            .append('|')
            .append(key == null ? "" : key.strip());
    String id = f.get("MsgID") != null ? f.get("MsgID") : msgId;
    if (id != null) {
      sb.append("|id=").append(id.strip());
    }
    MessageDigest digest = null;
    for (int i = 0; i < leaves.size(); i++) {
      String path = leaves.path(i);
      if (EVENT_KEY_FIELDS.contains(path)) {
        continue;
      }
      if (digest == null) {
        digest = sha256();
      }
      // Length-prefixed, so that no two different leaf lists hash the same bytes.
      update(digest, path);
      update(digest, leaves.value(i));
    }
    if (digest != null) {
      sb.append("|d=").append(HexFormat.of().formatHex(digest.digest(), 0, 16));
    }
    return sb.toString();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  private static void update(MessageDigest digest, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    int n = bytes.length;
    digest.update(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
    digest.update(bytes);
  }

  static MessageCryptoException malformed(String message) {
    return new MessageCryptoException(MessageCryptoException.MALFORMED_XML, message);
  }

  /** The message in {@code leaves}; throws MALFORMED_XML when a required field is missing. */
  static WeChatMessage from(FlatXml.Leaves leaves) {
    Map<String, String> f = Fields.own(leaves.newFirstValuesMap());
    // Stripped as MsgId and CreateTime are: WeChat's own samples put blanks around the CDATA, and
    // the reply's FromUserName is this value.
    String to = required(f, "ToUserName").strip();
    String from = required(f, "FromUserName").strip();
    String created = required(f, "CreateTime").strip();
    Instant at;
    try {
      at = Instant.ofEpochSecond(Long.parseLong(created));
    } catch (NumberFormatException | java.time.DateTimeException e) {
      throw malformed("CreateTime is not a number of seconds");
    }
    String type = required(f, "MsgType").strip();
    switch (type) {
      case "text":
        return new TextMessage(to, from, at, required(f, "Content"), msgId(f), f);
      case "image":
        return new ImageMessage(to, from, at, f.get("PicUrl"), f.get("MediaId"), msgId(f), f);
      case "voice":
        return new VoiceMessage(
            to, from, at, f.get("MediaId"), f.get("Format"), f.get("Recognition"), msgId(f), f);
      case "video":
        return new VideoMessage(to, from, at, f.get("MediaId"), f.get("ThumbMediaId"), msgId(f), f);
      case "shortvideo":
        return new ShortVideoMessage(
            to, from, at, f.get("MediaId"), f.get("ThumbMediaId"), msgId(f), f);
      case "location":
        return new LocationMessage(
            to,
            from,
            at,
            decimal(f, "Location_X"),
            decimal(f, "Location_Y"),
            integer(f, "Scale"),
            f.get("Label"),
            msgId(f),
            f);
      case "link":
        return new LinkMessage(
            to, from, at, f.get("Title"), f.get("Description"), f.get("Url"), msgId(f), f);
      case "event":
        return event(leaves, f, to, from, at);
      default:
        return new UnknownMessage(to, from, at, type, f);
    }
  }

  private static WeChatMessage event(
      FlatXml.Leaves leaves, Map<String, String> f, String to, String from, Instant at) {
    String event = required(f, "Event").strip();
    String key = f.get("EventKey");
    switch (event) {
      case "subscribe":
        {
          String scene =
              key != null && key.startsWith("qrscene_") ? key.substring("qrscene_".length()) : null;
          return new SubscribeEvent(to, from, at, scene, f.get("Ticket"), f);
        }
      case "unsubscribe":
        return new UnsubscribeEvent(to, from, at, f);
      case "SCAN":
        return new ScanEvent(to, from, at, key, f.get("Ticket"), f);
      case "LOCATION":
        return new LocationEvent(
            to,
            from,
            at,
            decimal(f, "Latitude"),
            decimal(f, "Longitude"),
            decimal(f, "Precision"),
            f);
      case "CLICK":
        return new ClickEvent(to, from, at, key == null ? "" : key, f);
      case "VIEW":
        return new ViewEvent(to, from, at, key, f.get("MenuId"), f);
      case "view_miniprogram":
        return new ViewMiniprogramEvent(to, from, at, key, f.get("MenuId"), f);
      case "scancode_push":
      case "scancode_waitmsg":
        return new ScanCodeEvent(
            to,
            from,
            at,
            event,
            key,
            f.get("ScanCodeInfo.ScanType"),
            f.get("ScanCodeInfo.ScanResult"),
            f);
      case "pic_sysphoto":
      case "pic_photo_or_album":
      case "pic_weixin":
        return new PicEvent(
            to,
            from,
            at,
            event,
            key,
            f.containsKey("SendPicsInfo.Count") ? integer(f, "SendPicsInfo.Count") : 0,
            leaves.all("SendPicsInfo.PicList.item.PicMd5Sum"),
            f);
      case "location_select":
        return new LocationSelectEvent(
            to,
            from,
            at,
            key,
            decimal(f, "SendLocationInfo.Location_X"),
            decimal(f, "SendLocationInfo.Location_Y"),
            integer(f, "SendLocationInfo.Scale"),
            f.get("SendLocationInfo.Label"),
            f.get("SendLocationInfo.Poiname"),
            f);
      case "TEMPLATESENDJOBFINISH":
        return new TemplateSendJobFinishEvent(
            to, from, at, stripped(f, "MsgID"), f.get("Status"), f);
      case "MASSSENDJOBFINISH":
        return new MassSendJobFinishEvent(
            to,
            from,
            at,
            stripped(f, "MsgID"),
            f.get("Status"),
            optionalInteger(f, "TotalCount"),
            optionalInteger(f, "FilterCount"),
            optionalInteger(f, "SentCount"),
            optionalInteger(f, "ErrorCount"),
            f);
      case "PUBLISHJOBFINISH":
        return new PublishJobFinishEvent(
            to,
            from,
            at,
            f.get("PublishEventInfo.publish_id"),
            integer(f, "PublishEventInfo.publish_status"),
            f.get("PublishEventInfo.article_id"),
            leaves.all("PublishEventInfo.article_detail.item.article_url"),
            f);
      case SubscribeMessageEvent.POPUP:
        return subscription(leaves, f, to, from, at, event, "SubscribeMsgPopupEvent.List.");
      case SubscribeMessageEvent.CHANGE:
        return subscription(leaves, f, to, from, at, event, "SubscribeMsgChangeEvent.List.");
      case SubscribeMessageEvent.SENT:
        return subscription(leaves, f, to, from, at, event, "SubscribeMsgSentEvent.List.");
      default:
        return new UnknownEvent(to, from, at, event, key, f);
    }
  }

  /** Groups the leaves under {@code prefix} into one subscription per {@code List} element. */
  private static SubscribeMessageEvent subscription(
      FlatXml.Leaves leaves,
      Map<String, String> f,
      String to,
      String from,
      Instant at,
      String event,
      String prefix) {
    List<SubscribeMessageEvent.Subscription> out = new ArrayList<>();
    Map<String, String> item = null;
    for (int i = 0; i < leaves.size(); i++) {
      String path = leaves.path(i);
      if (!path.startsWith(prefix)) {
        continue;
      }
      String name = path.substring(prefix.length());
      if (item == null || item.containsKey(name)) {
        if (item != null) {
          out.add(subscription(item));
        }
        item = new LinkedHashMap<>();
      }
      item.put(name, leaves.value(i));
    }
    if (item != null) {
      out.add(subscription(item));
    }
    return new SubscribeMessageEvent(to, from, at, event, out, f);
  }

  private static SubscribeMessageEvent.Subscription subscription(Map<String, String> item) {
    return new SubscribeMessageEvent.Subscription(
        item.get("TemplateId"),
        item.get("SubscribeStatusString"),
        item.get("PopupScene"),
        item.get("MsgID"),
        item.get("ErrorCode"),
        item.get("ErrorStatus"));
  }

  private static String required(Map<String, String> f, String name) {
    String v = f.get(name);
    if (v == null) {
      throw malformed("The message has no " + name);
    }
    return v;
  }

  private static String msgId(Map<String, String> f) {
    return stripped(f, "MsgId");
  }

  private static String stripped(Map<String, String> f, String name) {
    String v = f.get(name);
    return v == null ? null : v.strip();
  }

  private static double decimal(Map<String, String> f, String name) {
    String v = required(f, name).strip();
    try {
      double d = Double.parseDouble(v);
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        throw malformed(name + " is not a finite number");
      }
      return d;
    } catch (NumberFormatException e) {
      throw malformed(name + " is not a number");
    }
  }

  private static int integer(Map<String, String> f, String name) {
    String v = required(f, name).strip();
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw malformed(name + " is not a whole number");
    }
  }

  private static int optionalInteger(Map<String, String> f, String name) {
    return f.containsKey(name) ? integer(f, name) : 0;
  }
}
