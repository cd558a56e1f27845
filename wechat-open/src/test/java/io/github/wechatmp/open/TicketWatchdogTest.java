package io.github.wechatmp.open;

import static io.github.wechatmp.open.testing.TestPlatform.AES_KEY;
import static io.github.wechatmp.open.testing.TestPlatform.COMPONENT_APP_ID;
import static io.github.wechatmp.open.testing.TestPlatform.SECRET;
import static io.github.wechatmp.open.testing.TestPlatform.TOKEN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.wechatmp.open.testing.EndpointServer;
import io.github.wechatmp.open.testing.TestPlatform;
import io.github.wechatmp.test.ManualClock;
import io.github.wechatmp.test.StandInPlatform;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.token.InMemoryTokenStore;
import io.github.wechatmp.token.TokenStore;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The ticket watchdog on a {@link ManualClock} shared by the platform and the stand-in: moving the
 * clock runs the watchdog's checks due by then, and their {@code api_start_push_ticket}, before the
 * move returns, so nothing sleeps.
 */
class TicketWatchdogTest {
  private static final String WARNING = "No component_verify_ticket reached the platform";

  private final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T08:00:00Z"));
  private final TokenStore store = new InMemoryTokenStore();
  private final List<OpenPlatform> platforms = new ArrayList<>();
  private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
  private final PrintStream originalErr = System.err;
  private WeChatStandIn standIn;
  private StandInPlatform wechat;
  private EndpointServer server;

  @BeforeEach
  void start() throws Exception {
    System.setErr(tee());
    standIn = WeChatStandIn.builder().clock(clock).start();
    OpenPlatform receiver = platform();
    server = EndpointServer.serve("/wechat/events", receiver.callback());
    wechat =
        standIn
            .openPlatform()
            .credentials(COMPONENT_APP_ID, SECRET)
            .pushTo(server.url(), TOKEN, AES_KEY);
  }

  @AfterEach
  void stop() {
    System.setErr(originalErr);
    platforms.forEach(OpenPlatform::close);
    server.close();
    standIn.close();
  }

  private OpenPlatform platform() {
    OpenPlatform p =
        TestPlatform.builder(standIn.baseUrl())
            .store(store)
            .authorizations(new InMemoryAuthorizationStore())
            .clock(clock)
            .build();
    platforms.add(p);
    return p;
  }

  private int warnings() {
    String text = logged.toString(StandardCharsets.UTF_8);
    int n = 0;
    for (int at = text.indexOf(WARNING); at >= 0; at = text.indexOf(WARNING, at + 1)) {
      n++;
    }
    return n;
  }

  @Test
  void twentyMinutesWithoutATicketWarnOnceAndAskWeChatToPushOne() {
    wechat.pushTicket();

    clock.advance(Duration.ofMinutes(19));
    assertEquals(0, wechat.startPushTicketRequests());
    assertEquals(0, warnings());

    clock.advance(Duration.ofMinutes(1));
    assertEquals(1, wechat.startPushTicketRequests());
    assertEquals(1, warnings());

    clock.advance(Duration.ofMinutes(20)); // still silent: asked again, not warned again
    assertEquals(2, wechat.startPushTicketRequests());
    assertEquals(1, warnings());
  }

  @Test
  void ticketsEveryTenMinutesNeverTriggerIt() {
    for (int i = 0; i < 12; i++) {
      wechat.pushTicket();
      clock.advance(Duration.ofMinutes(10));
    }
    assertEquals(0, wechat.startPushTicketRequests());
    assertEquals(0, warnings());
  }

  @Test
  void aTicketAnotherInstanceReceivedCountsForEveryInstanceSharingTheStore() {
    OpenPlatform other = platform(); // never pushed to: WeChat pushes to one instance of many
    for (int i = 0; i < 6; i++) {
      wechat.pushTicket();
      clock.advance(Duration.ofMinutes(10));
    }
    assertEquals(0, wechat.startPushTicketRequests(), other.toString());
  }

  @Test
  void aPlatformThatNeverGotATicketAsksTwentyMinutesAfterItWasBuilt() {
    clock.advance(Duration.ofMinutes(19));
    assertEquals(0, wechat.startPushTicketRequests());
    clock.advance(Duration.ofMinutes(1));
    assertEquals(1, wechat.startPushTicketRequests());
    assertEquals(1, warnings());
  }

  @Test
  void aWarnedSilenceEndsWithTheNextTicketAndANewSilenceIsWarnedAgain() {
    wechat.pushTicket();
    clock.advance(Duration.ofMinutes(20));
    assertEquals(1, warnings());
    wechat.pushTicket(); // pushes resumed
    clock.advance(Duration.ofMinutes(19));
    assertEquals(1, wechat.startPushTicketRequests());
    clock.advance(Duration.ofMinutes(1));
    assertEquals(2, wechat.startPushTicketRequests());
    assertEquals(2, warnings());
  }

  @Test
  void aClosedPlatformNoLongerWatches() {
    platforms.forEach(OpenPlatform::close);
    clock.advance(Duration.ofHours(1));
    assertEquals(0, wechat.startPushTicketRequests());
    assertFalse(logged.toString(StandardCharsets.UTF_8).contains(SECRET));
  }

  private PrintStream tee() {
    return new PrintStream(
        new OutputStream() {
          @Override
          public synchronized void write(int b) {
            logged.write(b);
            originalErr.write(b);
          }

          @Override
          public synchronized void write(byte[] b, int off, int len) {
            logged.write(b, off, len);
            originalErr.write(b, off, len);
          }
        },
        true,
        StandardCharsets.UTF_8);
  }
}
