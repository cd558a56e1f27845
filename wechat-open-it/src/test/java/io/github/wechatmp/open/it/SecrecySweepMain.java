package io.github.wechatmp.open.it;

import static io.github.wechatmp.open.testing.TestMessages.text;

import io.github.wechatmp.callback.Reply;
import io.github.wechatmp.open.Authorization;
import io.github.wechatmp.open.AuthorizationEventEndpoint;
import io.github.wechatmp.open.AuthorizerMessages;
import io.github.wechatmp.open.InMemoryAuthorizationStore;
import io.github.wechatmp.open.OpenPlatform;
import io.github.wechatmp.open.testing.EndpointServer;
import io.github.wechatmp.open.testing.TestPlatform;
import io.github.wechatmp.test.CallbackClient;
import io.github.wechatmp.test.Fault;
import io.github.wechatmp.test.ManualClock;
import io.github.wechatmp.test.ReceivedRequest;
import io.github.wechatmp.test.StandInPlatform;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.InMemoryTokenStore;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStore;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.LoggerFactory;

/**
 * A child JVM for {@link SecrecySweepTest}, started with every logger at TRACE: a whole platform
 * run against the stand-in (ticket pushes, the authorization link, {@code api_query_auth}, the
 * authorizers' tokens fetched and refreshed with rotating refresh tokens, a {@code 61023} recovered
 * through the list and one not, {@code updateauthorized}, {@code unauthorized}, messages, a wrong
 * secret, a stale ticket, WeChat failing, a forged push). Logs go to {@code System.err}
 * (slf4j-simple), and so does every exception it sees (its stack trace: each cause's {@code
 * toString()}) and the {@code toString()} of every object it handles. At the end it prints every
 * secret, ticket, token and code of the run to {@code System.out}, one {@code SECRET <value>} a
 * line, then {@code DONE}.
 */
public final class SecrecySweepMain {
  private static final String WRONG_SECRET = "wrong-secret-0123456789abcdef012";
  private static final List<String> MERCHANTS =
      List.of("wxmerchant0000001", "wxmerchant0000002", "wxmerchant0000003");

  private final Set<String> secrets = new LinkedHashSet<>();
  private final PrintStream seen = System.err;
  private final ManualClock clock = new ManualClock();

  private SecrecySweepMain() {}

  public static void main(String[] args) throws Exception {
    new SecrecySweepMain().run();
  }

