package io.github.wechatmp.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.WeChatApiException;
import io.github.wechatmp.test.ManualClock;
import io.github.wechatmp.test.ReceivedMedia;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.testing.StandIns;
import io.github.wechatmp.token.AccessTokenProvider;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every typed call against the stand-in over real HTTP. */
class TypedCallsTest {
  private final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T00:00:00Z"));
  private WeChatStandIn wechat;
  private AccessTokenProvider tokens;
  private WeChatApi api;

  @TempDir Path dir;

  @BeforeEach
  void start() {
    wechat = WeChatStandIn.builder().clock(clock).start();
    tokens =
        AccessTokenProvider.builder()
            .appId(StandIns.APP_ID)
            .appSecret(StandIns.SECRET)
            .apiBaseUrl(wechat.baseUrl())
            .clock(clock)
            .build();
    api = WeChatApi.builder().tokens(tokens).imageBaseUrl(wechat.baseUrl()).build();
  }

  @AfterEach
  void stop() {
    tokens.close();
    wechat.close();
  }

  @Test
  void aTemplateMessageIsSentWithItsClientMsgIdAndWeChatSendsItOnce() {
    TemplateMessage message =
        TemplateMessage.of("o1", "T1", Map.of("thing1", "Order 42"))
            .withUrl("https://example.com/o/42")
            .withClientMsgId("order-42");
    long first = api.templates().send(message);
    long again = api.templates().send(message);
    assertEquals(first, again, "the same client_msg_id is the same message");
    List<String> sent = wechat.templateMessagesSent();
    assertEquals(1, sent.size());
    assertTrue(sent.get(0).contains("\"client_msg_id\":\"order-42\""), sent.get(0));
    assertTrue(sent.get(0).contains("\"template_id\":\"T1\""), sent.get(0));
    assertTrue(sent.get(0).contains("\"thing1\":{\"value\":\"Order 42\"}"), sent.get(0));
    assertFalse(sent.get(0).contains("miniprogram"), "absent fields are left out");
    assertThrows(IllegalArgumentException.class, () -> TemplateMessage.of("o1", "T1", Map.of()));
    assertThrows(IllegalArgumentException.class, () -> message.withClientMsgId("x".repeat(65)));
  }

  @Test
  void aSubscribeMessageIsSent() {
    api.templates()
        .send(
            new SubscribeMessage(
                "o1",
                "S1",
                "index",
                new MiniProgram("wxmini", "pages/a"),
                Map.of("thing1", new SubscribeMessage.Value("x"))));
    String sent = wechat.subscribeMessagesSent().get(0);
    assertTrue(
        sent.contains("\"miniprogram\":{\"appid\":\"wxmini\",\"pagepath\":\"pages/a\"}"), sent);
  }

  @Test
  void theMenuIsCreatedReadBackAndDeletedWithConditionalMenus() {
    Menu menu =
        Menu.of(
            MenuButton.click("今日歌曲", "V1001_TODAY_MUSIC"),
            MenuButton.parent(
                "More",
                MenuButton.view("Search", "https://www.soso.com/"),
                MenuButton.click("Like", "LIKE")));
    api.menus().create(menu);
    assertTrue(wechat.currentMenu().contains("\"sub_button\""), wechat.currentMenu());
    String id = api.menus().addConditional(menu, Menus.MatchRule.tag(100));
    Menus.MenuSettings settings = api.menus().get();
    assertEquals(menu.buttons(), settings.menu().buttons());
    assertEquals(1, settings.conditionalMenus().size());
    assertEquals(id, settings.conditionalMenus().get(0).menuId());
    assertEquals("100", settings.conditionalMenus().get(0).matchRule().tagId());
    api.menus().deleteConditional(id);
    api.menus().delete();
    assertNull(wechat.currentMenu());
    WeChatApiException none = assertThrows(WeChatApiException.class, () -> api.menus().get());
    assertEquals(46003, none.errorCode());
  }

