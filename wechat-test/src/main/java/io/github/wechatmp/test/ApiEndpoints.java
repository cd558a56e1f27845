package io.github.wechatmp.test;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The stand-in's business endpoints (template and subscribe messages, menus, users, tags, QR codes,
 * temporary media, the customer service window and typing), with WeChat's documented limits and
 * error codes, and what they received. Guarded by its own lock; called after the token check.
 */
final class ApiEndpoints {
  static final String TEMPLATE_SEND = "cgi-bin/message/template/send";
  static final String SUBSCRIBE_SEND = "cgi-bin/message/subscribe/bizsend";
  static final String MEDIA_UPLOAD = "cgi-bin/media/upload";
  static final String SHOW_QR_CODE = "cgi-bin/showqrcode";
  static final String VIDEO_PREFIX = "stand-in/video/";

  /** Followers per page of {@code cgi-bin/user/get}, as WeChat documents. */
  static final int FOLLOWER_PAGE = 10_000;

  private static final Duration MEDIA_LIFE = Duration.ofDays(3);
  private static final Duration SERVICE_WINDOW = Duration.ofHours(48);
  private static final int SERVICE_MESSAGES_PER_WINDOW = 20;
  private static final long MAX_QR_EXPIRY = 2_592_000;

  private static final Set<String> PATHS =
      Set.of(
          TEMPLATE_SEND,
          SUBSCRIBE_SEND,
          "cgi-bin/menu/create",
          "cgi-bin/menu/get",
          "cgi-bin/menu/delete",
          "cgi-bin/menu/addconditional",
          "cgi-bin/menu/delconditional",
          "cgi-bin/user/info",
          "cgi-bin/user/info/batchget",
          "cgi-bin/user/get",
          "cgi-bin/tags/create",
          "cgi-bin/tags/get",
          "cgi-bin/tags/delete",
          "cgi-bin/tags/members/batchtagging",
          "cgi-bin/tags/members/batchuntagging",
          "cgi-bin/tags/getidlist",
          "cgi-bin/qrcode/create",
          MEDIA_UPLOAD,
          "cgi-bin/media/get",
          "cgi-bin/message/custom/typing");

  /** An answer: JSON, or bytes with a content type and file name. */
  record Reply(int status, String contentType, byte[] body, String filename) {
    static Reply json(String json) {
      return new Reply(
          200, "application/json; encoding=utf-8", json.getBytes(StandardCharsets.UTF_8), null);
    }

    static Reply error(int code, String msg) {
      return json("{\"errcode\":" + code + ",\"errmsg\":" + Json.quote(msg) + "}");
    }

    static Reply ok() {
      return error(0, "ok");
    }
  }

  private record Medium(ReceivedMedia info, byte[] bytes) {}

  private record Ticket(String json, Instant expiresAt) {}

  private final Clock clock;
  private final Supplier<String> baseUrl;
  private final SecureRandom random = new SecureRandom();

  // All guarded by "this".
  private final List<String> templates = new ArrayList<>();
  private final List<String> subscribes = new ArrayList<>();
  private final Map<String, Long> clientMsgIds = new HashMap<>();
  private long nextMsgId = 1_000_000_001L;
  private Object menu;
  private final Map<String, Map<String, Object>> conditional = new LinkedHashMap<>();
  private long nextMenuId = 400_000_001L;
  private final List<String> followers = new ArrayList<>();
  private final Map<String, Integer> followerIndex = new HashMap<>();
  private final Map<Integer, String> tags = new TreeMap<>();
  private final Map<String, Set<Integer>> userTags = new HashMap<>();
  private int nextTagId = 100;
  private final Map<String, Ticket> tickets = new HashMap<>();
  private final Map<String, Medium> media = new LinkedHashMap<>();
  private final Map<String, Instant> lastMessage = new HashMap<>();
  private final Map<String, Integer> serviceMessages = new HashMap<>();
  private final List<String> typing = new ArrayList<>();

  ApiEndpoints(Clock clock, Supplier<String> baseUrl) {
    this.clock = clock;
    this.baseUrl = baseUrl;
  }

