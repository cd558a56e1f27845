package io.github.wechatmp.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStore.SharedHoldOff;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The Redis layout's bytes, pinned: nodes of older releases read and write exactly these, so a
 * change here breaks a rolling upgrade.
 */
class RedisLayoutTest {
  static final Instant EXPIRES = Instant.ofEpochMilli(1_796_000_000_000L);
  static final Instant ISSUED = Instant.ofEpochMilli(1_795_992_800_000L);

  @Test
  void keysAreThePrefixTheAppIdAsAHashTagAndTheKind() {
    RedisLayout layout = RedisLayout.of(RedisLayout.DEFAULT_PREFIX);
    TokenKey key = TokenKey.of("wx0123456789abcdef", TokenKey.ACCESS_TOKEN);
    assertEquals("wechat:{wx0123456789abcdef}:access_token", layout.tokenKey(key));
    assertEquals("wechat:{wx0123456789abcdef}:access_token:lock", layout.lockKey(key));
    assertEquals("wechat:{wx0123456789abcdef}:access_token:holdoff", layout.holdOffKey(key));
    assertEquals(
        "shop-7:{wx0123456789abcdef}:jsapi_ticket",
        RedisLayout.of("shop-7:").tokenKey(TokenKey.of("wx0123456789abcdef", "jsapi_ticket")));
    assertEquals("wechat:dedup:", RedisLayout.DEFAULT_DEDUP_PREFIX);
  }

  @Test
  void aTokenIsStoredAsExpiryCommaIssueTimeColonValue() {
    AccessToken token = AccessToken.of("TOKEN:with:colons", EXPIRES).withIssuedAt(ISSUED);
    assertEquals("1796000000000,1795992800000:TOKEN:with:colons", RedisLayout.encodeToken(token));
    assertEquals(
        Optional.of(token),
        RedisLayout.decodeToken("1796000000000,1795992800000:TOKEN:with:colons"));
  }

  @Test
  void aTokenOfUnknownIssueTimeIsStoredInTheOlderFormAndReadAsSuch() {
    AccessToken token = AccessToken.of("TOKEN_A", EXPIRES);
    assertEquals("1796000000000:TOKEN_A", RedisLayout.encodeToken(token));
    assertEquals(Optional.of(token), RedisLayout.decodeToken("1796000000000:TOKEN_A"));
  }

  @Test
  void aValueThatDoesNotParseReadsAsNoToken() {
    for (String corrupt :
        new String[] {
          "", "TOKEN", ":TOKEN", "x:TOKEN", "1796000000000,x:TOKEN", "1796000000000:"
        }) {
      assertEquals(Optional.empty(), RedisLayout.decodeToken(corrupt), corrupt);
    }
  }

  @Test
  void aHoldOffIsStoredAsFailuresNotBeforeErrcodeAndMessage() {
    SharedHoldOff holdOff = SharedHoldOff.of(3, EXPIRES, 40125, "invalid appsecret: rid: 1");
    assertEquals(
        "3:1796000000000:40125:invalid appsecret: rid: 1", RedisLayout.encodeHoldOff(holdOff));
    assertEquals(
        Optional.of(holdOff),
        RedisLayout.decodeHoldOff("3:1796000000000:40125:invalid appsecret: rid: 1"));
    assertEquals(
        Optional.of(SharedHoldOff.of(1, EXPIRES, -1, "")),
        RedisLayout.decodeHoldOff("1:1796000000000:-1"));
    for (String corrupt : new String[] {"", "3", "3:x:40125:m", "3:1796000000000", "a:1:2:m"}) {
      assertEquals(Optional.empty(), RedisLayout.decodeHoldOff(corrupt), corrupt);
    }
  }

  @Test
  void theChangePatternMatchesThePrefixLiterally() {
    assertEquals("wechat:*", RedisLayout.of("wechat:").channelPattern());
    assertEquals("a\\*b\\?c\\[d\\]e\\\\f:*", RedisLayout.of("a*b?c[d]e\\f:").channelPattern());
  }

  @Test
  void aPrefixThatWouldBreakTheHashTagIsRefusedClearly() {
    assertThrows(NullPointerException.class, () -> RedisLayout.of(null));
    for (String bad : new String[] {"a{b:", "a}b:", "a\nb:", "x".repeat(201)}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> RedisLayout.of(bad));
      assertEquals(true, e.getMessage().startsWith("keyPrefix must"), e.getMessage());
    }
    assertEquals("", RedisLayout.of("").prefix());
  }
}