  private void run() throws Exception {
    LoggerFactory.getLogger(SecrecySweepMain.class).trace("TRACE is on");
    secrets.addAll(
        List.of(TestPlatform.SECRET, WRONG_SECRET, TestPlatform.AES_KEY, TestPlatform.TOKEN));
    TokenStore tokens = new InMemoryTokenStore();
    TokenStore wrongTokens = new InMemoryTokenStore();
    InMemoryAuthorizationStore authorizations = new InMemoryAuthorizationStore();
    try (WeChatStandIn standIn = WeChatStandIn.builder().clock(clock).start();
        OpenPlatform platform = platform(standIn, tokens, authorizations, TestPlatform.SECRET);
        OpenPlatform wrong = platform(standIn, wrongTokens, authorizations, WRONG_SECRET);
        EndpointServer server = serve(platform)) {
      StandInPlatform wechat =
          standIn
              .openPlatform()
              .credentials(TestPlatform.COMPONENT_APP_ID, TestPlatform.SECRET)
              .pushTo(server.url("events"), TestPlatform.TOKEN, TestPlatform.AES_KEY);
      see(platform);

      // No ticket yet, then a ticket; the wrong secret refused.
      attempt(() -> platform.componentAccessToken().get());
      wechat.pushTicket();
      clock.advance(Duration.ofSeconds(2)); // past the failure's hold-off
      see(platform.componentAccessToken().get());
      see(platform.componentAccessToken());
      TokenKey ticket =
          TokenKey.of(TestPlatform.COMPONENT_APP_ID, OpenPlatform.COMPONENT_VERIFY_TICKET);
      wrongTokens.save(ticket, tokens.load(ticket).orElseThrow()); // WeChat refuses the secret
      attempt(() -> wrong.componentAccessToken().get());

      // The authorization link, then WeChat's authorized push and api_query_auth.
      for (OpenPlatform.LinkType type : OpenPlatform.LinkType.values()) {
        String url = platform.authorizationUrl("https://vendor.example/done", type);
        Matcher m = Pattern.compile("pre_auth_code=([^&#]+)").matcher(url);
        if (m.find()) {
          secrets.add(java.net.URLDecoder.decode(m.group(1), StandardCharsets.UTF_8));
        }
      }
      for (String m : MERCHANTS) {
        secrets.add(wechat.authorize(m, List.of(1, 15)));
        noteRefreshToken(wechat, authorizations, m);
        AccessTokenProvider p = platform.authorizer(m);
        see(p.get());
        see(p);
      }
      see(authorizations.find(MERCHANTS.get(0)).orElseThrow());
      see(authorizations);

      // Refreshes with rotating refresh tokens; one failing at WeChat first.
      wechat.rotateRefreshTokens();
      standIn.failNext(1, Fault.systemBusy().at("cgi-bin/component/api_authorizer_token"));
      standIn.failNext(1, Fault.httpStatus(500).at("cgi-bin/component/api_authorizer_token"));
      for (int i = 0; i < 3; i++) {
        for (String m : MERCHANTS) {
          attempt(() -> platform.authorizer(m).refresh());
          noteRefreshToken(wechat, authorizations, m);
        }
        clock.advance(Duration.ofMinutes(30));
      }
      for (String m : MERCHANTS) {
        see(platform.authorizer(m).get());
      }
      see(platform.componentAccessToken().get());

      // updateauthorized, then a stored refresh token WeChat no longer takes (61023): recovered
      // through the list.
      String merchant = MERCHANTS.get(0);
      String before = authorizations.find(merchant).orElseThrow().refreshToken();
      secrets.add(wechat.reauthorize(merchant, List.of(1, 15, 24)));
      noteRefreshToken(wechat, authorizations, merchant);
      Authorization held = authorizations.find(merchant).orElseThrow();
      authorizations.save(held.withRefreshToken(before, clock.instant()));
      see(platform.authorizer(merchant).refresh());
      noteRefreshToken(wechat, authorizations, merchant);

      // A 61023 the list cannot recover: the account must authorize again.
      String second = MERCHANTS.get(1);
      wechat.unauthorize(second);
      Authorization revoked = authorizations.find(second).orElseThrow();
      see(revoked);
      authorizations.save(
          Authorization.authorized(second, revoked.refreshToken(), List.of(1), clock.instant()));
      attempt(() -> platform.authorizer(second).refresh());
      attempt(() -> platform.authorizer(second).get());
      see(authorizations.find(second).orElseThrow());

      // unauthorized stops the fetches.
      String third = MERCHANTS.get(2);
      wechat.unauthorize(third);
      attempt(() -> platform.authorizer(third).get());

      // Messages to an authorizer, and a forged push.
      CallbackClient toMerchant =
          CallbackClient.builder()
              .url(server.url(merchant))
              .token(TestPlatform.TOKEN)
              .encodingAesKey(TestPlatform.AES_KEY)
              .appId(TestPlatform.COMPONENT_APP_ID)
              .wechatRetries(false)
              .clock(clock)
              .build();
      see(toMerchant.send(text("hello", 1001)));
      attempt(() -> toMerchant.send(text("hello again", 1002)));
      CallbackClient forger =
          CallbackClient.builder()
              .url(server.url("events"))
              .token("not-the-platform-token")
              .encodingAesKey(TestPlatform.AES_KEY)
              .appId(TestPlatform.COMPONENT_APP_ID)
              .wechatRetries(false)
              .clock(clock)
              .build();
      attempt(
          () -> forger.send("<xml><InfoType><![CDATA[component_verify_ticket]]></InfoType></xml>"));

      // A ticket gone stale: 12 hours without a push.
      clock.advance(Duration.ofHours(13));
      attempt(() -> platform.componentAccessToken().refresh());
      wechat.pushTicket();
      clock.advance(Duration.ofSeconds(2));
      see(platform.componentAccessToken().refresh());

      secrets.addAll(wechat.ticketsPushed());
      for (ReceivedRequest r : standIn.received()) {
        for (String name : List.of("component_access_token", "access_token")) {
          String v = r.queryParameter(name);
          if (v != null) {
            secrets.add(v);
          }
        }
        Matcher m =
            Pattern.compile(
                    "\"(authorizer_refresh_token|component_verify_ticket|authorization_code)\""
                        + "\\s*:\\s*\"([^\"]+)\"")
                .matcher(r.body());
        while (m.find()) {
          secrets.add(m.group(2));
        }
      }
    }
    System.err.flush();
    for (String s : secrets) {
      System.out.println("SECRET " + s);
    }
    System.out.println("DONE");
    System.out.flush();
  }

  private OpenPlatform platform(
      WeChatStandIn standIn,
      TokenStore tokens,
      InMemoryAuthorizationStore authorizations,
      String secret) {
    return TestPlatform.builder(standIn.baseUrl())
        .componentAppSecret(secret)
        .store(tokens)
        .authorizations(authorizations)
        .clock(clock)
        .eventListener(event -> see(event))
        .build();
  }

  /** Serves the events at {@code /wechat/events} and every authorizer's messages beside them. */
  private EndpointServer serve(OpenPlatform platform) throws Exception {
    AuthorizationEventEndpoint events = platform.callback();
    AuthorizerMessages messages =
        platform.messages(
            (appId, message) -> {
              see(message);
              return Reply.text("heard");
            });
    see(events);
    see(messages);
    return EndpointServer.serve(
        "/wechat/",
        (path, method, query, body) -> {
          String last = path.substring(path.lastIndexOf('/') + 1);
          return last.equals("events")
              ? events.handle(method, query, body)
              : messages.handle(last, method, query, body);
        });
  }

  private void noteRefreshToken(
      StandInPlatform wechat, InMemoryAuthorizationStore authorizations, String merchant) {
    String held = wechat.refreshTokenOf(merchant);
    if (held != null) {
      secrets.add(held);
    }
    authorizations.find(merchant).ifPresent(a -> secrets.add(a.refreshToken()));
  }

  /** Runs what may fail: a failure's whole stack trace, with its causes, goes to the log. */
  private void attempt(Callable<?> call) {
    try {
      see(call.call());
    } catch (Exception e) {
      e.printStackTrace(seen);
    }
  }

  private void see(Object o) {
    if (o instanceof AccessToken t) {
      secrets.add(t.value());
    }
    seen.println("SEEN " + o);
  }
}
