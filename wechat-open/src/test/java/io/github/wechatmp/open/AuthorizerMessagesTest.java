package io.github.wechatmp.open;

import static io.github.wechatmp.open.testing.TestMessages.text;
import static io.github.wechatmp.open.testing.TestPlatform.AES_KEY;
import static io.github.wechatmp.open.testing.TestPlatform.COMPONENT_APP_ID;
import static io.github.wechatmp.open.testing.TestPlatform.SECRET;
import static io.github.wechatmp.open.testing.TestPlatform.TOKEN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.callback.CallbackResponse;
import io.github.wechatmp.callback.Reply;
import io.github.wechatmp.callback.inbound.TextMessage;
import io.github.wechatmp.open.testing.DelegatingAuthorizationStore;
import io.github.wechatmp.open.testing.EndpointServer;
import io.github.wechatmp.open.testing.TestPlatform;
import io.github.wechatmp.test.CallbackClient;
import io.github.wechatmp.test.CallbackException;
import io.github.wechatmp.test.ManualClock;
import io.github.wechatmp.test.ReceivedRequest;
import io.github.wechatmp.test.StandInPlatform;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.token.InMemoryTokenStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The authorizers' message endpoint end to end: the stand-in pushes the ticket and the
 * authorization events to the platform's event URL, and a {@link CallbackClient} plays WeChat
 * delivering an authorizer's messages, encrypted with the platform's key, to {@code
 * /wechat/{appId}} on the JDK's HttpServer.
 */
class AuthorizerMessagesTest {
  private static final String MERCHANT = "wxmerchant0000001";

  private final List<String> handledFor = new CopyOnWriteArrayList<>();
  private final AtomicInteger handled = new AtomicInteger();
  private final AuthorizationStore authorizations = new InMemoryAuthorizationStore();
  private final ManualClock otherClock = new ManualClock();
  private OpenPlatform otherInstance;
  private AuthorizerMessages otherMessages;
  private AuthorizerMessages slowMessages;
  private final CountDownLatch release = new CountDownLatch(1);
  private WeChatStandIn standIn;
  private StandInPlatform wechat;
  private EndpointServer server;
  private OpenPlatform platform;
  private AuthorizerMessages messages;

