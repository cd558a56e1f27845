package io.github.wechatmp.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStoreException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 21 item 14: another local user who can write where the token file lives. The tests run as
 * root here, so "another user" is uid 65534 (nobody) set with chown, and those tests are skipped
 * when not root; the planted links need no other user.
 */
class HostileDirectoryTest {
  private static final TokenKey A = TokenKey.of("wxaaaaaaaaaaaaaaaa", TokenKey.ACCESS_TOKEN);
  private static final AccessToken TOKEN =
      AccessToken.of("SECRET_TOKEN_0123456789", Instant.parse("2099-01-01T00:00:00Z"));
  private static final int NOBODY = 65534;

  @TempDir Path root;
  private Path dir;

  @BeforeEach
  void privateDirectory() throws IOException {
    assumeTrue(root.getFileSystem().supportedFileAttributeViews().contains("unix"));
    dir = Files.createDirectory(root.resolve("app"));
    chmod(dir, "rwx------");
  }

  private static void chmod(Path p, String mode) throws IOException {
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
  }

  private static void sticky(Path p) throws IOException {
    Files.setAttribute(p, "unix:mode", 01777);
  }

  private static void chownToNobody(Path p) throws IOException {
    Files.setAttribute(p, "unix:uid", NOBODY, LinkOption.NOFOLLOW_LINKS);
  }

  /** Whether this process runs as root: it owns the directory JUnit made for it. */
  private boolean root() throws IOException {
    return ((Number) Files.getAttribute(root, "unix:uid")).intValue() == 0;
  }

  private static String message(Path file) {
    return assertThrows(TokenStoreException.class, () -> new FileTokenStore(file)).getMessage();
  }

  @Test
  void aDirectoryEveryoneCanWriteToIsRefusedAtConstruction() throws IOException {
    chmod(dir, "rwxrwxrwx");
    String m = message(dir.resolve("tokens.json"));
    assertTrue(m.contains(dir + " of the token file"), m);
    assertTrue(m.contains("can be written by other users (mode 0777"), m);
  }

  @Test
  void aDirectoryItsGroupCanWriteToIsRefusedAtConstruction() throws IOException {
    chmod(dir, "rwxrwx---");
    assertTrue(message(dir.resolve("tokens.json")).contains("mode 0770"));
  }

