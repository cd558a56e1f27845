package io.github.wechatmp.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.WeChatException;
import io.github.wechatmp.test.Fault;
import io.github.wechatmp.test.ManualClock;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.TokenKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, item 1, over the file store: 4 providers, each with its own FileTokenStore on one file,
 * against a stand-in answering 40125, make the requests of one provider's hold-off schedule. (In
 * one JVM: the hold-off travels through the file, as between processes.)
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
}