  static boolean handles(String path) {
    return PATHS.contains(path) || isUntokened(path);
  }

  /** QR code images and video downloads: fetched by anyone holding the URL, no token. */
  static boolean isUntokened(String path) {
    return path.equals(SHOW_QR_CODE) || path.startsWith(VIDEO_PREFIX);
  }

  /** How much of a request's body to read: uploads up to a little over WeChat's largest limit. */
  static int maxBody(String path, int otherwise) {
    return path.equals(MEDIA_UPLOAD) ? 12 << 20 : otherwise;
  }

  // --- what tests read ---------------------------------------------------------------------------

  synchronized List<String> templateMessages() {
    return List.copyOf(templates);
  }

  synchronized List<String> subscribeMessages() {
    return List.copyOf(subscribes);
  }

  synchronized String menu() {
    return menu == null ? null : JsonTree.write(Map.of("button", menu));
  }

  synchronized List<ReceivedMedia> media() {
    return media.values().stream().map(Medium::info).toList();
  }

  synchronized List<String> typing() {
    return List.copyOf(typing);
  }

  synchronized List<String> addFollowers(int count) {
    List<String> added = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String id = String.format(Locale.ROOT, "oStandIn%08d", followers.size());
      followerIndex.put(id, followers.size());
      followers.add(id);
      added.add(id);
    }
    return added;
  }

  synchronized void userMessaged(String openId) {
    lastMessage.put(openId, clock.instant());
    serviceMessages.remove(openId);
  }

  /** The customer service window's verdict on a message to {@code body}'s {@code touser}. */
  synchronized Reply customServiceRefusal(String body) {
    Map<String, Object> o = JsonTree.object(body);
    Object to = o == null ? null : o.get("touser");
    if (!(to instanceof String openId)) {
      return null;
    }
    Instant last = lastMessage.get(openId);
    if (last == null) {
      return null; // a user the test never said anything about: accepted, as before
    }
    if (!clock.instant().isBefore(last.plus(SERVICE_WINDOW))) {
      return Reply.error(45015, "response out of time limit or subscription is canceled");
    }
    int sent = serviceMessages.merge(openId, 1, Integer::sum);
    if (sent > SERVICE_MESSAGES_PER_WINDOW) {
      return Reply.error(45047, "out of response count limit");
    }
    return null;
  }

  // --- answers -----------------------------------------------------------------------------------

  synchronized Reply answer(
      String method, String path, Map<String, String> query, byte[] raw, String contentType) {
    if (path.startsWith(VIDEO_PREFIX)) {
      Medium m = live(path.substring(VIDEO_PREFIX.length()));
      return m == null
          ? new Reply(404, "text/plain", "404".getBytes(StandardCharsets.UTF_8), null)
          : new Reply(200, m.info.contentType(), m.bytes, m.info.filename());
    }
    if (path.equals(SHOW_QR_CODE)) {
      return qrImage(query.get("ticket"));
    }
    if (path.equals(MEDIA_UPLOAD)) {
      return upload(query.get("type"), raw, contentType);
    }
    String body = new String(raw, StandardCharsets.UTF_8);
    boolean post = "POST".equals(method);
    Map<String, Object> json = post ? JsonTree.object(body) : Map.of();
    if (json == null) {
      return Reply.error(47001, "data format error");
    }
    return switch (path) {
      case TEMPLATE_SEND -> template(json, body);
      case SUBSCRIBE_SEND -> subscribe(json, body);
      case "cgi-bin/menu/create" -> createMenu(json);
      case "cgi-bin/menu/get" -> getMenu();
      case "cgi-bin/menu/delete" -> {
        menu = null;
        conditional.clear();
        yield Reply.ok();
      }
      case "cgi-bin/menu/addconditional" -> addConditional(json);
      case "cgi-bin/menu/delconditional" ->
          conditional.remove(String.valueOf(json.get("menuid"))) == null
              ? Reply.error(65301, "menuid not exist")
              : Reply.ok();
      case "cgi-bin/user/info" -> userInfo(query.get("openid"));
      case "cgi-bin/user/info/batchget" -> batchInfo(json);
      case "cgi-bin/user/get" -> followerPage(query.get("next_openid"));
      case "cgi-bin/tags/create" -> createTag(json);
      case "cgi-bin/tags/get" -> listTags();
      case "cgi-bin/tags/delete" -> deleteTag(json);
      case "cgi-bin/tags/members/batchtagging" -> tagging(json, true);
      case "cgi-bin/tags/members/batchuntagging" -> tagging(json, false);
      case "cgi-bin/tags/getidlist" -> tagIds(json);
      case "cgi-bin/qrcode/create" -> createQrCode(json);
      case "cgi-bin/media/get" -> getMedia(query.get("media_id"));
      case "cgi-bin/message/custom/typing" -> typing(json);
      default ->
          new Reply(404, "text/plain", ("404 " + path).getBytes(StandardCharsets.UTF_8), null);
    };
  }

  private Reply template(Map<String, Object> json, String body) {
    Reply refused = checkMessage(json);
    if (refused != null) {
      return refused;
    }
    String to = (String) json.get("touser");
    Object clientMsgId = json.get("client_msg_id");
    if (clientMsgId instanceof String id) {
      Long seen = clientMsgIds.get(to + '\n' + id);
      if (seen != null) {
        return msgId(seen); // WeChat sends a message once per OpenID and client_msg_id
      }
    }
    long msgId = nextMsgId++;
    if (clientMsgId instanceof String id) {
      clientMsgIds.put(to + '\n' + id, msgId);
    }
    templates.add(body);
    return msgId(msgId);
  }

  private static Reply msgId(long msgId) {
    return Reply.json("{\"errcode\":0,\"errmsg\":\"ok\",\"msgid\":" + msgId + "}");
  }

  private Reply subscribe(Map<String, Object> json, String body) {
    Reply refused = checkMessage(json);
    if (refused != null) {
      return refused;
    }
    subscribes.add(body);
    return Reply.ok();
  }

  /** WeChat's refusal of a template or subscribe message, or null if it would accept it. */
  private static Reply checkMessage(Map<String, Object> json) {
    if (!(json.get("touser") instanceof String to) || to.isBlank()) {
      return Reply.error(40003, "invalid openid");
    }
    if (!(json.get("template_id") instanceof String t) || t.isBlank()) {
      return Reply.error(40037, "invalid template_id");
    }
    if (!(json.get("data") instanceof Map<?, ?>)) {
      return Reply.error(47001, "data format error");
    }
    return null;
  }

  private static Reply checkButtons(Object buttons) {
    if (!(buttons instanceof List<?> list) || list.isEmpty() || list.size() > 3) {
      return Reply.error(40016, "invalid button size");
    }
    for (Object b : list) {
      if (!(b instanceof Map<?, ?> button)) {
        return Reply.error(47001, "data format error");
      }
      if (utf8(button.get("name")) > 16 || utf8(button.get("name")) == 0) {
        return Reply.error(40018, "invalid button name size");
      }
      Object subs = button.get("sub_button");
      if (subs instanceof List<?> sub && !sub.isEmpty()) {
        if (sub.size() > 5) {
          return Reply.error(40023, "invalid sub button size");
        }
        for (Object s : sub) {
          if (!(s instanceof Map<?, ?> subButton)) {
            return Reply.error(47001, "data format error");
          }
          if (utf8(subButton.get("name")) > 60 || utf8(subButton.get("name")) == 0) {
            return Reply.error(40025, "invalid sub button name size");
          }
          if (!(subButton.get("type") instanceof String)) {
            return Reply.error(40019, "invalid button type");
          }
        }
      } else if (!(button.get("type") instanceof String)) {
        return Reply.error(40019, "invalid button type");
      }
    }
    return null;
  }

  private static int utf8(Object name) {
    return name instanceof String s ? s.getBytes(StandardCharsets.UTF_8).length : 0;
  }

  private Reply createMenu(Map<String, Object> json) {
    Reply refused = checkButtons(json.get("button"));
    if (refused != null) {
      return refused;
    }
    menu = json.get("button");
    return Reply.ok();
  }

  private Reply getMenu() {
    if (menu == null) {
      return Reply.error(46003, "menu no exist");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("menu", Map.of("button", menu));
    if (!conditional.isEmpty()) {
      out.put("conditionalmenu", new ArrayList<>(conditional.values()));
    }
    return Reply.json(JsonTree.write(out));
  }

  private Reply addConditional(Map<String, Object> json) {
    Reply refused = checkButtons(json.get("button"));
    if (refused != null) {
      return refused;
    }
    if (!(json.get("matchrule") instanceof Map<?, ?> rule) || rule.isEmpty()) {
      return Reply.error(40097, "invalid args: matchrule");
    }
    if (menu == null) {
      return Reply.error(46003, "menu no exist: create the default menu first");
    }
    String id = Long.toString(nextMenuId++);
    Map<String, Object> stored = new LinkedHashMap<>();
    stored.put("button", json.get("button"));
    stored.put("matchrule", rule);
    stored.put("menuid", Double.valueOf(id));
    conditional.put(id, stored);
    return Reply.json("{\"menuid\":" + Json.quote(id) + "}");
  }

  private Reply userInfo(String openId) {
    Integer index = openId == null ? null : followerIndex.get(openId);
    if (index == null) {
      return Reply.error(40003, "invalid openid");
    }
    return Reply.json(JsonTree.write(user(openId, index)));
  }

  private Map<String, Object> user(String openId, int index) {
    Map<String, Object> u = new LinkedHashMap<>();
    u.put("subscribe", 1);
    u.put("openid", openId);
    u.put("language", "zh_CN");
    u.put("subscribe_time", 1_700_000_000L + index);
    u.put("remark", "");
    u.put("groupid", 0);
    u.put("tagid_list", new ArrayList<>(userTags.getOrDefault(openId, Set.of())));
    u.put("subscribe_scene", "ADD_SCENE_QR_CODE");
    u.put("qr_scene", 0);
    u.put("qr_scene_str", "");
    return u;
  }

  private Reply batchInfo(Map<String, Object> json) {
    if (!(json.get("user_list") instanceof List<?> list) || list.isEmpty() || list.size() > 100) {
      return Reply.error(40032, "invalid openid list size, at most 100");
    }
    List<Object> users = new ArrayList<>();
    for (Object o : list) {
      Object id = o instanceof Map<?, ?> m ? m.get("openid") : null;
      Integer index = id instanceof String s ? followerIndex.get(s) : null;
      if (index == null) {
        return Reply.error(40003, "invalid openid");
      }
      users.add(user((String) id, index));
    }
    return Reply.json(JsonTree.write(Map.of("user_info_list", users)));
  }

  private Reply followerPage(String nextOpenId) {
    int start = 0;
    if (nextOpenId != null && !nextOpenId.isEmpty()) {
      Integer at = followerIndex.get(nextOpenId);
      if (at == null) {
        return Reply.error(40003, "invalid next_openid");
      }
      start = at + 1;
    }
    int end = Math.min(followers.size(), start + FOLLOWER_PAGE);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("total", followers.size());
    out.put("count", end - start);
    if (end > start) {
      out.put("data", Map.of("openid", followers.subList(start, end)));
      out.put("next_openid", followers.get(end - 1));
    } else {
      out.put("next_openid", "");
    }
    return Reply.json(JsonTree.write(out));
  }

  private Reply createTag(Map<String, Object> json) {
    Object name = json.get("tag") instanceof Map<?, ?> t ? t.get("name") : null;
    if (!(name instanceof String n) || n.isBlank()) {
      return Reply.error(45158, "tag name too long or empty");
    }
    if (n.length() > 30) {
      return Reply.error(45158, "tag name too long");
    }
    if (tags.containsValue(n)) {
      return Reply.error(45157, "invalid tag name: it exists");
    }
    int id = nextTagId++;
    tags.put(id, n);
    return Reply.json("{\"tag\":{\"id\":" + id + ",\"name\":" + Json.quote(n) + "}}");
  }

  private Reply listTags() {
    List<Object> list = new ArrayList<>();
    tags.forEach(
        (id, name) -> {
          long count = userTags.values().stream().filter(s -> s.contains(id)).count();
          list.add(Map.of("id", id, "name", name, "count", count));
        });
    return Reply.json(JsonTree.write(Map.of("tags", list)));
  }

  private Reply deleteTag(Map<String, Object> json) {
    Object id = json.get("tag") instanceof Map<?, ?> t ? t.get("id") : null;
    if (!(id instanceof Double d) || tags.remove(d.intValue()) == null) {
      return Reply.error(45159, "invalid tag id");
    }
    userTags.values().forEach(s -> s.remove(d.intValue()));
    return Reply.ok();
  }

  private Reply tagging(Map<String, Object> json, boolean add) {
    if (!(json.get("tagid") instanceof Double d) || !tags.containsKey(d.intValue())) {
      return Reply.error(45159, "invalid tag id");
    }
    if (!(json.get("openid_list") instanceof List<?> ids) || ids.isEmpty() || ids.size() > 50) {
      return Reply.error(40032, "invalid openid list size, at most 50");
    }
    for (Object id : ids) {
      if (!(id instanceof String s) || !followerIndex.containsKey(s)) {
        return Reply.error(40003, "invalid openid");
      }
    }
    for (Object id : ids) {
      Set<Integer> set = userTags.computeIfAbsent((String) id, k -> new LinkedHashSet<>());
      if (add) {
        set.add(d.intValue());
      } else {
        set.remove(d.intValue());
      }
    }
    return Reply.ok();
  }

  private Reply tagIds(Map<String, Object> json) {
    if (!(json.get("openid") instanceof String id) || !followerIndex.containsKey(id)) {
      return Reply.error(40003, "invalid openid");
    }
    return Reply.json(
        JsonTree.write(Map.of("tagid_list", new ArrayList<>(userTags.getOrDefault(id, Set.of())))));
  }

  private Reply createQrCode(Map<String, Object> json) {
    Object action = json.get("action_name");
    boolean permanent = "QR_LIMIT_SCENE".equals(action) || "QR_LIMIT_STR_SCENE".equals(action);
    boolean byString = "QR_STR_SCENE".equals(action) || "QR_LIMIT_STR_SCENE".equals(action);
    if (!permanent && !"QR_SCENE".equals(action) && !"QR_STR_SCENE".equals(action)) {
      return Reply.error(40097, "invalid args: action_name");
    }
    Object scene =
        json.get("action_info") instanceof Map<?, ?> info
                && info.get("scene") instanceof Map<?, ?> s
            ? (byString ? s.get("scene_str") : s.get("scene_id"))
            : null;
    if (byString) {
      if (!(scene instanceof String str) || str.isEmpty() || str.length() > 64) {
        return Reply.error(40097, "invalid args: scene_str has 1 to 64 characters");
      }
    } else if (!(scene instanceof Double id)
        || id == 0
        || (permanent && (id < 1 || id > 100_000))) {
      return Reply.error(40097, "invalid args: scene_id");
    }
    long expire = 60;
    if (!permanent && json.get("expire_seconds") instanceof Double e) {
      expire = e.longValue();
    }
    if (!permanent && (expire < 1 || expire > MAX_QR_EXPIRY)) {
      return Reply.error(40097, "invalid args: expire_seconds is at most 2592000 (30 days)");
    }
    String ticket = "gQ" + token(94);
    String url = "http://weixin.qq.com/q/" + token(22);
    String answer =
        "{\"ticket\":"
            + Json.quote(ticket)
            + (permanent ? "" : ",\"expire_seconds\":" + expire)
            + ",\"url\":"
            + Json.quote(url)
            + "}";
    tickets.put(ticket, new Ticket(answer, permanent ? null : clock.instant().plusSeconds(expire)));
    return Reply.json(answer);
  }

  private Reply qrImage(String ticket) {
    Ticket t = ticket == null ? null : tickets.get(ticket);
    if (t == null || (t.expiresAt != null && !clock.instant().isBefore(t.expiresAt))) {
      return new Reply(404, "text/plain", "no such ticket".getBytes(StandardCharsets.UTF_8), null);
    }
    byte[] tail = ticket.getBytes(StandardCharsets.US_ASCII);
    byte[] jpeg = new byte[tail.length + 4];
    jpeg[0] = (byte) 0xFF;
    jpeg[1] = (byte) 0xD8;
    System.arraycopy(tail, 0, jpeg, 2, tail.length);
    jpeg[jpeg.length - 2] = (byte) 0xFF;
    jpeg[jpeg.length - 1] = (byte) 0xD9;
    return new Reply(200, "image/jpeg", jpeg, null);
  }

  private Reply upload(String type, byte[] raw, String contentType) {
    long limit;
    Set<String> formats;
    switch (type == null ? "" : type) {
      case "image" -> {
        limit = 10L << 20;
        formats = Set.of("png", "jpeg", "jpg", "gif");
      }
      case "voice" -> {
        limit = 2L << 20;
        formats = Set.of("amr", "mp3");
      }
      case "video" -> {
        limit = 10L << 20;
        formats = Set.of("mp4");
      }
      case "thumb" -> {
        limit = 64L << 10;
        formats = Set.of("jpg", "jpeg");
      }
      default -> {
        return Reply.error(40004, "invalid media type");
      }
    }
    Multipart.Part part = Multipart.find(raw, contentType, "media");
    if (part == null) {
      return Reply.error(41005, "media data missing");
    }
    if (part.filename() == null || part.filename().isEmpty() || part.content().length == 0) {
      return Reply.error(44001, "empty media data");
    }
    String name = part.filename();
    int dot = name.lastIndexOf('.');
    String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    if (dot < 0) {
      return Reply.error(40113, "unsupported file type");
    }
    if (!formats.contains(ext)) {
      return Reply.error(40005, "invalid file type");
    }
    if (part.content().length > limit) {
      return Reply.error(40006, "invalid media size");
    }
    String id = token(64);
    Instant now = clock.instant();
    media.put(
        id,
        new Medium(
            new ReceivedMedia(id, type, name, part.contentType(), part.content().length, now),
            part.content()));
    String idField = type.equals("thumb") ? "thumb_media_id" : "media_id";
    return Reply.json(
        "{\"type\":"
            + Json.quote(type)
            + ",\""
            + idField
            + "\":"
            + Json.quote(id)
            + ",\"created_at\":"
            + now.getEpochSecond()
            + "}");
  }

  private Medium live(String id) {
    Medium m = id == null ? null : media.get(id);
    if (m == null || !clock.instant().isBefore(m.info.createdAt().plus(MEDIA_LIFE))) {
      return null;
    }
    return m;
  }

  private Reply getMedia(String id) {
    Medium m = live(id);
    if (m == null) {
      return Reply.error(40007, "invalid media_id");
    }
    if (m.info.type().equals("video")) {
      return Reply.json("{\"video_url\":" + Json.quote(baseUrl.get() + VIDEO_PREFIX + id) + "}");
    }
    String type =
        m.info.contentType().isEmpty() ? "application/octet-stream" : m.info.contentType();
    return new Reply(200, type, m.bytes, m.info.filename());
  }

  private Reply typing(Map<String, Object> json) {
    if (!(json.get("touser") instanceof String to) || to.isBlank()) {
      return Reply.error(40003, "invalid openid");
    }
    Object command = json.get("command");
    if (!"Typing".equals(command) && !"CancelTyping".equals(command)) {
      return Reply.error(40097, "invalid args: command is Typing or CancelTyping");
    }
    typing.add(to + ":" + command);
    return Reply.ok();
  }

  private String token(int length) {
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    char[] c = new char[length];
    for (int i = 0; i < length; i++) {
      c[i] = alphabet.charAt(random.nextInt(alphabet.length()));
    }
    return new String(c);
  }
}