  @Test
  void menuLimitsAreCheckedBeforeSending() {
    MenuButton b = MenuButton.click("A", "a");
    assertThrows(IllegalArgumentException.class, () -> api.menus().create(Menu.of(b, b, b, b)));
    assertThrows(IllegalArgumentException.class, () -> api.menus().create(Menu.of()));
    assertThrows(
        IllegalArgumentException.class,
        () -> api.menus().create(Menu.of(MenuButton.parent("P", b, b, b, b, b, b))));
    assertThrows(
        IllegalArgumentException.class,
        () -> api.menus().create(Menu.of(MenuButton.click("一二三四五六", "k"))));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            api.menus()
                .create(Menu.of(MenuButton.parent("P", MenuButton.click("x".repeat(61), "k")))));
    assertThrows(
        IllegalArgumentException.class,
        () -> api.menus().create(Menu.of(MenuButton.click("A", null))));
    assertEquals(0, wechat.apiRequests());
  }

  @Test
  void theStandInRefusesAMenuOverWeChatsLimitsWithWeChatsCodes() {
    String four =
        "{\"button\":["
            + "{\"type\":\"click\",\"name\":\"a\",\"key\":\"k\"},".repeat(3)
            + "{\"type\":\"click\",\"name\":\"a\",\"key\":\"k\"}]}";
    WeChatApiException e =
        assertThrows(
            WeChatApiException.class, () -> api.post("cgi-bin/menu/create", four, Map.class));
    assertEquals(40016, e.errorCode());
  }

  @Test
  void usersAreReadOneAtATimeAndInBatches() {
    List<String> ids = wechat.addFollowers(3);
    Users.UserInfo one = api.users().info(ids.get(1));
    assertTrue(one.follows());
    assertEquals(ids.get(1), one.openId());
    List<Users.UserInfo> batch = api.users().info(ids);
    assertEquals(ids, batch.stream().map(Users.UserInfo::openId).toList());
    assertEquals(
        40003,
        assertThrows(WeChatApiException.class, () -> api.users().info("nobody")).errorCode());
    assertThrows(IllegalArgumentException.class, () -> api.users().info(List.of()));
  }

  @Test
  void theFollowerIteratorPagesLazilyThrough25000FollowersInThreeRequests() {
    List<String> all = wechat.addFollowers(25_000);
    Iterator<String> it = api.users().followers().iterator();
    assertEquals(0, wechat.requests("cgi-bin/user/get"), "nothing is asked before it is needed");
    assertEquals(all.get(0), it.next());
    assertEquals(1, wechat.requests("cgi-bin/user/get"));
    List<String> read = new ArrayList<>(List.of(all.get(0)));
    it.forEachRemaining(read::add);
    assertEquals(all, read);
    assertEquals(3, wechat.requests("cgi-bin/user/get"), "pages of 10,000, 10,000 and 5,000");
  }

  @Test
  void tagsAreCreatedListedAppliedAndDeleted() {
    List<String> ids = wechat.addFollowers(2);
    Tags.Tag vip = api.tags().create("VIP");
    api.tags().tag(vip.id(), ids);
    assertEquals(List.of(vip.id()), api.tags().tagsOf(ids.get(0)));
    assertEquals(2L, api.tags().list().get(0).count());
    api.tags().untag(vip.id(), List.of(ids.get(0)));
    assertEquals(List.of(), api.tags().tagsOf(ids.get(0)));
    assertEquals(
        45157, assertThrows(WeChatApiException.class, () -> api.tags().create("VIP")).errorCode());
    api.tags().delete(vip.id());
    assertEquals(List.of(), api.tags().list());
  }

  @Test
  void qrCodesAreMadeWithinWeChatsBoundsAndTheirImagesDownloaded() throws Exception {
    QrCodes.QrCodeTicket temp = api.qrCodes().temporary(Duration.ofDays(30), 123);
    assertEquals(2_592_000L, temp.expireSeconds());
    assertFalse(temp.toString().contains(temp.ticket()), "the ticket is masked");
    QrCodes.QrCodeTicket perm = api.qrCodes().permanent("campaign-7");
    assertNull(perm.expireSeconds());
    Path image = dir.resolve("qr.jpg");
    long size = api.qrCodes().downloadImage(perm, image);
    byte[] bytes = Files.readAllBytes(image);
    assertEquals(size, bytes.length);
    assertEquals((byte) 0xFF, bytes[0]);
    assertEquals((byte) 0xD8, bytes[1]);
    assertTrue(api.qrCodes().imageUrl(temp).contains("cgi-bin/showqrcode?ticket="));
    assertNotNull(api.qrCodes().temporary(Duration.ofSeconds(60), "s"));

    int before = wechat.apiRequests();
    assertThrows(
        IllegalArgumentException.class, () -> api.qrCodes().temporary(Duration.ofDays(31), 1));
    assertThrows(
        IllegalArgumentException.class, () -> api.qrCodes().temporary(Duration.ofDays(1), 0));
    assertThrows(IllegalArgumentException.class, () -> api.qrCodes().permanent(100_001));
    assertThrows(IllegalArgumentException.class, () -> api.qrCodes().permanent("x".repeat(65)));
    assertThrows(IllegalArgumentException.class, () -> api.qrCodes().permanent(""));
    assertEquals(before, wechat.apiRequests(), "nothing was sent");
    WeChatApiException tooLong =
        assertThrows(
            WeChatApiException.class,
            () ->
                api.post(
                    "cgi-bin/qrcode/create",
                    Map.of(
                        "expire_seconds",
                        2_592_001,
                        "action_name",
                        "QR_SCENE",
                        "action_info",
                        Map.of("scene", Map.of("scene_id", 1))),
                    Map.class));
    assertEquals(40097, tooLong.errorCode());
  }

  @Test
  void customerServiceMessagesOfEveryTypeAreSentAndTheWindowClosesAfter48Hours() {
    wechat.userMessaged("o1");
    MiniProgram page = new MiniProgram("wxmini", "pages/a");
    List<CustomerServiceMessage> all =
        List.of(
            CustomerServiceMessage.text("o1", "hi"),
            CustomerServiceMessage.image("o1", "m"),
            CustomerServiceMessage.voice("o1", "m"),
            CustomerServiceMessage.video("o1", "m", "t", "T", null),
            CustomerServiceMessage.music("o1", "T", null, "http://m", "http://hq", "t"),
            CustomerServiceMessage.news("o1", "T", "D", "https://example.com", null),
            CustomerServiceMessage.mpNews("o1", "m"),
            CustomerServiceMessage.mpNewsArticle("o1", "a"),
            CustomerServiceMessage.menu("o1", "Rate us", Map.of("101", "Good"), "Thanks"),
            CustomerServiceMessage.card("o1", "c"),
            CustomerServiceMessage.miniProgramPage("o1", "T", page, "t").asAccount("kf1@test"));
    all.forEach(api.customerService()::send);
    List<String> sent = wechat.sentMessages();
    assertEquals(all.size(), sent.size());
    for (int i = 0; i < all.size(); i++) {
      assertTrue(sent.get(i).contains("\"msgtype\":\"" + all.get(i).type() + "\""), sent.get(i));
    }
    assertTrue(sent.get(10).contains("\"kf_account\":\"kf1@test\""), sent.get(10));
    api.customerService().typing("o1", true);
    assertEquals(List.of("o1:Typing"), wechat.typingReceived());

    clock.advance(Duration.ofHours(48));
    WeChatApiException closed =
        assertThrows(
            WeChatApiException.class,
            () -> api.customerService().send(CustomerServiceMessage.text("o1", "late")));
    assertEquals(WeChatApiException.CUSTOMER_SERVICE_WINDOW_CLOSED, closed.errorCode());
  }

  @Test
  void theTwentyFirstCustomerServiceMessageIsRefusedWith45047() {
    wechat.userMessaged("o2");
    for (int i = 0; i < 20; i++) {
      api.customerService().send(CustomerServiceMessage.text("o2", "m" + i));
    }
    WeChatApiException e =
        assertThrows(
            WeChatApiException.class,
            () -> api.customerService().send(CustomerServiceMessage.text("o2", "one more")));
    assertEquals(WeChatApiException.CUSTOMER_SERVICE_MESSAGE_LIMIT, e.errorCode());
  }

  @Test
  void mediaIsUploadedWithItsNameAndTypeAndDownloadedAsAStream() throws Exception {
    byte[] png = new byte[2048];
    png[0] = (byte) 0x89;
    Media.UploadedMedia image = api.media().upload(MediaKind.IMAGE, MediaFile.of("logo.png", png));
    ReceivedMedia received = wechat.mediaReceived().get(0);
    assertEquals("logo.png", received.filename());
    assertEquals("image/png", received.contentType());
    assertEquals(2048, received.size());
    assertEquals(image.mediaId(), received.mediaId());
    try (WeChatApi.Download d = api.media().open(image.mediaId());
        InputStream in = d.stream()) {
      assertEquals("logo.png", d.filename());
      assertTrue(d.contentType().startsWith("image/png"), d.contentType());
      assertArrayEquals(png, in.readAllBytes());
    }

    Path thumbFile = dir.resolve("cover.jpg");
    Files.write(thumbFile, new byte[64 * 1024]);
    Media.UploadedMedia thumb = api.media().upload(MediaKind.THUMB, MediaFile.of(thumbFile));
    assertEquals(MediaKind.THUMB, thumb.kind());

    Path video = dir.resolve("clip.mp4");
    Files.write(video, new byte[300_000]);
    Media.UploadedMedia clip = api.media().upload(MediaKind.VIDEO, MediaFile.of(video));
    Path back = dir.resolve("back.mp4");
    assertEquals(300_000L, api.media().download(clip.mediaId(), back));
    assertEquals(300_000L, Files.size(back));

    clock.advance(Duration.ofDays(3));
    WeChatApiException expired =
        assertThrows(WeChatApiException.class, () -> api.media().open(image.mediaId()));
    assertEquals(WeChatApiException.INVALID_MEDIA_ID, expired.errorCode());
  }

  @Test
  void a65KbThumbIsRefusedBeforeAnyByteIsSent() throws Exception {
    Path thumb = dir.resolve("big.jpg");
    Files.write(thumb, new byte[65 * 1024]);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> api.media().upload(MediaKind.THUMB, MediaFile.of(thumb)));
    assertTrue(e.getMessage().contains("65536"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> api.media().upload(MediaKind.VOICE, MediaFile.of("a.wav", new byte[10])));
    assertThrows(
        IllegalArgumentException.class,
        () -> api.media().upload(MediaKind.IMAGE, MediaFile.of("a.png", new byte[0])));
    assertThrows(IllegalArgumentException.class, () -> MediaFile.of("noextension", new byte[1]));
    assertEquals(0, wechat.requests("cgi-bin/media/upload"));
    assertEquals(List.of(), wechat.mediaReceived());
  }

  @Test
  void theStandInRefusesMediaOverWeChatsLimitsWithWeChatsCodes() {
    MediaFile big = MediaFile.of("big.jpg", new byte[65 * 1024]);
    WeChatApiException size =
        assertThrows(
            WeChatApiException.class,
            () ->
                api.upload(
                    "cgi-bin/media/upload", Map.of("type", "thumb"), "media", big, Map.class));
    assertEquals(WeChatApiException.INVALID_MEDIA_SIZE, size.errorCode());
    MediaFile wav = MediaFile.of("a.wav", new byte[10]);
    WeChatApiException format =
        assertThrows(
            WeChatApiException.class,
            () ->
                api.upload(
                    "cgi-bin/media/upload", Map.of("type", "voice"), "media", wav, Map.class));
    assertEquals(WeChatApiException.INVALID_FILE_TYPE, format.errorCode());
    WeChatApiException kind =
        assertThrows(
            WeChatApiException.class,
            () ->
                api.upload("cgi-bin/media/upload", Map.of("type", "gif"), "media", wav, Map.class));
    assertEquals(WeChatApiException.INVALID_MEDIA_TYPE, kind.errorCode());
  }
}
