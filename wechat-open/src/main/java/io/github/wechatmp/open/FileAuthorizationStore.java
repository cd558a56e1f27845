package io.github.wechatmp.open;

import com.squareup.moshi.JsonDataException;
import com.squareup.moshi.JsonReader;
import com.squareup.moshi.JsonWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import okio.Buffer;

/**
 * An {@link AuthorizationStore} in a directory of one host: one JSON file per account ({@code
 * <authorizerAppId>.json}), for a platform that runs on one host. The processes of that host may
 * share the directory.
 *
 * <p>A save writes a new file beside the old one through the handle that created it, {@code fsync}s
 * it, renames it over the old one atomically and {@code fsync}s the directory, all under an
 * exclusive lock on the directory's {@code .lock} file (between processes) and this store's own
 * lock (between threads): a reader sees the old record or the new one, and a returned save survives
 * a crash.
 *
 * <p>The directory holds credentials, so the store refuses one that others could tamper with: it
 * creates a missing directory with mode 0700; it refuses a directory that is a symbolic link, that
 * belongs to another user, or that its group or others may write; and it never follows a symbolic
 * link for a record, a temporary or the lock file. Records are written with mode 0600.
 *
 * <p>Thread-safe. Failures, a damaged record included, are {@link AuthorizationStoreException}s
 * naming the file.
 */
public final class FileAuthorizationStore implements AuthorizationStore {
  private static final String SUFFIX = ".json";
  private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_FILE =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
  private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_DIR =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

  private final Path directory;
  private final ReentrantLock saving = new ReentrantLock();
  private final SecureRandom random = new SecureRandom();

