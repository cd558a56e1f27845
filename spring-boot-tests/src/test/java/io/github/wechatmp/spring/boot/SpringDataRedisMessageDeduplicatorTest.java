package io.github.wechatmp.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.wechatmp.callback.MessageDeduplicator.Claim;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import redis.clients.jedis.JedisPooled;

/** The Redis deduplicator over Spring Data Redis, on a real Redis, two instances as two hosts. */
class SpringDataRedisMessageDeduplicatorTest {
  private final LettuceConnectionFactory one = factory();
  private final LettuceConnectionFactory two = factory();
  private final SpringDataRedisMessageDeduplicator a =
      new SpringDataRedisMessageDeduplicator(one, "wechat:");
  private final SpringDataRedisMessageDeduplicator b =
      new SpringDataRedisMessageDeduplicator(two, "wechat:");
  private final String key = "m|gh_test|" + UUID.randomUUID();

  private static LettuceConnectionFactory factory() {
    TestRedis redis = TestRedis.get();
    LettuceConnectionFactory f =
        new LettuceConnectionFactory(new RedisStandaloneConfiguration(redis.host, redis.port));
    f.afterPropertiesSet();
    f.start();
    return f;
  }

  @AfterEach
  void close() {
    one.destroy();
    two.destroy();
  }

  @Test
  void theFirstClaimWinsAndTheOtherHostSeesItRunning() {
    Claim first = a.claim(key);
    assertThat(first.state()).isEqualTo(Claim.State.CLAIMED);
    assertThat(b.claim(key).state()).isEqualTo(Claim.State.RUNNING);
  }

  @Test
  void aCompletedKeyAnswersRetriesWithTheReply() {
    Claim c = a.claim(key);
    a.complete(c, "<xml>reply</xml>");
    Claim retry = b.claim(key);
    assertThat(retry.state()).isEqualTo(Claim.State.DONE);
    assertThat(retry.reply()).isEqualTo("<xml>reply</xml>");
  }

  @Test
  void aReleasedKeyCanBeClaimedAgain() {
    a.release(a.claim(key));
    assertThat(b.claim(key).state()).isEqualTo(Claim.State.CLAIMED);
  }

  @Test
  void anotherHostCannotCompleteOrReleaseAClaimItDoesNotOwn() {
    Claim mine = a.claim(key);
    b.release(Claim.claimed(key, "someone-else"));
    b.complete(Claim.claimed(key, "someone-else"), "<xml>wrong</xml>");
    assertThat(b.claim(key).state()).isEqualTo(Claim.State.RUNNING);
    a.complete(mine, "");
    assertThat(b.claim(key).reply()).isEmpty();
  }

  @Test
  void awaitReturnsTheReplyOnceTheOtherHostCompletes() throws Exception {
    Claim c = a.claim(key);
    CompletableFuture<Claim> waiting =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return b.await(key, Duration.ofSeconds(20));
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    a.complete(c, "<xml>late</xml>");
    Claim done = waiting.get(30, TimeUnit.SECONDS);
    assertThat(done.state()).isEqualTo(Claim.State.DONE);
    assertThat(done.reply()).isEqualTo("<xml>late</xml>");
  }

  @Test
  void awaitGivesUpWhileStillRunningAndSeesAbsentKeys() throws Exception {
    a.claim(key);
    assertThat(b.await(key, Duration.ZERO).state()).isEqualTo(Claim.State.RUNNING);
    assertThat(b.await("m|gh_test|absent-" + UUID.randomUUID(), Duration.ZERO).state())
        .isEqualTo(Claim.State.ABSENT);
  }

  @Test
  void aJedisNodeAndASpringNodeShareTheDeduplication() throws Exception {
    try (JedisPooled jedis = TestRedis.get().jedis()) {
      io.github.wechatmp.store.redis.RedisMessageDeduplicator plain =
          io.github.wechatmp.store.redis.RedisMessageDeduplicator.builder(jedis).build();
      Claim mine = plain.claim(key);
      assertThat(mine.state()).isEqualTo(Claim.State.CLAIMED);
      assertThat(a.claim(key).state()).isEqualTo(Claim.State.RUNNING);
      plain.complete(mine, "<xml>from jedis</xml>");
      assertThat(a.claim(key).reply()).isEqualTo("<xml>from jedis</xml>");
      String other = key + "-2";
      Claim spring = a.claim(other);
      assertThat(plain.claim(other).state()).isEqualTo(Claim.State.RUNNING);
      a.complete(spring, "<xml>from spring</xml>");
      assertThat(plain.await(other, Duration.ZERO).reply()).isEqualTo("<xml>from spring</xml>");
    }
  }

  @Test
  void entriesExpire() {
    a.claim(key);
    try (JedisPooled jedis = TestRedis.get().jedis()) {
      long ttl = jedis.pttl(a.entryKey(key));
      assertThat(ttl).isPositive().isLessThanOrEqualTo(TimeUnit.SECONDS.toMillis(60));
    }
  }
}