  @BeforeEach
  void start() throws Exception {
    standIn = WeChatStandIn.start();
    platform =
        TestPlatform.builder(standIn.baseUrl())
            .store(new InMemoryTokenStore())
            .authorizations(authorizations)
            .build();
    // Another instance of the cluster: the same authorization store, its own clock.
    otherInstance =
        TestPlatform.builder(standIn.baseUrl())
            .authorizations(authorizations)
            .clock(otherClock)
            .build();
    otherMessages = otherInstance.messages(m -> Reply.text("other instance"));
    slowMessages =
        platform
            .messagesBuilder(
                (appId, message) -> {
                  try {
                    release.await(30, TimeUnit.SECONDS); // until WeChat was answered
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  return Reply.text("late, for " + appId);
                })
            .replyDeadline(Duration.ofMillis(200))
            .build();
    messages =
        platform.messages(
            (appId, message) -> {
              handled.incrementAndGet();
              handledFor.add(appId);
              return message instanceof TextMessage t
                  ? Reply.text(appId + " heard: " + t.content())
                  : Reply.none();
            });
    AuthorizationEventEndpoint events = platform.callback();
    server =
        EndpointServer.serve(
            "/wechat/",
            (path, method, query, body) -> {
              String last = path.substring(path.lastIndexOf('/') + 1);
              AuthorizerMessages target =
                  path.contains("/other/")
                      ? otherMessages
                      : path.contains("/slow/") ? slowMessages : messages;
              return last.equals("events")
                  ? events.handle(method, query, body)
                  : target.handle(last, method, query, body);
            });
    wechat =
        standIn
            .openPlatform()
            .credentials(COMPONENT_APP_ID, SECRET)
            .pushTo(url("events"), TOKEN, AES_KEY);
    wechat.pushTicket();
  }

  @AfterEach
  void stop() {
    release.countDown();
    otherInstance.close();
    platform.close();
    server.close();
    standIn.close();
  }

  private String url(String last) {
    return server.url(last);
  }

  /** WeChat delivering the authorizer's messages: signed with, and encrypted for, the platform. */
  private CallbackClient wechatFor(String authorizerAppId) {
    return CallbackClient.builder()
        .url(url(authorizerAppId))
        .token(TOKEN)
        .encodingAesKey(AES_KEY)
        .appId(COMPONENT_APP_ID)
        .wechatRetries(false)
        .build();
  }

  private CallbackClient wechatAt(String prefix, String authorizerAppId) {
    return CallbackClient.builder()
        .url(url(prefix + "/" + authorizerAppId))
        .token(TOKEN)
        .encodingAesKey(AES_KEY)
        .appId(COMPONENT_APP_ID)
        .wechatRetries(false)
        .build();
  }

  @Test
  void anAuthorizersEncryptedMessageReachesTheHandlerAndItsReplyComesBack() {
    wechat.authorize(MERCHANT, List.of(1));

    String reply = wechatFor(MERCHANT).send(text("hello", 1001));

    assertTrue(reply.contains("<![CDATA[" + MERCHANT + " heard: hello]]>"), reply);
    assertTrue(reply.contains("<ToUserName><![CDATA[openid-of-a-customer]]></ToUserName>"), reply);
    assertEquals(List.of(MERCHANT), handledFor);
  }

  @Test
  void wechatsRetryOfAMessageIsAnsweredTheSameReplyWithoutRunningTheHandlerAgain() {
    wechat.authorize(MERCHANT, List.of(1));
    CallbackClient client = wechatFor(MERCHANT);

    String first = client.send(text("once", 1002));
    String retry = client.send(text("once", 1002));

    assertEquals(first, retry);
    assertEquals(1, handled.get());
  }

  @Test
  void twoAuthorizersAreServedByTheirOwnCallbacksOnOneEndpoint() {
    String other = "wxmerchant0000002";
    wechat.authorize(MERCHANT, List.of(1));
    wechat.authorize(other, List.of(1));

    String a = wechatFor(MERCHANT).send(text("a", 1));
    String b = wechatFor(other).send(text("b", 1)); // the same MsgId, another account

    assertTrue(a.contains(MERCHANT + " heard: a"), a);
    assertTrue(b.contains(other + " heard: b"), b);
    assertEquals(List.of(MERCHANT, other), handledFor);
  }

  @Test
  void aRevokedAccountsMessageIsRefusedAndTheHandlerDoesNotRun() {
    wechat.authorize(MERCHANT, List.of(1));
    wechatFor(MERCHANT).send(text("before", 1));
    wechat.unauthorize(MERCHANT);

    CallbackException e =
        assertThrows(CallbackException.class, () -> wechatFor(MERCHANT).send(text("after", 2)));

    assertEquals(403, e.status());
    assertEquals(1, handled.get());
  }

  @Test
  void aRevocationAnotherInstanceHandledTakesEffectHereWithinAMinute() {
    wechat.authorize(MERCHANT, List.of(1));
    assertTrue(wechatAt("other", MERCHANT).send(text("a", 1)).contains("other instance"));
    wechat.unauthorize(MERCHANT); // pushed to the first instance only

    otherClock.advance(Duration.ofSeconds(59));
    assertTrue(wechatAt("other", MERCHANT).send(text("b", 2)).contains("other instance"));
    otherClock.advance(Duration.ofSeconds(1));
    CallbackException e =
        assertThrows(CallbackException.class, () -> wechatAt("other", MERCHANT).send(text("c", 3)));
    assertEquals(403, e.status());
  }

  @Test
  @Tag("slow") // waits out a real 200 ms reply deadline
  void aReplyAfterTheDeadlineGoesOutAsACustomerServiceMessageWithTheAuthorizersToken()
      throws Exception {
    wechat.authorize(MERCHANT, List.of(1));

    String answered = wechatAt("slow", MERCHANT).send(text("take your time", 7));
    assertEquals("success", answered);
    release.countDown();

    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (standIn.received("cgi-bin/message/custom/send").isEmpty() && System.nanoTime() < until) {
      Thread.sleep(20);
    }
    ReceivedRequest sent = standIn.received("cgi-bin/message/custom/send").get(0);
    assertTrue(sent.body().contains("late, for " + MERCHANT), sent.body());
    assertTrue(sent.body().contains("openid-of-a-customer"), sent.body());
    assertEquals(platform.authorizer(MERCHANT).get().value(), sent.queryParameter("access_token"));
  }

  @Test
  void anAccountThatNeverAuthorizedIsRefusedWithNotFound() {
    CallbackException e =
        assertThrows(
            CallbackException.class, () -> wechatFor("wxstranger0000001").send(text("hi", 1)));
    assertEquals(404, e.status());
    assertEquals(0, handled.get());
  }

  @Test
  void aMalformedAppIdInThePathIsABadRequest() {
    wechat.authorize(MERCHANT, List.of(1));
    CallbackException e =
        assertThrows(CallbackException.class, () -> wechatFor("wx-not!valid").send(text("x", 1)));
    assertEquals(400, e.status());
  }

  @Test
  void anUnsignedRequestIsRefusedBeforeTheAuthorizationStoreIsRead() {
    AuthorizationStore counting = new CountingStore();
    OpenPlatform p =
        OpenPlatform.builder()
            .componentAppId(COMPONENT_APP_ID)
            .componentAppSecret(SECRET)
            .token(TOKEN)
            .encodingAesKey(AES_KEY)
            .authorizations(counting)
            .build();
    try {
      CallbackResponse r =
          p.messages(m -> Reply.none())
              .handle(
                  MERCHANT,
                  "POST",
                  Map.of("signature", "forged", "timestamp", "1", "nonce", "n"),
                  "<xml/>");
      assertEquals(403, r.status());
      assertEquals(0, ((CountingStore) counting).finds.get());
    } finally {
      p.close();
    }
  }

  @Test
  void aMessageEncryptedForAnotherAppIdIsRefused() {
    wechat.authorize(MERCHANT, List.of(1));
    CallbackClient wrong =
        CallbackClient.builder()
            .url(url(MERCHANT))
            .token(TOKEN)
            .encodingAesKey(AES_KEY)
            .appId(MERCHANT) // WeChat encrypts for the platform, never for the authorizer
            .wechatRetries(false)
            .build();
    CallbackException e = assertThrows(CallbackException.class, () -> wrong.send(text("x", 1)));
    assertEquals(403, e.status());
    assertEquals(0, handled.get());
  }

  @Test
  void itsDescriptionShowsNeitherTheTokenNorTheKey() {
    wechat.authorize(MERCHANT, List.of(1));
    wechatFor(MERCHANT).send(text("x", 1));
    String s = messages.toString();
    assertFalse(s.contains(TOKEN) || s.contains(AES_KEY), s);
    assertTrue(s.contains("authorizers served=1"), s);
  }

  private static final class CountingStore extends DelegatingAuthorizationStore {
    final AtomicInteger finds = new AtomicInteger();

    CountingStore() {
      super(new InMemoryAuthorizationStore());
    }

    @Override
    public Optional<Authorization> find(String authorizerAppId) {
      finds.incrementAndGet();
      return super.find(authorizerAppId);
    }
  }
}
