package io.github.wechatmp.open;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileAuthorizationStoreTest {
  private static final Instant NOW = Instant.parse("2026-12-01T08:00:00Z");

  @TempDir Path root;

  private static Authorization record(String appId) {
    return Authorization.authorized(appId, "refresh-token-of-" + appId, List.of(1, 2), NOW);
  }

  @Test
  void aMissingDirectoryIsCreatedPrivate() throws Exception {
    Path dir = root.resolve("a/b/authorizations");
    new FileAuthorizationStore(dir).save(record("wx0000000000000001"));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
    assertEquals(
        "rw-------",
        PosixFilePermissions.toString(
            Files.getPosixFilePermissions(dir.resolve("wx0000000000000001.json"))));
  }

  @Test
  void aDirectoryOthersMayWriteIsRefusedNamingWhy() throws Exception {
    Path dir = Files.createDirectory(root.resolve("shared"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    AuthorizationStoreException e =
        assertThrows(AuthorizationStoreException.class, () -> new FileAuthorizationStore(dir));
    assertTrue(
        e.getMessage().contains("rwxrwxrwx") && e.getMessage().contains("0700"), e.getMessage());
  }

  @Test
  void aDirectoryThatIsASymbolicLinkIsRefused() throws Exception {
    Path real = Files.createDirectory(root.resolve("real"));
    Path link = Files.createSymbolicLink(root.resolve("link"), real);
    assertThrows(AuthorizationStoreException.class, () -> new FileAuthorizationStore(link));
  }

  @Test
  void aRecordThatIsASymbolicLinkIsNeverFollowedNorItsTargetOverwritten() throws Exception {
    Path dir = root.resolve("store");
    FileAuthorizationStore store = new FileAuthorizationStore(dir);
    Path victim = Files.writeString(root.resolve("victim.txt"), "precious");
    Files.createSymbolicLink(dir.resolve("wx0000000000000002.json"), victim);

    assertThrows(AuthorizationStoreException.class, () -> store.find("wx0000000000000002"));
    // A save neither reads through the link nor writes through it.
    assertThrows(AuthorizationStoreException.class, () -> store.save(record("wx0000000000000002")));
    assertEquals("precious", Files.readString(victim));
  }

  @Test
  void aPlantedLockLinkIsNotFollowed() throws Exception {
    Path dir = root.resolve("store");
    FileAuthorizationStore store = new FileAuthorizationStore(dir);
    Path dangling = root.resolve("nowhere");
    Files.createSymbolicLink(dir.resolve(".lock"), dangling);
    assertThrows(AuthorizationStoreException.class, () -> store.save(record("wx0000000000000003")));
    assertFalse(Files.exists(dangling, LinkOption.NOFOLLOW_LINKS), "the link's target was created");
  }

  @Test
  void aSaveLeavesNoTemporaryFileBehind() throws Exception {
    Path dir = root.resolve("store");
    FileAuthorizationStore store = new FileAuthorizationStore(dir);
    for (int i = 0; i < 20; i++) {
      store.save(record("wx00000000000000" + (10 + i)));
    }
    try (Stream<Path> files = Files.list(dir)) {
      List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
      assertEquals(21, names.size(), names.toString()); // 20 records and .lock
      assertTrue(
          names.stream().allMatch(n -> n.equals(".lock") || n.endsWith(".json")), names.toString());
    }
  }

  @Test
  void aRecordNamingAnotherAccountIsReportedDamaged() throws Exception {
    Path dir = root.resolve("store");
    FileAuthorizationStore store = new FileAuthorizationStore(dir);
    store.save(record("wx0000000000000004"));
    Files.copy(dir.resolve("wx0000000000000004.json"), dir.resolve("wx0000000000000005.json"));
    AuthorizationStoreException e =
        assertThrows(AuthorizationStoreException.class, () -> store.find("wx0000000000000005"));
    assertTrue(e.getMessage().contains("another account"), e.getMessage());
  }
}
