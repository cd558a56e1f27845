package io.github.wechatmp.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.testing.LogCapture;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.RefreshPolicy;
import io.github.wechatmp.token.TokenKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CorruptFileTest {
  private static final TokenKey KEY = TokenKey.of(TestApp.APP_ID, TokenKey.ACCESS_TOKEN);
  private static final String VALID =
      "{\"version\":1,\"tokens\":{\""
          + KEY
          + "\":"
          + "{\"value\":\"SECRET_TOKEN_VALUE_0123456789\",\"expiresAt\":\"2030-01-01T00:00:00Z\"}}}";

  @TempDir Path dir;

  static Stream<Arguments> corruptFiles() {
    byte[] garbage = new byte[512];
    new Random(42).nextBytes(garbage);
    return Stream.of(
        Arguments.of("empty", new byte[0]),
        Arguments.of("whitespace", utf8("  \n")),
        Arguments.of("truncated JSON", utf8(VALID.substring(0, VALID.length() / 2))),
        Arguments.of("truncated by one byte", utf8(VALID.substring(0, VALID.length() - 1))),
        Arguments.of("an array", utf8("[]")),
        Arguments.of("null", utf8("null")),
        Arguments.of("a string", utf8("\"SECRET_TOKEN_VALUE_0123456789\"")),
        Arguments.of("not JSON", utf8("access_token=SECRET_TOKEN_VALUE_0123456789")),
        Arguments.of("trailing garbage", utf8(VALID + "}}")),
        Arguments.of("two documents", utf8(VALID + VALID)),
        Arguments.of("binary garbage", garbage),
        Arguments.of("NUL bytes", new byte[64]),
        Arguments.of("tokens is an array", utf8("{\"version\":1,\"tokens\":[]}")),
        Arguments.of("no tokens", utf8("{\"version\":1}")),
        Arguments.of("newer version", utf8(VALID.replace("\"version\":1", "\"version\":2"))),
        Arguments.of(
            "version is a string", utf8(VALID.replace("\"version\":1", "\"version\":\"1\""))),
        Arguments.of(
            "value is a number", utf8(VALID.replace("\"SECRET_TOKEN_VALUE_0123456789\"", "12345"))),
        Arguments.of("value is empty", utf8(VALID.replace("SECRET_TOKEN_VALUE_0123456789", ""))),
        Arguments.of(
            "value has a space",
            utf8(VALID.replace("SECRET_TOKEN_VALUE_0123456789", "SECRET TOKEN"))),
        Arguments.of(
            "expiresAt is a number",
            utf8(VALID.replace("\"2030-01-01T00:00:00Z\"", "1893456000000"))),
        Arguments.of(
            "expiresAt is not a date", utf8(VALID.replace("2030-01-01T00:00:00Z", "tomorrow"))),
        Arguments.of(
            "expiresAt out of range",
            utf8(VALID.replace("2030-01-01T00:00:00Z", "+1000000000-01-01T00:00:00Z"))),
        Arguments.of(
            "value missing",
            utf8(VALID.replace("\"value\":\"SECRET_TOKEN_VALUE_0123456789\",", ""))),
        Arguments.of(
            "expiresAt missing",
            utf8(VALID.replace(",\"expiresAt\":\"2030-01-01T00:00:00Z\"", ""))),
        Arguments.of(
            "entry is a string",
            utf8("{\"tokens\":{\"" + KEY + "\":\"SECRET_TOKEN_VALUE_0123456789\"}}")),
        Arguments.of(
            "duplicate field",
            utf8(
                VALID.replace(
                    "\"value\":", "\"value\":\"SECRET_TOKEN_VALUE_0123456789\",\"value\":"))),
        Arguments.of(
            "latin-1 text",
            "{\"tokens\":{\"caf\u00e9\":1}}".getBytes(StandardCharsets.ISO_8859_1)));
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corruptFiles")
  void aCorruptFileReadsAsNoTokenWarnsOnceAndIsRepairedByTheNextSave(String name, byte[] contents)
      throws Exception {
    Path file = dir.resolve("tokens.json");
    Files.write(file, contents);
    FileTokenStore store = new FileTokenStore(file);
    try (LogCapture log = new LogCapture()) {
      assertEquals(Optional.empty(), store.load(KEY));
      assertEquals(Optional.empty(), new FileTokenStore(file).load(KEY));
      assertFalse(store.deleteIfValue(KEY, "SECRET_TOKEN_VALUE_0123456789"));
      assertEquals(Optional.empty(), store.load(KEY));

      List<String> warnings = warnings(log.text());
      assertEquals(1, warnings.size(), "one WARN for one corrupt file: " + warnings);
      assertTrue(warnings.get(0).contains(store.path().toString()), warnings.get(0));
      assertFalse(
          log.text().contains("SECRET_TOKEN_VALUE_0123456789"), "no token value in the log");

      AccessToken repaired = AccessToken.of("REPAIRED", Instant.parse("2030-01-01T00:00:00.001Z"));
      store.save(KEY, repaired);
      assertEquals(Optional.of(repaired), store.load(KEY));
      TokenFileFormat.Parsed parsed = TokenFileFormat.parse(Files.readAllBytes(file));
      assertEquals(List.of(), parsed.problems);
      assertEquals(java.util.Map.of(KEY, repaired), parsed.tokens);
      assertEquals(1, warnings(log.text()).size(), "no more warnings once repaired");
    }
  }

  @Test
  void anUnusableEntryIsDroppedAndTheOthersKept() throws Exception {
    Path file = dir.resolve("tokens.json");
    TokenKey other = TokenKey.of("wxother", TokenKey.ACCESS_TOKEN);
    Files.writeString(
        file,
        "{\"version\":1,\"tokens\":{"
            + "\""
            + KEY
            + "\":{\"value\":\"SECRET_TOKEN_VALUE_0123456789\"},"
            + "\"not a key\":{\"value\":\"X\",\"expiresAt\":\"2030-01-01T00:00:00Z\"},"
            + "\""
            + other
            + "\":{\"value\":\"OTHER\",\"expiresAt\":\"2030-01-01T00:00:00Z\",\"note\":\"kept\"}}}");
    FileTokenStore store = new FileTokenStore(file);
    try (LogCapture log = new LogCapture()) {
      assertEquals(Optional.empty(), store.load(KEY));
      AccessToken otherToken = AccessToken.of("OTHER", Instant.parse("2030-01-01T00:00:00Z"));
      assertEquals(Optional.of(otherToken), store.load(other));
      List<String> warnings = warnings(log.text());
      assertEquals(1, warnings.size(), warnings.toString());
      assertTrue(
          warnings.get(0).contains("2 unusable entries")
              && warnings.get(0).contains(KEY + " has no \"expiresAt\""),
          warnings.get(0));

      store.save(TokenKey.of("wxthird", TokenKey.ACCESS_TOKEN), otherToken);
      TokenFileFormat.Parsed parsed = TokenFileFormat.parse(Files.readAllBytes(file));
      assertEquals(List.of(), parsed.problems);
      assertEquals(2, parsed.tokens.size());
      assertEquals(otherToken, parsed.tokens.get(other));
    }
  }

  @Test
  void aProviderOverACorruptFileFetchesAndRepairsIt() throws Exception {
    Path file = dir.resolve("tokens.json");
    Files.writeString(file, VALID.substring(0, 40));
    try (WeChatStandIn wechat = TestApp.standIn();
        AccessTokenProvider provider =
            AccessTokenProvider.builder()
                .appId(TestApp.APP_ID)
                .appSecret(TestApp.SECRET)
                .apiBaseUrl(wechat.baseUrl())
                .store(new FileTokenStore(file))
                .refreshPolicy(RefreshPolicy.builder().lockWait(Duration.ofSeconds(5)).build())
                .build()) {
      String got = provider.get().value(); // first: the token is issued by this call
      assertEquals(TestApp.token(wechat, 1), got);
      assertEquals(1, wechat.tokenRequests());
      assertEquals(
          TestApp.token(wechat, 1), new FileTokenStore(file).load(KEY).orElseThrow().value());
    }
  }

  private static List<String> warnings(String log) {
    Matcher m = Pattern.compile("(?m)^.* WARN .*$").matcher(log);
    return m.results().map(r -> r.group()).filter(l -> l.contains("FileTokenStore")).toList();
  }
}
