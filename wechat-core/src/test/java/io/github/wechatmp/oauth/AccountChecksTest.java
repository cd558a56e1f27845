package io.github.wechatmp.oauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** WebAuthorization's and StateCodec's builders take and refuse the account's settings alike. */
class AccountChecksTest {
  private static final byte[] KEY =
      "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private static String message(Class<? extends Throwable> type, Executable e) {
    return assertThrows(type, e).getMessage();
  }

  @Test
  void bothBuildersTakeTheSameAppIdsAndRefuseTheSameOthersWithTheSameMessage() {
    WebAuthorization.builder().appId("wx_Ok-1").appSecret("s").build();
    StateCodec.builder().appId("wx_Ok-1").key(KEY).build();
    for (String bad : new String[] {"", "wx 1", "wx/1", "w".repeat(65)}) {
      assertEquals(
          message(IllegalArgumentException.class, () -> WebAuthorization.builder().appId(bad)),
          message(IllegalArgumentException.class, () -> StateCodec.builder().appId(bad)),
          bad);
    }
  }

  @Test
  void bothBuildersRefuseANullOrBlankAppSecretWithoutEchoingIt() {
    assertEquals(
        "appSecret",
        message(NullPointerException.class, () -> WebAuthorization.builder().appSecret(null)));
    assertEquals(
        "appSecret",
        message(NullPointerException.class, () -> StateCodec.builder().keyFromAppSecret(null)));
    assertEquals(
        "appSecret must not be blank",
        message(IllegalArgumentException.class, () -> WebAuthorization.builder().appSecret(" \t")));
    assertEquals(
        "appSecret must not be blank",
        message(
            IllegalArgumentException.class, () -> StateCodec.builder().keyFromAppSecret(" \t")));
  }

  @Test
  void bothBuildersRequireAnAppIdBeforeAnythingElseAtBuildTime() {
    assertEquals(
        "appId is required",
        message(IllegalStateException.class, () -> WebAuthorization.builder().build()));
    assertEquals(
        "appId is required",
        message(IllegalStateException.class, () -> StateCodec.builder().build()));
    assertEquals(
        "appSecret is required",
        message(
            IllegalStateException.class, () -> WebAuthorization.builder().appId("wx1").build()));
    assertEquals(
        "a key is required: key(...) or keyFromAppSecret(...)",
        message(IllegalStateException.class, () -> StateCodec.builder().appId("wx1").build()));
  }
}
