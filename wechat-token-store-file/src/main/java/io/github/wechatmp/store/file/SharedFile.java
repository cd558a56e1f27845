package io.github.wechatmp.store.file;

import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStore;
import io.github.wechatmp.token.TokenStoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiPredicate;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything this JVM knows and holds about one token file, shared by every {@link FileTokenStore}
 * on that path: the one open channel on the lock file, the refresh locks, the write lock, and the
 * last parsed contents. One instance per canonical path for the life of the JVM.
 *
 * <p>The lock file is open on one channel while this JVM holds a lock on it, and closed when it
 * holds none: POSIX drops all of a process's locks on a file when any of its descriptors on that
 * file is closed, so there must never be a second descriptor, nor a close while a lock is held.
 * Only {@link FileChannel#tryLock} and {@link FileLock#release()} are used on it, which an
 * interrupt cannot abort (a blocking {@code lock()} could, and would close the channel).
 *
 * <p>Thread-safe.
 */
final class SharedFile {
  private static final Logger log = LoggerFactory.getLogger(FileTokenStore.class);
  private static final ConcurrentMap<Path, SharedFile> BY_PATH = new ConcurrentHashMap<>();

  /** The byte of the lock file that guards a read-modify-write of the token file. */
  private static final long WRITE_LOCK_POSITION = 0;

  /** How long a save or delete waits for another writer; writes take milliseconds. */
  static final long WRITE_LOCK_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);

  /** Larger files are not ours; refusing them bounds the memory a stray path can cost. */
  static final int MAX_FILE_BYTES = 4 << 20;

  /**
   * A parse is reused only while the file's size, identity and modification time are unchanged and
   * the modification time is older than this when the file was read: two writes within one tick of
   * a coarse file system clock can leave identical metadata (the trick git uses for its index).
   */
  static final long RACY_WINDOW_MILLIS = 2_000;

  static final long MAX_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private static final FileAttribute<?>[] OWNER_ONLY = {
    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))
  };
  private static final FileAttribute<?>[] DEFAULT_PERMISSIONS = {};

  final Path file;
  final Path lockFile;
  final Path tempFile;
  private final Path directory;
  private final FileAttribute<?>[] createAttributes;
  final Ownership ownership;

  private final Object channelGuard = new Object();
  private FileChannel lockChannel; // guarded by channelGuard; open only while a lock is held
  private int heldFileLocks; // guarded by channelGuard
  private final ConcurrentMap<Long, RangeLock> refreshLocks = new ConcurrentHashMap<>();
  private final ReentrantLock writeMutex = new ReentrantLock();
  private volatile Snapshot cached;
  private volatile Signature warned;

  private SharedFile(Path file) {
    this.file = file;
    this.directory = file.getParent();
    this.lockFile = file.resolveSibling(file.getFileName() + ".lock");
    this.tempFile = file.resolveSibling(file.getFileName() + ".tmp");
    this.createAttributes =
        file.getFileSystem().supportedFileAttributeViews().contains("posix")
            ? OWNER_ONLY
            : DEFAULT_PERMISSIONS;
    this.ownership = Ownership.of(file.getFileSystem());
  }

  /** Returns the state of {@code canonicalFile}, which must be absolute with a real parent. */
  static SharedFile of(Path canonicalFile) {
    return BY_PATH.computeIfAbsent(canonicalFile, SharedFile::new);
  }

  RangeLock refreshLock(TokenKey key) {
    return refreshLocks.computeIfAbsent(refreshLockPosition(key), p -> new RangeLock(this, p));
  }

  /** One byte per key, past the write lock's; keys whose hashes collide merely share a lock. */
  static long refreshLockPosition(TokenKey key) {
    return 1 + (key.toString().hashCode() & 0x7fff_ffffL);
  }

  // ----------------------------------------------------------------------------------------
  // reading

  /** The file's metadata that changes with every replacement. */
  static final class Signature {
    final Object fileKey;
    final FileTime modified;
    final long size;

    Signature(Map<String, Object> a) {
      this.fileKey = a.get("fileKey");
      this.modified = (FileTime) a.get("lastModifiedTime");
      this.size = ((Number) a.get("size")).longValue();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Signature
          && Objects.equals(((Signature) o).fileKey, fileKey)
          && ((Signature) o).modified.equals(modified)
          && ((Signature) o).size == size;
    }

    @Override
    public int hashCode() {
      return Objects.hash(fileKey, modified, size);
    }
  }

  /** Parsed contents together with the metadata of the file they came from. */
  static final class Snapshot {
    final Signature signature; // null: no file
    final TokenFileFormat.Parsed parsed;
    final boolean reusable;

    Snapshot(Signature signature, TokenFileFormat.Parsed parsed, boolean reusable) {
      this.signature = signature;
      this.parsed = parsed;
      this.reusable = reusable;
    }
  }

  /** Returns the file's usable entries, parsing it again only if it may have changed. */
  Map<TokenKey, AccessToken> tokens() {
    return read(true).parsed.tokens;
  }

  /**
   * Returns the file's contents with its metadata, parsing it again only if it may have changed.
   */
  Snapshot snapshot() {
    return read(true);
  }

  private Snapshot read(boolean useCache) {
    for (int attempt = 0; ; attempt++) {
      Signature before = stat();
      if (before == null) {
        return new Snapshot(null, TokenFileFormat.Parsed.NO_FILE, false);
      }
      Snapshot c = cached;
      if (useCache && c != null && c.reusable && before.equals(c.signature)) {
        return c;
      }
      long readAtMillis = System.currentTimeMillis();
      byte[] bytes = readBytes();
      Signature after = bytes == null ? null : stat();
      if (after == null || !after.equals(before)) {
        if (attempt < 5) {
          continue; // replaced while we read it; the new one is complete, read it
        }
        // Replaced on every try (a busy writer on a loaded host). Every writer replaces the file
        // whole by a rename, so what one open read is one complete version: use it if it parses,
        // but neither cache it nor tie it to a signature it may not match.
        if (bytes != null && bytes.length <= MAX_FILE_BYTES) {
          TokenFileFormat.Parsed parsed = TokenFileFormat.parse(bytes);
          if (parsed.problems.isEmpty()) {
            return new Snapshot(null, parsed, false);
          }
        }
        throw new TokenStoreException(
            "The token file " + file + " kept changing while being read", null);
      }
      TokenFileFormat.Parsed parsed =
          bytes.length > MAX_FILE_BYTES
              ? TokenFileFormat.Parsed.unusable(
                  "the file is larger than " + MAX_FILE_BYTES + " bytes")
              : TokenFileFormat.parse(bytes);
      warnOnce(before, parsed);
      boolean reusable = readAtMillis - before.modified.toMillis() > RACY_WINDOW_MILLIS;
      Snapshot s = new Snapshot(before, parsed, reusable);
      cached = s;
      return s;
    }
  }

  private void warnOnce(Signature signature, TokenFileFormat.Parsed parsed) {
    if (parsed.problems.isEmpty() || signature.equals(warned)) {
      return;
    }
    warned = signature;
    if (parsed.tokens.isEmpty() && parsed.problems.size() == 1) {
      log.warn(
          "The token file {} is unusable: {}; it reads as holding no token until the next save "
              + "replaces it",
          file,
          parsed.problems.get(0));
    } else {
      log.warn(
          "The token file {} has {} unusable entries, which read as no token until the next save "
              + "drops them: {}",
          file,
          parsed.problems.size(),
          String.join("; ", parsed.problems));
    }
  }

  /** Returns the file's signature, or null if there is no file. */
  private Signature stat() {
    Map<String, Object> attributes;
    try {
      attributes = ownership.read(file);
    } catch (NoSuchFileException e) {
      // No file yet, unless its folder is not a folder: JDK 17 reports that as another
      // FileSystemException ("Not a directory"), newer JDKs as NoSuchFileException.
      Path folder = file.toAbsolutePath().getParent();
      if (folder != null && Files.exists(folder) && !Files.isDirectory(folder)) {
        throw new TokenStoreException(
            "Cannot read the token file " + file + ": " + folder + " is not a directory", e);
      }
      return null;
    } catch (IOException e) {
      throw new TokenStoreException("Cannot read the token file " + file + ": " + e, e);
    }
    if (Boolean.TRUE.equals(attributes.get("isSymbolicLink"))) {
      throw symbolicLink(file, "token file");
    }
    if (!Boolean.TRUE.equals(attributes.get("isRegularFile"))) {
      throw new TokenStoreException("The token file " + file + " is not a regular file", null);
    }
    ownership.checkFile(attributes, file, "token file");
    return new Signature(attributes);
  }

  static TokenStoreException symbolicLink(Path path, String what) {
    return new TokenStoreException(
        "The "
            + what
            + " "
            + path
            + " is a symbolic link, which this store never follows: another user may have"
            + " planted it to have a file of their choosing read or overwritten. Remove the link",
        null);
  }

  /** Returns the file's bytes (at most one more than the limit), or null if it vanished. */
  private byte[] readBytes() {
    // Opened without following a link (only a channel can be), so a link planted since the stat
    // is refused rather than read. An interrupt closes a channel: the read is then done again,
    // with the interrupt put back for the caller afterwards.
    boolean interrupted = Thread.interrupted();
    try {
      for (int attempt = 0; ; attempt++) {
        try (FileChannel in =
            FileChannel.open(file, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))) {
          return Channels.newInputStream(in).readNBytes(MAX_FILE_BYTES + 1);
        } catch (ClosedByInterruptException e) {
          interrupted |= Thread.interrupted();
          if (attempt >= 100) {
            throw new TokenStoreException(
                "Reading the token file " + file + " was interrupted again and again", e);
          }
        } catch (NoSuchFileException e) {
          return null;
        } catch (IOException e) {
          if (Files.isSymbolicLink(file)) { // ELOOP, which the JDK reports as a plain IOException
            throw symbolicLink(file, "token file");
          }
          throw new TokenStoreException("Cannot read the token file " + file + ": " + e, e);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  // ----------------------------------------------------------------------------------------
  // writing

  /**
   * Applies {@code change} to the file's entries and, if it says it changed them, writes them back
   * atomically; all while holding the write lock against this JVM's and other processes' writers.
   *
   * @return whether the file was written
   */
  boolean update(String action, Predicate<Map<TokenKey, AccessToken>> change) {
    return modify(action, (tokens, holdOffs) -> change.test(tokens));
  }

  /** As {@link #update}, for the file's hold-offs. */
  boolean updateHoldOffs(String action, Predicate<Map<TokenKey, TokenStore.SharedHoldOff>> change) {
    return modify(action, (tokens, holdOffs) -> change.test(holdOffs));
  }

  /** The hold-offs the file holds now. */
  Map<TokenKey, TokenStore.SharedHoldOff> holdOffs() {
    return read(true).parsed.holdOffs;
  }

  private boolean modify(
      String action,
      BiPredicate<Map<TokenKey, AccessToken>, Map<TokenKey, TokenStore.SharedHoldOff>> change) {
    long deadline = System.nanoTime() + WRITE_LOCK_WAIT_NANOS;
    boolean interrupted = false;
    try {
      while (true) {
        try {
          if (!writeMutex.tryLock(
              Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            throw writeLockTimeout(action);
          }
          break;
        } catch (InterruptedException e) {
          interrupted =
              true; // writes are short: finish this one, and keep the interrupt for the caller
        }
      }
      try {
        FileLock lock = null;
        long pause = TimeUnit.MILLISECONDS.toNanos(1);
        while ((lock = tryFileLock(WRITE_LOCK_POSITION)) == null) {
          long remaining = deadline - System.nanoTime();
          if (remaining <= 0) {
            throw writeLockTimeout(action);
          }
          interrupted |= sleepUninterruptibly(Math.min(pause, remaining));
          pause = Math.min(pause * 2, MAX_POLL_NANOS);
        }
        try {
          TokenFileFormat.Parsed parsed = read(false).parsed;
          Map<TokenKey, AccessToken> tokens = new HashMap<>(parsed.tokens);
          Map<TokenKey, TokenStore.SharedHoldOff> holdOffs = new HashMap<>(parsed.holdOffs);
          if (!change.test(tokens, holdOffs)) {
            return false;
          }
          writeAtomically(TokenFileFormat.write(tokens, holdOffs));
          return true;
        } finally {
          release(lock);
        }
      } finally {
        writeMutex.unlock();
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private TokenStoreException writeLockTimeout(String action) {
    return new TokenStoreException(
        "Timed out after "
            + TimeUnit.NANOSECONDS.toSeconds(WRITE_LOCK_WAIT_NANOS)
            + " s waiting for another writer of the token file "
            + file
            + " to "
            + action,
        null);
  }

  private static boolean sleepUninterruptibly(long nanos) {
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
      return false;
    } catch (InterruptedException e) {
      return true;
    }
  }

  /**
   * Writes a complete new file beside the old one, forces it to disk, and renames it over the old
   * one, so that readers see the old or the new contents, never part of them, even if this process
   * dies half-way. Called with the write lock held, so the temporary file is ours to replace.
   *
   * <p>The temporary file is created new (never an existing file, nor through a link) and written
   * through the handle that created it, never reopened by name: a link swapped in under its name
   * meanwhile receives nothing.
   */
  private void writeAtomically(byte[] contents) {
    boolean interrupted = Thread.interrupted();
    try {
      Files.createDirectories(directory);
      for (int attempt = 0; ; attempt++) {
        Files.deleteIfExists(
            tempFile); // left by a writer that died (a link is removed, not followed)
        try (FileChannel out =
            FileChannel.open(
                tempFile,
                Set.of(
                    StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS),
                createAttributes)) {
          ByteBuffer buffer = ByteBuffer.wrap(contents);
          while (buffer.hasRemaining()) {
            out.write(buffer);
          }
          out.force(true);
          break;
        } catch (ClosedByInterruptException e) {
          // An interrupt closed the channel half-way: write the whole file again, and keep the
          // interrupt for the caller.
          interrupted |= Thread.interrupted();
          if (attempt >= 100) {
            throw e;
          }
        }
      }
      try {
        Files.move(
            tempFile, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("the file system cannot replace files atomically", e);
      }
      syncDirectory(); // before the interrupt is put back, which would make it fail
    } catch (IOException e) {
      try {
        Files.deleteIfExists(tempFile);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new TokenStoreException("Cannot write the token file " + file + ": " + e, e);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Makes the rename itself durable; not every platform can open a directory, so best effort. */
  private void syncDirectory() {
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException | RuntimeException e) {
      log.debug("Could not sync the directory {} after writing the token file", directory, e);
    }
  }

  // ----------------------------------------------------------------------------------------
  // locking

  /**
   * Takes the OS lock on one byte of the lock file without waiting.
   *
   * @return the lock, to be given back to {@link #release}; or null if another process holds it (or
   *     this JVM does, through another path to the same file)
   */
  FileLock tryFileLock(long position) {
    synchronized (channelGuard) {
      try {
        if (lockChannel == null || !lockChannel.isOpen()) {
          Files.createDirectories(directory);
          lockChannel = openLockFile();
        }
        FileLock lock = lockChannel.tryLock(position, 1, false);
        if (lock != null) {
          heldFileLocks++;
        }
        return lock;
      } catch (OverlappingFileLockException e) {
        return null;
      } catch (IOException | UnsupportedOperationException e) {
        throw new TokenStoreException("Cannot lock the lock file " + lockFile + ": " + e, e);
      } finally {
        closeIfIdle();
      }
    }
  }

  /**
   * Opens the lock file, creating it if absent, never through a link (which could create a file
   * wherever it points), and refuses one that belongs to another user: they could hold its locks.
   */
  private FileChannel openLockFile() throws IOException {
    FileChannel channel;
    try {
      channel =
          FileChannel.open(
              lockFile,
              Set.of(
                  StandardOpenOption.CREATE, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
              createAttributes);
    } catch (IOException e) {
      if (Files.isSymbolicLink(lockFile)) { // ELOOP, which the JDK reports as a plain IOException
        throw symbolicLink(lockFile, "lock file");
      }
      throw e;
    }
    try {
      ownership.checkFile(ownership.read(lockFile), lockFile, "lock file");
    } catch (IOException | RuntimeException e) {
      channel.close(); // no lock is held on it yet
      throw e;
    }
    return channel;
  }

  /** Releases a lock {@link #tryFileLock} gave. Never throws. */
  void release(FileLock lock) {
    synchronized (channelGuard) {
      try {
        lock.release();
      } catch (IOException | RuntimeException e) {
        log.warn("Could not release a lock on {}; it ends when this process exits", lockFile, e);
      } finally {
        heldFileLocks--;
        closeIfIdle();
      }
    }
  }

  /**
   * Closes the lock file when this JVM holds no lock on it, so that no descriptor stays open while
   * the file is not in use. Never while one is held: closing any descriptor of a file releases
   * every lock the process holds on it.
   */
  private void closeIfIdle() {
    if (heldFileLocks > 0 || lockChannel == null) {
      return;
    }
    try {
      lockChannel.close();
    } catch (IOException e) {
      log.debug("Could not close the lock file {}", lockFile, e);
    }
    lockChannel = null;
  }

  @Override
  public String toString() {
    return file.toString();
  }
}