  /**
   * Opens the store in {@code directory}, creating it (mode 0700) when absent.
   *
   * @param directory where the records live
   * @throws AuthorizationStoreException if it cannot be created, or is one others could tamper with
   *     (a symbolic link, another user's, writable by its group or others)
   */
  public FileAuthorizationStore(Path directory) {
    this.directory = Objects.requireNonNull(directory, "directory").toAbsolutePath().normalize();
    try {
      if (!Files.exists(this.directory, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectories(this.directory, OWNER_ONLY_DIR);
      }
      checkDirectory();
    } catch (IOException | UnsupportedOperationException e) {
      throw new AuthorizationStoreException(
          "FileAuthorizationStore cannot use the directory " + this.directory + ": " + e, e);
    }
  }

  private void checkDirectory() throws IOException {
    PosixFileAttributes attrs =
        Files.getFileAttributeView(
                directory, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
            .readAttributes();
    if (attrs.isSymbolicLink() || !attrs.isDirectory()) {
      throw refuse("it is a symbolic link or not a directory");
    }
    String me = System.getProperty("user.name");
    if (!attrs.owner().getName().equals(me)) {
      throw refuse("it belongs to " + attrs.owner().getName() + ", not to " + me);
    }
    Set<PosixFilePermission> perms = attrs.permissions();
    if (perms.contains(PosixFilePermission.GROUP_WRITE)
        || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
      throw refuse(
          "its group or others may write it ("
              + PosixFilePermissions.toString(perms)
              + "); make it 0700");
    }
  }

  private AuthorizationStoreException refuse(String why) {
    return new AuthorizationStoreException(
        "FileAuthorizationStore refuses the directory "
            + directory
            + ": "
            + why
            + ". It holds refresh tokens that WeChat issues only once.",
        null);
  }

  @Override
  public Optional<Authorization> find(String authorizerAppId) {
    Path file = fileOf(Authorization.checkAppId(authorizerAppId));
    return read(file);
  }

  @Override
  public boolean save(Authorization authorization) {
    Objects.requireNonNull(authorization, "authorization");
    Path file = fileOf(authorization.authorizerAppId());
    saving.lock();
    // Closing the channel releases the process lock.
    try (FileChannel lockFile =
        FileChannel.open(
            directory.resolve(".lock"),
            Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
            OWNER_ONLY_FILE)) {
      lockAcrossProcesses(lockFile);
      Optional<Authorization> stored = read(file);
      if (stored.isPresent() && stored.get().updatedAt().isAfter(authorization.updatedAt())) {
        return false;
      }
      writeAtomically(file, encode(authorization));
      return true;
    } catch (IOException e) {
      throw new AuthorizationStoreException(
          "FileAuthorizationStore could not save " + file + ": " + e.getClass().getSimpleName(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AuthorizationStoreException(
          "FileAuthorizationStore was interrupted before it could save " + file, e);
    } finally {
      saving.unlock();
    }
  }

  /**
   * Takes the lock file's lock. A JVM holds a file's lock once: another store of this JVM on the
   * same directory holding it shows as an {@link OverlappingFileLockException}, after which this
   * one waits its turn as a process would.
   */
  private static void lockAcrossProcesses(FileChannel channel)
      throws IOException, InterruptedException {
    while (true) {
      try {
        channel.lock();
        return;
      } catch (OverlappingFileLockException heldInThisJvm) {
        Thread.sleep(1);
      }
    }
  }

  private void writeAtomically(Path file, byte[] bytes) throws IOException {
    Path temp = null;
    try {
      FileChannel out = null;
      while (out == null) {
        temp =
            directory.resolve(
                "." + file.getFileName() + "." + HexFormat.of().toHexDigits(random.nextLong()));
        try {
          out =
              FileChannel.open(
                  temp,
                  Set.<OpenOption>of(
                      StandardOpenOption.CREATE_NEW,
                      StandardOpenOption.WRITE,
                      LinkOption.NOFOLLOW_LINKS),
                  OWNER_ONLY_FILE);
        } catch (FileAlreadyExistsException taken) {
          // a name someone else holds (or planted): draw another
        }
      }
      // Written through the handle that created the file: a name swapped meanwhile cannot
      // receive the token.
      try (FileChannel written = out) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          written.write(buffer);
        }
        written.force(true);
      }
      try {
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("the file system cannot rename atomically", e);
      }
      try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
        dir.force(true);
      }
    } finally {
      if (temp != null) {
        Files.deleteIfExists(temp);
      }
    }
  }

  @Override
  public List<Authorization> list(String afterAuthorizerAppId, int limit) {
    AuthorizationStore.checkListArguments(afterAuthorizerAppId, limit);
    List<String> ids = new ArrayList<>();
    for (String id : appIds()) {
      if (afterAuthorizerAppId == null || id.compareTo(afterAuthorizerAppId) > 0) {
        ids.add(id);
      }
    }
    ids.sort(null);
    List<Authorization> page = new ArrayList<>();
    for (String id : ids.subList(0, Math.min(limit, ids.size()))) {
      read(fileOf(id)).ifPresent(page::add);
    }
    return page;
  }

  @Override
  public Map<Authorization.State, Long> countByState() {
    Map<Authorization.State, Long> counts = Authorization.zeroCounts();
    for (String id : appIds()) {
      read(fileOf(id)).ifPresent(a -> counts.merge(a.state(), 1L, Long::sum));
    }
    return counts;
  }

  @Override
  public String toString() {
    return "FileAuthorizationStore[" + directory + "]";
  }

  private Set<String> appIds() {
    Set<String> ids = new HashSet<>();
    try (Stream<Path> files = Files.list(directory)) {
      files.forEach(
          p -> {
            String name = p.getFileName().toString();
            if (name.endsWith(SUFFIX) && !name.startsWith(".")) {
              ids.add(name.substring(0, name.length() - SUFFIX.length()));
            }
          });
    } catch (IOException e) {
      throw new AuthorizationStoreException(
          "FileAuthorizationStore could not list " + directory + ": " + e, e);
    }
    return ids;
  }

  private Path fileOf(String appId) {
    return directory.resolve(appId + SUFFIX);
  }

  private Optional<Authorization> read(Path file) {
    byte[] bytes;
    try (FileChannel in =
        FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
      long size = in.size();
      if (size > 64 * 1024) {
        throw damaged(file, "it is " + size + " bytes long", null);
      }
      ByteBuffer buffer = ByteBuffer.allocate((int) size);
      while (buffer.hasRemaining() && in.read(buffer) >= 0) {
        // read to the end
      }
      bytes = buffer.array();
    } catch (NoSuchFileException absent) {
      return Optional.empty();
    } catch (IOException e) {
      throw new AuthorizationStoreException(
          "FileAuthorizationStore could not read " + file + " (a symbolic link is refused): " + e,
          e);
    }
    return Optional.of(decode(file, bytes));
  }

  private static byte[] encode(Authorization a) throws IOException {
    Buffer buffer = new Buffer();
    try (JsonWriter w = JsonWriter.of(buffer)) {
      w.setIndent("  ");
      w.beginObject();
      w.name("authorizer_app_id").value(a.authorizerAppId());
      w.name("refresh_token").value(a.refreshToken());
      w.name("function_ids").beginArray();
      for (Integer id : a.functionIds()) {
        w.value(id);
      }
      w.endArray();
      w.name("authorized_at").value(a.authorizedAt().toEpochMilli());
      w.name("state").value(a.state().name());
      w.name("updated_at").value(a.updatedAt().toEpochMilli());
      w.endObject();
    }
    buffer.writeUtf8("\n");
    return buffer.readByteArray();
  }

  private Authorization decode(Path file, byte[] bytes) {
    String appId = null;
    String refreshToken = null;
    List<Integer> functionIds = null;
    Long authorizedAt = null;
    String state = null;
    Long updatedAt = null;
    try (JsonReader r = JsonReader.of(new Buffer().write(bytes))) {
      r.beginObject();
      while (r.hasNext()) {
        switch (r.nextName()) {
          case "authorizer_app_id" -> appId = r.nextString();
          case "refresh_token" -> refreshToken = r.nextString();
          case "function_ids" -> {
            functionIds = new ArrayList<>();
            r.beginArray();
            while (r.hasNext()) {
              functionIds.add(r.nextInt());
            }
            r.endArray();
          }
          case "authorized_at" -> authorizedAt = r.nextLong();
          case "state" -> state = r.nextString();
          case "updated_at" -> updatedAt = r.nextLong();
          default -> r.skipValue();
        }
      }
      r.endObject();
      if (r.peek() != JsonReader.Token.END_DOCUMENT) {
        throw damaged(file, "text follows the record", null);
      }
      if (appId == null
          || refreshToken == null
          || functionIds == null
          || authorizedAt == null
          || state == null
          || updatedAt == null) {
        throw damaged(file, "a field is missing", null);
      }
      String expected = file.getFileName().toString();
      if (!expected.equals(appId + SUFFIX)) {
        throw damaged(file, "it names another account", null);
      }
      return new Authorization(
          appId,
          refreshToken,
          functionIds,
          Instant.ofEpochMilli(authorizedAt),
          Authorization.State.valueOf(state),
          Instant.ofEpochMilli(updatedAt));
    } catch (IOException | JsonDataException | IllegalArgumentException e) {
      // Moshi's messages name the JSON path, not the values: no token in them.
      throw damaged(file, e.getClass().getSimpleName() + ": " + e.getMessage(), null);
    }
  }

  private static AuthorizationStoreException damaged(Path file, String why, Throwable cause) {
    return new AuthorizationStoreException(
        "FileAuthorizationStore: the record " + file + " is damaged (" + why + ")", cause);
  }
}
