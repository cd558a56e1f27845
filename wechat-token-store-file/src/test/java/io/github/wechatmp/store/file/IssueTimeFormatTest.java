package io.github.wechatmp.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.TokenKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, item 6: the token file keeps issue times, and files in the format before still read.
 */
class IssueTimeFormatTest {
  private static final TokenKey KEY = TokenKey.of(TestApp.APP_ID, TokenKey.ACCESS_TOKEN);

  @TempDir Path dir;

  @Test
  void aTokenFileInTodaysFormatIsReadBackAsATokenOfUnknownIssueTime() throws Exception {
    Path file = dir.resolve("tokens.json");
    // Exactly what FileTokenStore wrote before issue times were kept.
    String today =
        "{\n"
            + "  \"version\": 1,\n"
            + "  \"tokens\": {\n"
            + "    \"wx0123456789abcdef:access_token\": {\n"
            + "      \"value\": \"TODAY_FORMAT_TOKEN_0123456789\",\n"
            + "      \"expiresAt\": \"2030-01-01T00:00:00.123Z\"\n"
            + "    }\n"
            + "  }\n"
            + "}\n";
    Files.writeString(file, today);

    AccessToken read = new FileTokenStore(file).load(KEY).orElseThrow();

    assertEquals("TODAY_FORMAT_TOKEN_0123456789", read.value());
    assertEquals(Instant.parse("2030-01-01T00:00:00.123Z"), read.expiresAt());
    assertEquals(Optional.empty(), read.issuedAt());
  }

  @Test
  void theIssueTimeIsWrittenAndReadBackExactly() throws Exception {
    Path file = dir.resolve("tokens.json");
    Instant issued = Instant.parse("2029-12-31T22:00:00.123456789Z");
    AccessToken t = AccessToken.of("ISSUED_TOKEN_0123456789", issued, issued.plusSeconds(7200));

    new FileTokenStore(file).save(KEY, t);

    String text = Files.readString(file, StandardCharsets.UTF_8);
    assertTrue(text.contains("\"issuedAt\": \"2029-12-31T22:00:00.123456789Z\""), text);
    assertEquals(t, new FileTokenStore(file).load(KEY).orElseThrow());
  }

  @Test
  void anUnusableIssueTimeLeavesTheTokenUsableOfUnknownIssueTime() throws Exception {
    Path file = dir.resolve("tokens.json");
    Files.writeString(
        file,
        "{\"version\":1,\"tokens\":{\""
            + KEY
            + "\":{\"value\":\"TOKEN_0123456789\",\"issuedAt\":\"yesterday\","
            + "\"expiresAt\":\"2030-01-01T00:00:00Z\"}}}");

    AccessToken read = new FileTokenStore(file).load(KEY).orElseThrow();

    assertEquals("TOKEN_0123456789", read.value());
    assertEquals(Optional.empty(), read.issuedAt());
  }
}
