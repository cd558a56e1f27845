package io.github.wechatmp.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.wechatmp.testing.LogCapture;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStoreException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTokenStoreTest {
  private static final TokenKey A = TokenKey.of("wxaaaaaaaaaaaaaaaa", TokenKey.ACCESS_TOKEN);
  private static final TokenKey A_STABLE =
      TokenKey.of("wxaaaaaaaaaaaaaaaa", TokenKey.STABLE_ACCESS_TOKEN);
  private static final TokenKey B = TokenKey.of("wxbbbbbbbbbbbbbbbb", TokenKey.ACCESS_TOKEN);

  @TempDir Path dir;

  private static AccessToken token(String value, String expiresAt) {
    return AccessToken.of(value, Instant.parse(expiresAt));
  }

  @Test
  void aSavedTokenLoadsBackWithItsExpiryToTheMillisecond() {
    Path file = dir.resolve("tokens.json");
    AccessToken t = token("TOKEN_A_0123456789", "2026-11-24T10:00:00.123Z");
    new FileTokenStore(file).save(A, t);

    AccessToken loaded = new FileTokenStore(file).load(A).orElseThrow();
    assertEquals(t.value(), loaded.value());
    assertEquals(Instant.parse("2026-11-24T10:00:00.123Z"), loaded.expiresAt());
    assertEquals(1_795_514_400_123L, loaded.expiresAt().toEpochMilli());
    // Finer than a millisecond too, exactly as the provider's clock gave it.
    AccessToken nanos = token("TOKEN_A_nanos", "2026-11-24T10:00:00.123456789Z");
    new FileTokenStore(file).save(A, nanos);
    assertEquals(Optional.of(nanos), new FileTokenStore(file).load(A));
  }

  @Test
  void entriesAreKeyedByAppAndKindAndTheFileIsReadableJson() throws Exception {
    Path file = dir.resolve("tokens.json");
    FileTokenStore store = new FileTokenStore(file);
    AccessToken a = token("TOKEN_A", "2026-11-24T10:00:00.001Z");
    AccessToken aStable = token("TOKEN_A_STABLE", "2026-11-24T10:00:00.002Z");
    AccessToken b = token("TOKEN_B", "2026-11-24T10:00:00.003Z");
    store.save(A, a);
    store.save(A_STABLE, aStable);
    store.save(B, b);

    assertEquals(Optional.of(a), store.load(A));
    assertEquals(Optional.of(aStable), store.load(A_STABLE));
    assertEquals(Optional.of(b), store.load(B));
    assertEquals(
        Optional.empty(), store.load(TokenKey.of("wxcccccccccccccccc", TokenKey.ACCESS_TOKEN)));

    String text = Files.readString(file, StandardCharsets.UTF_8);
    assertEquals(
        "{\n"
            + "  \"version\": 1,\n"
            + "  \"tokens\": {\n"
            + "    \"wxaaaaaaaaaaaaaaaa:access_token\": {\n"
            + "      \"value\": \"TOKEN_A\",\n"
            + "      \"expiresAt\": \"2026-11-24T10:00:00.001Z\"\n"
            + "    },\n"
            + "    \"wxaaaaaaaaaaaaaaaa:stable_access_token\": {\n"
            + "      \"value\": \"TOKEN_A_STABLE\",\n"
            + "      \"expiresAt\": \"2026-11-24T10:00:00.002Z\"\n"
            + "    },\n"
            + "    \"wxbbbbbbbbbbbbbbbb:access_token\": {\n"
            + "      \"value\": \"TOKEN_B\",\n"
            + "      \"expiresAt\": \"2026-11-24T10:00:00.003Z\"\n"
            + "    }\n"
            + "  }\n"
            + "}\n",
        text);

    AccessToken b2 = token("TOKEN_B2", "2026-11-24T12:00:00Z");
    store.save(B, b2);
    assertEquals(Optional.of(b2), store.load(B));
    assertEquals(Optional.of(a), store.load(A), "saving one key keeps the others");
  }

  @Test
  void aMissingFileHoldsNoTokenAndIsNotCreatedByReading() throws Exception {
    Path file = dir.resolve("sub/dir/tokens.json");
    FileTokenStore store = new FileTokenStore(file);
    assertTrue(Files.isDirectory(dir.resolve("sub/dir")), "the parent is created");
    assertEquals(Optional.empty(), store.load(A));
    assertFalse(store.deleteIfValue(A, "anything"));
    assertFalse(Files.exists(file));
    assertEquals(file.getParent().toRealPath().resolve("tokens.json"), store.path());
  }

  @Test
  void deleteIfValueDeletesOnlyTheExpectedValue() {
    FileTokenStore store = new FileTokenStore(dir.resolve("tokens.json"));
    AccessToken a = token("TOKEN_A", "2026-11-24T10:00:00Z");
    AccessToken b = token("TOKEN_B", "2026-11-24T10:00:00Z");
    store.save(A, a);
    store.save(B, b);

    assertFalse(store.deleteIfValue(A, "TOKEN_OLD"));
    assertEquals(Optional.of(a), store.load(A));
    assertFalse(store.deleteIfValue(A, "TOKEN_B"), "another key's value");
    assertTrue(store.deleteIfValue(A, "TOKEN_A"));
    assertEquals(Optional.empty(), store.load(A));
    assertEquals(Optional.of(b), store.load(B));
    assertFalse(store.deleteIfValue(A, "TOKEN_A"), "already gone");
  }

  @Test
  void filesAreOwnerReadWriteOnly() throws Exception {
    assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
    Path file = dir.resolve("tokens.json");
    Files.writeString(file, "{\"version\":1,\"tokens\":{}}"); // as the old tutorial left it: 0644
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    FileTokenStore store = new FileTokenStore(file);
    store.save(A, token("TOKEN_A", "2026-11-24T10:00:00Z"));
    store.tryLock(A, Duration.ofSeconds(1), Duration.ZERO).orElseThrow().close();

    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals(
        "rw-------",
        PosixFilePermissions.toString(
            Files.getPosixFilePermissions(dir.resolve("tokens.json.lock"))));

    Path fresh = dir.resolve("fresh.json");
    new FileTokenStore(fresh).save(A, token("TOKEN_A", "2026-11-24T10:00:00Z"));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh)));
  }

  @Test
  void nullArgumentsAreRejectedByName() throws Exception {
    FileTokenStore store = new FileTokenStore(dir.resolve("tokens.json"));
    AccessToken t = token("TOKEN_A", "2026-11-24T10:00:00Z");
    assertEquals(
        "file",
        assertThrows(NullPointerException.class, () -> new FileTokenStore(null)).getMessage());
    assertEquals(
        "file",
        assertThrows(NullPointerException.class, () -> FileTokenStore.builder(null)).getMessage());
    assertEquals(
        "key", assertThrows(NullPointerException.class, () -> store.load(null)).getMessage());
    assertEquals(
        "key", assertThrows(NullPointerException.class, () -> store.save(null, t)).getMessage());
    assertEquals(
        "token", assertThrows(NullPointerException.class, () -> store.save(A, null)).getMessage());
    assertEquals(
        "key",
        assertThrows(NullPointerException.class, () -> store.deleteIfValue(null, "x"))
            .getMessage());
    assertEquals(
        "expectedValue",
        assertThrows(NullPointerException.class, () -> store.deleteIfValue(A, null)).getMessage());
    assertEquals(
        "key",
        assertThrows(
                NullPointerException.class,
                () -> store.tryLock(null, Duration.ofSeconds(1), Duration.ZERO))
            .getMessage());
    assertEquals(
        "lease",
        assertThrows(NullPointerException.class, () -> store.tryLock(A, null, Duration.ZERO))
            .getMessage());
    assertEquals(
        "maxWait",
        assertThrows(
                NullPointerException.class, () -> store.tryLock(A, Duration.ofSeconds(1), null))
            .getMessage());
    assertEquals(
        "key",
        assertThrows(NullPointerException.class, () -> store.subscribe(null, () -> {}))
            .getMessage());
    assertEquals(
        "onChange",
        assertThrows(NullPointerException.class, () -> store.subscribe(A, null)).getMessage());
    assertEquals(
        "interval",
        assertThrows(
                NullPointerException.class,
                () -> FileTokenStore.builder(dir.resolve("x.json")).changePollInterval(null))
            .getMessage());

    assertThrows(
        IllegalArgumentException.class, () -> store.tryLock(A, Duration.ZERO, Duration.ZERO));
    assertThrows(
        IllegalArgumentException.class,
        () -> store.tryLock(A, Duration.ofSeconds(1), Duration.ofMillis(-1)));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            FileTokenStore.builder(dir.resolve("x.json"))
                .changePollInterval(Duration.ofMillis(-1)));
    assertThrows(IllegalArgumentException.class, () -> new FileTokenStore(dir.getRoot()));
  }

  @Test
  void aPathThatCannotHoldTheFileIsReportedByName() throws Exception {
    Path notADirectory = dir.resolve("plain-file");
    Files.writeString(notADirectory, "x");
    Path underAFile = notADirectory.resolve("tokens.json");
    TokenStoreException e =
        assertThrows(TokenStoreException.class, () -> new FileTokenStore(underAFile));
    assertTrue(e.getMessage().contains(underAFile.toString()), e.getMessage());

    Path directory = Files.createDirectory(dir.resolve("tokens.json"));
    e = assertThrows(TokenStoreException.class, () -> new FileTokenStore(directory));
    assertTrue(
        e.getMessage().contains(directory.toString()) && e.getMessage().contains("directory"),
        e.getMessage());
  }

  @Test
  void aFileThatBecomesUnwritableFailsSaveNamingItAndKeepsTheEntry() throws Exception {
    Path file = dir.resolve("tokens.json");
    FileTokenStore store = new FileTokenStore(file);
    AccessToken t = token("TOKEN_A", "2026-11-24T10:00:00Z");
    store.save(A, t);
    // A directory where the temporary file must go makes every write fail, even for root.
    Files.createDirectory(dir.resolve("tokens.json.tmp"));
    Files.writeString(dir.resolve("tokens.json.tmp/occupied"), "x");

    TokenStoreException e =
        assertThrows(
            TokenStoreException.class,
            () -> store.save(A, token("TOKEN_NEW_SECRET_VALUE", "2026-11-24T12:00:00Z")));
    assertTrue(e.getMessage().contains(store.path().toString()), e.getMessage());
    assertFalse(e.getMessage().contains("TOKEN_NEW_SECRET_VALUE"), e.getMessage());
    assertEquals(Optional.of(t), store.load(A), "the entry is unchanged");
    assertThrows(TokenStoreException.class, () -> store.deleteIfValue(A, "TOKEN_A"));
    assertEquals(Optional.of(t), store.load(A));
  }

  @Test
  void rapidSameSizeWritesAreAlwaysReadBack() {
    // Same length and name, milliseconds apart: the parse cache must notice every replacement.
    FileTokenStore writer = new FileTokenStore(dir.resolve("tokens.json"));
    FileTokenStore reader = new FileTokenStore(dir.resolve("tokens.json"));
    Instant expiry = Instant.parse("2026-11-24T10:00:00Z");
    for (int i = 0; i < 300; i++) {
      AccessToken t = AccessToken.of(String.format("TOKEN_%05d", i), expiry);
      writer.save(A, t);
      assertEquals(Optional.of(t), reader.load(A), "write " + i);
    }
  }

  @Test
  void concurrentWritersOfDifferentKeysLoseNoUpdate() throws Exception {
    Path file = dir.resolve("tokens.json");
    int writers = 8;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        TokenKey key = TokenKey.of("wxapp" + w, TokenKey.ACCESS_TOKEN);
        FileTokenStore store =
            new FileTokenStore(file); // a store per writer, as separate providers have
        done.add(
            pool.submit(
                () -> {
                  go.await();
                  for (int i = 1; i <= 40; i++) {
                    store.save(key, AccessToken.of("T" + i, Instant.parse("2026-11-24T10:00:00Z")));
                  }
                  return null;
                }));
      }
      go.countDown();
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    FileTokenStore store = new FileTokenStore(file);
    for (int w = 0; w < writers; w++) {
      assertEquals(
          "T40", store.load(TokenKey.of("wxapp" + w, TokenKey.ACCESS_TOKEN)).orElseThrow().value());
    }
  }

  @Test
  void aSubscriberHearsOfAnotherStoresSaveAndDeleteUntilItCloses() throws Exception {
    Path file = dir.resolve("tokens.json");
    FileTokenStore watcher =
        FileTokenStore.builder(file).changePollInterval(Duration.ofMillis(20)).build();
    FileTokenStore other = new FileTokenStore(file);
    other.save(B, token("TOKEN_B", "2026-11-24T10:00:00Z"));

    Semaphore changes = new Semaphore(0);
    try (var sub = watcher.subscribe(A, changes::release)) {
      other.save(A, token("TOKEN_A", "2026-11-24T10:00:00Z"));
      assertTrue(changes.tryAcquire(10, TimeUnit.SECONDS), "save reported");
      assertTrue(other.deleteIfValue(A, "TOKEN_A"));
      assertTrue(changes.tryAcquire(10, TimeUnit.SECONDS), "delete reported");
      assertFalse(
          other.deleteIfValue(A, "TOKEN_A"), "a delete that deletes nothing writes nothing");

      sub.close();
      sub.close(); // idempotent
      changes.drainPermits();
      other.save(A, token("TOKEN_A2", "2026-11-24T10:00:00Z"));
      // A bounded look for a notification that must not come: 25 poll intervals.
      assertFalse(changes.tryAcquire(500, TimeUnit.MILLISECONDS), "no report after close");
    }
    FileTokenStore off = FileTokenStore.builder(file).changePollInterval(Duration.ZERO).build();
    off.subscribe(
            A,
            () -> {
              throw new AssertionError("polling is off");
            })
        .close();
  }

  @Test
  void aChangeUndoneBetweenTwoPollsIsStillReported() throws Exception {
    // A provider may have adopted the token saved in between: it must hear of the delete.
    Path file = dir.resolve("tokens.json");
    FileTokenStore watcher =
        FileTokenStore.builder(file).changePollInterval(Duration.ofSeconds(2)).build();
    FileTokenStore other = new FileTokenStore(file);
    Semaphore changes = new Semaphore(0);
    try (var sub = watcher.subscribe(A, changes::release)) {
      other.save(A, token("TOKEN_A", "2026-11-24T10:00:00Z"));
      assertTrue(other.deleteIfValue(A, "TOKEN_A"));
      assertTrue(changes.tryAcquire(10, TimeUnit.SECONDS), "reported");
    }
  }

  @Test
  void aFailingSubscriberDoesNotStopThePolling() throws Exception {
    Path file = dir.resolve("tokens.json");
    FileTokenStore watcher =
        FileTokenStore.builder(file).changePollInterval(Duration.ofMillis(20)).build();
    Semaphore calls = new Semaphore(0);
    try (LogCapture log = new LogCapture();
        var sub =
            watcher.subscribe(
                A,
                () -> {
                  calls.release();
                  throw new IllegalStateException("subscriber bug");
                })) {
      watcher.save(A, token("TOKEN_A", "2026-11-24T10:00:00Z"));
      assertTrue(calls.tryAcquire(10, TimeUnit.SECONDS));
      watcher.save(A, token("TOKEN_A2", "2026-11-24T10:00:00Z"));
      assertTrue(calls.tryAcquire(10, TimeUnit.SECONDS), "still polling");
      assertTrue(
          log.text().contains("A change subscriber of " + A + " in " + watcher.path() + " failed"));
    }
  }
}
