package io.github.wechatmp.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.WeChatException;
import io.github.wechatmp.test.Fault;
import io.github.wechatmp.test.ManualClock;
import io.github.wechatmp.test.ReceivedRequest;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, item 1, over the file store: 4 providers, each with its own FileTokenStore on one file,
 * against a stand-in answering 40125, make the requests of one provider's hold-off schedule; in one
 * JVM on a manual clock (the hold-off travels through the file, as between processes), and in 4
 * child JVMs in real time.
 */
class SharedHoldOffOverFileTest {
  @TempDir Path dir;

  int tokenRequests(int providers, Path file) {
    ManualClock clock = new ManualClock(Instant.parse("2026-12-01T02:00:00Z"));
    try (WeChatStandIn wechat = TestApp.standIn(clock)) {
      wechat.failFor(
          Duration.ofHours(1),
          Fault.errcode(40125, "invalid appsecret").at(WeChatStandIn.TOKEN_PATH));
      List<AccessTokenProvider> all = new ArrayList<>();
      for (int i = 0; i < providers; i++) {
        all.add(
            AccessTokenProvider.builder()
                .appId(TestApp.APP_ID)
                .appSecret(TestApp.SECRET)
                .apiBaseUrl(wechat.baseUrl())
                .store(new FileTokenStore(file))
                .clock(clock)
                .build());
      }
      try {
        for (int step = 0; step < 600; step++) { // 60 s by the clock
          for (AccessTokenProvider p : all) {
            try {
              p.get();
            } catch (WeChatException expected) {
              // held off, or WeChat's refusal
            }
          }
          clock.advance(Duration.ofMillis(100));
        }
      } finally {
        all.forEach(AccessTokenProvider::close);
      }
      return wechat.tokenRequests();
    }
  }

  @Test
  void fourProvidersOverOneFileMakeTheRequestsOfOne() throws Exception {
    int one = tokenRequests(1, dir.resolve("one.json"));
    Path shared = dir.resolve("shared.json");
    int four = tokenRequests(4, shared);

    assertEquals(6, one); // attempts at 0, 1, 3, 7, 15, 31 s
    assertEquals(one, four);
    String text = Files.readString(shared);
    assertTrue(text.contains("\"holdOffs\""), text);
    assertTrue(
        new FileTokenStore(shared)
            .loadHoldOff(TokenKey.of(TestApp.APP_ID, TokenKey.ACCESS_TOKEN))
            .isPresent());
  }

  /**
   * The hold-off's schedule (1 s after the first failure, doubling; core's HoldOff and
   * RefreshPolicy.failureHoldOffMax, 2 min) puts one provider's attempts at 0, 1, 3, 7, 15 and 31 s
   * of a 60 s window, the next at 63 s: 6. In real time each attempt comes a little late (the 100
   * ms polling, the request itself), which can only lower the count, and only if the delays add up
   * to 29 s; none can come early. So the count is asserted exactly, with no slack: 6, where 4
   * processes keeping their own hold-offs would make 24.
   */
  @Test
  @Tag("slow") // 60 s of real time in 4 child JVMs
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void fourJvmsOverOneFileMakeTheRequestsOfOneProvidersHoldOffSchedule() throws Exception {
    Duration window = Duration.ofSeconds(60);
    Path file = dir.resolve("four-jvms.json");
    List<ChildJvm> children = new ArrayList<>();
    try (WeChatStandIn wechat = TestApp.standIn()) {
      for (int i = 0; i < 4; i++) {
        children.add(
            ChildJvm.start(
                dir,
                "poll-" + i,
                "poll",
                file.toString(),
                wechat.baseUrl(),
                Long.toString(window.toMillis())));
      }
      for (ChildJvm child : children) {
        child.awaitLine("READY", Duration.ofSeconds(60));
      }
      wechat.failFor(
          window, Fault.errcode(40125, "invalid appsecret").at(WeChatStandIn.TOKEN_PATH));
      for (ChildJvm child : children) {
        child.send("GO");
      }
      List<String> done = new ArrayList<>();
      for (ChildJvm child : children) {
        done.add(child.awaitLine("DONE ", window.plusSeconds(60)));
      }
      List<ReceivedRequest> requests = wechat.received(WeChatStandIn.TOKEN_PATH);

      for (ReceivedRequest r : requests) {
        assertEquals(40125, r.errcode(), "every request fell in the window: " + requests);
      }
      assertEquals(6, requests.size(), "token requests of the 4 JVMs; their reports: " + done);
      for (String line : done) {
        String[] parts = line.split(" ");
        assertEquals("6", parts[3], "every JVM's provider counts the 6 shared failures: " + line);
      }
      TokenStore.SharedHoldOff shared =
          new FileTokenStore(file)
              .loadHoldOff(TokenKey.of(TestApp.APP_ID, TokenKey.ACCESS_TOKEN))
              .orElseThrow();
      assertEquals(6, shared.failures());
      assertEquals(40125, shared.errorCode());
      for (ChildJvm child : children) {
        assertEquals(0, child.awaitExit(Duration.ofSeconds(30)), child.diagnostics());
      }
    } finally {
      for (ChildJvm child : children) {
        child.close();
      }
    }
  }
}