  @Test
  void aStickyDirectoryOfOurOwnIsAcceptedAndTheFileIsOwnerOnly() throws IOException {
    sticky(dir);
    FileTokenStore store = new FileTokenStore(dir.resolve("tokens.json"));
    store.save(A, TOKEN);
    assertEquals(Optional.of(TOKEN), store.load(A));
    assertEquals(
        "rw-------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("tokens.json"))));
  }

  @Test
  void aStickyDirectoryOfAnotherUserIsRefused() throws IOException {
    assumeTrue(root(), "needs root to chown");
    sticky(dir);
    chownToNobody(dir);
    String m = message(dir.resolve("tokens.json"));
    assertTrue(m.contains("mode 01777, user id 65534"), m);
  }

  @Test
  void aDirectoryOfAnotherUserIsRefusedEvenIfOnlyTheyCanWriteToIt() throws IOException {
    assumeTrue(root(), "needs root to chown");
    chownToNobody(dir);
    assertTrue(message(dir.resolve("tokens.json")).contains("mode 0700, user id 65534"));
  }

  @Test
  void aDirectoryAboveThatOthersCanWriteToIsRefusedUnlessSticky() throws IOException {
    Path open = Files.createDirectory(dir.resolve("open"));
    Path mine = Files.createDirectory(open.resolve("mine"));
    chmod(mine, "rwx------");
    chmod(open, "rwxrwxrwx");
    String m = message(mine.resolve("tokens.json"));
    assertTrue(m.contains("The directory " + open + " above the token file"), m);

    sticky(open); // as /tmp is: others cannot move our directory away
    new FileTokenStore(mine.resolve("tokens.json")).save(A, TOKEN);
  }

  @Test
  void aTokenFileLinkPlantedBeforehandIsRefusedAndItsTargetKept() throws IOException {
    Path victim = Files.writeString(root.resolve("victim.txt"), "precious");
    Files.createSymbolicLink(dir.resolve("tokens.json"), victim);
    String m = message(dir.resolve("tokens.json"));
    assertTrue(m.contains("is a symbolic link"), m);
    assertEquals("precious", Files.readString(victim));
  }

  @Test
  void aTokenFileLinkPlantedLaterIsNeitherReadNorWrittenThrough() throws IOException {
    FileTokenStore store = new FileTokenStore(dir.resolve("tokens.json"));
    Path victim = root.resolve("victim.json");
    Files.writeString(
        victim,
        "{\"version\":1,\"tokens\":{\"wxaaaaaaaaaaaaaaaa:access_token\":"
            + "{\"value\":\"PLANTED\",\"expiresAt\":\"2099-01-01T00:00:00Z\"}}}");
    Files.createSymbolicLink(dir.resolve("tokens.json"), victim);
    String original = Files.readString(victim);

    assertTrue(
        assertThrows(TokenStoreException.class, () -> store.load(A))
            .getMessage()
            .contains("is a symbolic link"));
    assertThrows(TokenStoreException.class, () -> store.save(A, TOKEN));
    assertEquals(original, Files.readString(victim));
    assertTrue(Files.isSymbolicLink(dir.resolve("tokens.json")));
  }

  @Test
  @Tag("slow") // 1,500 saves, each forced to disk
  void aTemporaryFileSwappedForALinkNeverReceivesTheToken() throws Exception {
    FileTokenStore store = new FileTokenStore(dir.resolve("tokens.json"));
    Path victim = Files.writeString(root.resolve("victim.txt"), "precious");
    Path temp = dir.resolve("tokens.json.tmp");
    AtomicBoolean stop = new AtomicBoolean();
    Thread attacker =
        new Thread(
            () -> {
              while (!stop.get()) {
                try {
                  Files.deleteIfExists(temp);
                  Files.createSymbolicLink(temp, victim);
                } catch (IOException e) {
                  // raced with the store's own create or rename: try again
                }
              }
            });
    attacker.start();
    int failed = 0;
    try {
      for (int i = 0; i < 1_500; i++) {
        try {
          store.save(A, AccessToken.of(TOKEN.value() + i, TOKEN.expiresAt()));
        } catch (TokenStoreException e) {
          failed++;
          if (Files.isSymbolicLink(dir.resolve("tokens.json"))) {
            Files.delete(dir.resolve("tokens.json")); // the attacker's link was renamed in
          }
        }
      }
    } finally {
      stop.set(true);
      attacker.join();
    }
    assertEquals("precious", Files.readString(victim), failed + " of 1500 saves failed");
  }

  @Test
  void aTokenFileAnotherUserCreatedFirstIsNeitherServedNorReplaced() throws IOException {
    assumeTrue(root(), "needs root to chown");
    Path file = dir.resolve("tokens.json");
    new FileTokenStore(file).save(A, AccessToken.of("PLANTED", TOKEN.expiresAt()));
    chownToNobody(file);
    chmod(file, "rw-r--r--");
    byte[] planted = Files.readAllBytes(file);
    FileTokenStore store = new FileTokenStore(file);

    String m = assertThrows(TokenStoreException.class, () -> store.load(A)).getMessage();
    assertTrue(m.contains("belongs to user id 65534, not to this process's user id 0"), m);
    assertFalse(m.contains("PLANTED"), m);
    assertThrows(TokenStoreException.class, () -> store.save(A, TOKEN));
    assertEquals(new String(planted, StandardCharsets.UTF_8), Files.readString(file));
  }

  @Test
  void aTokenFileOthersCanWriteToIsRefused() throws IOException {
    Path file = dir.resolve("tokens.json");
    FileTokenStore store = new FileTokenStore(file);
    store.save(A, TOKEN);
    chmod(file, "rw-rw-rw-");
    String m = assertThrows(TokenStoreException.class, () -> store.load(A)).getMessage();
    assertTrue(m.contains("can be written by other users (mode 0666"), m);
  }

  @Test
  void aDanglingLockFileLinkIsRefusedAndNothingIsCreatedWhereItPoints() throws IOException {
    Path target = root.resolve("created-by-link");
    Files.createSymbolicLink(dir.resolve("tokens.json.lock"), target);
    FileTokenStore store = new FileTokenStore(dir.resolve("tokens.json"));

    String m =
        assertThrows(
                TokenStoreException.class,
                () -> store.tryLock(A, Duration.ofSeconds(5), Duration.ZERO))
            .getMessage();
    assertTrue(m.contains("lock file") && m.contains("is a symbolic link"), m);
    assertFalse(Files.exists(target, LinkOption.NOFOLLOW_LINKS));
    assertThrows(TokenStoreException.class, () -> store.save(A, TOKEN));
    assertFalse(Files.exists(target, LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void aLockFileOfAnotherUserIsRefused() throws IOException {
    assumeTrue(root(), "needs root to chown");
    Path lock = Files.createFile(dir.resolve("tokens.json.lock"));
    chownToNobody(lock);
    FileTokenStore store = new FileTokenStore(dir.resolve("tokens.json"));
    String m =
        assertThrows(
                TokenStoreException.class,
                () -> store.tryLock(A, Duration.ofSeconds(5), Duration.ZERO))
            .getMessage();
    assertTrue(m.contains("The lock file") && m.contains("belongs to user id 65534"), m);
  }
}
