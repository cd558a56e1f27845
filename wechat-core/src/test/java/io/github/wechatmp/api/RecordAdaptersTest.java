package io.github.wechatmp.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.squareup.moshi.Json;
import com.squareup.moshi.JsonAdapter;
import com.squareup.moshi.JsonDataException;
import com.squareup.moshi.Moshi;
import io.github.wechatmp.WeChatTransportException;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.testing.StandIns;
import io.github.wechatmp.token.AccessTokenProvider;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** WeChatApi's own record adapters, which do not depend on Moshi's multi-release jar part. */
class RecordAdaptersTest {
  private final Moshi moshi = new Moshi.Builder().add(RecordAdapters.FACTORY).build();

  record Page(long total, @Json(name = "next_openid") String next, List<String> ids) {}

  record Positive(int n) {
    Positive {
      if (n <= 0) {
        throw new IllegalArgumentException("n must be positive");
      }
    }
  }

  @Test
  void aRecordInAPackagePrivateClassReadsByJsonNamesSkippingUnknownMembersAndZeroingMissingOnes()
      throws Exception {
    JsonAdapter<Page> adapter = moshi.adapter(Page.class);
    assertTrue(adapter.toString().startsWith("RecordAdapter"), "ours, not Moshi's");
    Page page = adapter.fromJson("{\"next_openid\":\"o9\",\"extra\":{\"a\":[1]},\"ids\":[\"o1\"]}");
    assertEquals(new Page(0, "o9", List.of("o1")), page);
    assertEquals("{\"total\":3,\"ids\":[]}", adapter.toJson(new Page(3, null, List.of())));
  }

  @Test
  void aRecordThatRefusesItsValuesIsAJsonDataExceptionAndThroughTheClientATransportException() {
    JsonAdapter<Positive> adapter = moshi.adapter(Positive.class);
    assertThrows(JsonDataException.class, () -> adapter.fromJson("{\"n\":0}"));
    try (WeChatStandIn wechat = WeChatStandIn.start();
        AccessTokenProvider tokens =
            AccessTokenProvider.builder()
                .appId(StandIns.APP_ID)
                .appSecret(StandIns.SECRET)
                .apiBaseUrl(wechat.baseUrl())
                .build()) {
      wechat.addEndpoint("cgi-bin/n", "{\"n\":-1}");
      WeChatApi api = WeChatApi.builder().tokens(tokens).build();
      WeChatTransportException e =
          assertThrows(
              WeChatTransportException.class, () -> api.get("cgi-bin/n", Map.of(), Positive.class));
      assertTrue(e.getMessage().contains("does not fit"), e.getMessage());
    }
  }
}
