package io.github.wechatmp.store.file;

import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStore;
import io.github.wechatmp.token.TokenStoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link TokenStore} in one JSON file that several processes on one host share safely: a web app,
 * a worker and a cron job that point their providers at the same path make one call to WeChat per
 * token lifetime between them.
 *
 * <pre>{@code
 * AccessTokenProvider provider = AccessTokenProvider.builder()
 *     .appId(appId)
 *     .appSecret(appSecret)
 *     .store(new FileTokenStore(Path.of("/var/lib/myapp/wechat-tokens.json")))
 *     .build();
 * }</pre>
 *
 * <h2>The file</h2>
 *
 * Human-readable JSON, one entry per {@link TokenKey} (so several apps and kinds may share a file):
 *
 * <pre>{@code
 * {
 *   "version": 1,
 *   "tokens": {
 *     "wx0123456789abcdef:access_token": {
 *       "value": "...",
 *       "expiresAt": "2026-11-24T10:00:00.123Z"
 *     }
 *   }
 * }
 * }</pre>
 *
 * Every change is written to {@code <file>.tmp} in the same directory, forced to disk, and renamed
 * over the file, so a reader sees the old or the new contents and never part of them, even if the
 * writer is killed half-way. Files this store creates are readable and writable by their owner only
 * (mode {@code 0600}) where the file system has POSIX permissions: they hold credentials. Its
 * parent directory is created if absent, with default permissions. A missing file holds no token. A
 * file that cannot be used (empty, truncated, not JSON, not this layout, over 4 MiB) reads as
 * holding no token, and an entry that cannot be used (a field missing or of the wrong type) as no
 * entry; either is logged once at WARN with the path and is replaced by the next save. Expired
 * entries are kept until replaced. The file is parsed again only when its size, identity or
 * modification time changed, or it was changed within the two seconds before it was last read.
 *
 * <h2>Who may write there</h2>
 *
 * Where the file system has Unix owners and modes, the store refuses, with a {@link
 * TokenStoreException} naming the path and what to change, anything another local user could tamper
 * with to steal a token, make the store overwrite a file of their choosing, or serve a token they
 * chose:
 *
 * <ul>
 *   <li>at construction, a file's directory that another user can write to (group- or
 *       world-writable, or another user's), unless it is sticky and belongs to this process's user;
 *       and a directory above it that others can write to, unless it is sticky and belongs to this
 *       user or root. So not {@code /tmp} itself: use a directory of your own, such as one under
 *       your home or {@code /var/lib/<app>} (mode {@code 0700}, or {@code 0750} for readers);
 *   <li>a token file, {@code .tmp} file or {@code .lock} file that is a symbolic link: none is ever
 *       followed. The temporary file is created new and written through the handle that created it;
 *   <li>a token or lock file that belongs to another user or that others can write to.
 * </ul>
 *
 * Elsewhere (Windows) nothing is checked: put the file where only you can write.
 *
 * <h2>The refresh lock</h2>
 *
 * The lock for a key is an OS file lock ({@link java.nio.channels.FileChannel#tryLock}) on one byte
 * of {@code <file>.lock}, chosen by the key's hash (two keys may share one byte; they then merely
 * wait for each other), behind a lock that excludes this JVM's other threads and stores on the same
 * path. (The byte is {@code 1 + (key.toString().hashCode() & 0x7fffffff)}: part of the file's
 * protocol, like the layout, for every process that shares the file.) Its bounds:
 *
 * <ul>
 *   <li>A process that dies holding it (killed, crashed) loses it at once: the OS releases it.
 *   <li>A live holder that does not close it within its {@code lease} (a hung thread) loses it when
 *       the lease lapses: its own JVM releases it, and logs a WARN. A process that is stopped
 *       altogether (SIGSTOP, a debugger) keeps it until it resumes or dies: then only {@code
 *       maxWait} bounds the others' wait.
 *   <li>A waiter polls the OS lock with a backoff from 1 ms to 50 ms, so it takes over within about
 *       50 ms of a release in another process, and at once after a release in this JVM.
 * </ul>
 *
 * A save or delete holds a separate lock on byte 0 for the few milliseconds of one
 * read-modify-write and waits at most 10 s for it. The lock file is open only while this JVM holds
 * a lock in it. In a process that uses this store, do not open, delete or lock the {@code .lock}
 * file by other means: closing any descriptor on it releases the process's locks on it. That
 * includes a second copy of this library in the same JVM (two web applications with their own class
 * loaders) and the same file reached through a hard link or bind mount: this store recognises one
 * file by its canonical path within one copy of the library only, so give each such copy its own
 * file, or share the library. OS file locks are not reliable on network file systems: use this
 * store on a local file system, and the Redis store between hosts.
 *
 * <h2>Change notifications</h2>
 *
 * {@link #subscribe} polls the file's metadata every {@linkplain Builder#changePollInterval poll
 * interval} (1 s by default) on one daemon thread shared by the JVM's file stores, so a save or
 * delete by another process is reported within about one interval. Several changes within one
 * interval are reported once. Because the file holds every key, a save or delete of another key in
 * it may be reported too: subscribers re-read the entry, as providers do.
 *
 * <p>Thread-safe: any number of threads, stores on the same path in this JVM, and processes on this
 * host may use the file at once. Methods throw {@link TokenStoreException}, whose message names the
 * path, when the file system refuses a read or write, and {@link NullPointerException} naming the
 * argument for a null argument. No method logs or throws a token value.
 */
public final class FileTokenStore implements TokenStore {
  private static final Logger log = LoggerFactory.getLogger(FileTokenStore.class);

  private final SharedFile shared;
  private final Duration changePollInterval;

  /**
   * Creates a store in {@code file} with the default settings; see {@link Builder#build()}.
   *
   * @param file the token file; it need not exist yet
   * @throws NullPointerException if {@code file} is null
   * @throws IllegalArgumentException if {@code file} names no file (a root directory)
   * @throws TokenStoreException if the path cannot hold a token file, or other users could tamper
   *     with it (see the class description), naming it
   */
  public FileTokenStore(Path file) {
    this(builder(file));
  }

  private FileTokenStore(Builder b) {
    this.shared = SharedFile.of(canonical(b.file));
    this.changePollInterval = b.changePollInterval;
  }

  /**
   * Returns a builder of a store in {@code file}.
   *
   * @param file the token file; it need not exist yet
   * @return a builder with the default settings
   * @throws NullPointerException if {@code file} is null
   */
  public static Builder builder(Path file) {
    return new Builder(Objects.requireNonNull(file, "file"));
  }

  /**
   * Returns the token file's path: absolute, normalized, with symbolic links in its parent resolved
   * (the file itself is never a link).
   *
   * @return the path this store reads and replaces
   */
  public Path path() {
    return shared.file;
  }

  /**
   * {@inheritDoc}
   *
   * <p>The check and the write happen while holding the refresh lock's in-JVM monitor and so its OS
   * lock: no thread of this JVM and no other process can take the lock in between. The lease is
   * enforced by this JVM; a lock whose lease lapsed was released, and the save is refused.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code lock} was not taken on {@code key} of this file
   * @throws TokenStoreException if the file cannot be written
   */
  @Override
  public boolean saveFenced(TokenKey key, AccessToken token, RefreshLock lock) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(lock, "lock");
    if (!(lock instanceof RangeLock.Handle)
        || ((RangeLock.Handle) lock).parent() != shared.refreshLock(key)) {
      throw new IllegalArgumentException("the lock was not taken on " + key + " of " + shared.file);
    }
    return ((RangeLock.Handle) lock).whileHeld(() -> save(key, token));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Hold-offs are kept in the token file's {@code holdOffs} object, so every process using the
   * file honours them.
   *
   * @throws NullPointerException if {@code key} is null
   * @throws TokenStoreException if the file cannot be read
   */
  @Override
  public Optional<SharedHoldOff> loadHoldOff(TokenKey key) {
    Objects.requireNonNull(key, "key");
    return Optional.ofNullable(shared.holdOffs().get(key));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Written with the file's write lock, atomically, as tokens are.
   *
   * @throws NullPointerException if an argument is null
   * @throws TokenStoreException if the file cannot be written
   */
  @Override
  public void saveHoldOff(TokenKey key, SharedHoldOff holdOff) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(holdOff, "holdOff");
    shared.updateHoldOffs(
        "record the hold-off of " + key,
        holdOffs -> {
          holdOffs.put(key, holdOff);
          return true;
        });
  }

  /**
   * {@inheritDoc}
   *
   * @throws NullPointerException if {@code key} is null
   * @throws TokenStoreException if the file cannot be written
   */
  @Override
  public void clearHoldOff(TokenKey key) {
    Objects.requireNonNull(key, "key");
    shared.updateHoldOffs("clear the hold-off of " + key, holdOffs -> holdOffs.remove(key) != null);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Reads the file only if it changed since this JVM last parsed it. A missing or unusable file
   * or entry is an empty result.
   *
   * @throws TokenStoreException if the file exists but cannot be read, naming it
   */
  @Override
  public Optional<AccessToken> load(TokenKey key) {
    Objects.requireNonNull(key, "key");
    return Optional.ofNullable(shared.tokens().get(key));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Rewrites the whole file atomically, keeping the other keys' entries and dropping unusable
   * ones. If interrupted while waiting for another writer, it still completes, and keeps the
   * thread's interrupt status.
   *
   * @throws TokenStoreException if the file cannot be written, or another process kept it locked
   *     for 10 s, naming it; the file is then unchanged
   */
  @Override
  public void save(TokenKey key, AccessToken token) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(token, "token");
    shared.update(
        "save " + key,
        tokens -> {
          tokens.put(key, token);
          return true;
        });
    log.debug("Saved {} to {}: {}", key, shared.file, token);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Compares and rewrites under the same lock as {@link #save}; the file is not written when
   * nothing is deleted.
   *
   * @throws TokenStoreException if the file cannot be read or written, or another process kept it
   *     locked for 10 s, naming it; the file is then unchanged
   */
  @Override
  public boolean deleteIfValue(TokenKey key, String expectedValue) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(expectedValue, "expectedValue");
    boolean deleted =
        shared.update(
            "delete " + key,
            tokens -> {
              AccessToken current = tokens.get(key);
              if (current == null || !current.value().equals(expectedValue)) {
                return false;
              }
              tokens.remove(key);
              return true;
            });
    log.debug(
        "Deleting {} from {} if it held the given value: deleted: {}", key, shared.file, deleted);
    return deleted;
  }

  /**
   * {@inheritDoc}
   *
   * <p>See the class description for what the lease means for this store: a dead holder's lock is
   * free at once, a live holder's when its lease lapses, a stopped one's only when it resumes. The
   * returned lock may be closed from any thread.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code lease} is not positive or {@code maxWait} is
   *     negative
   * @throws TokenStoreException if the lock file cannot be opened or locked, naming it
   */
  @Override
  public Optional<RefreshLock> tryLock(TokenKey key, Duration lease, Duration maxWait)
      throws InterruptedException {
    TokenStore.checkLockArguments(key, lease, maxWait);
    return shared.refreshLock(key).acquire(key, saturatedNanos(lease), saturatedNanos(maxWait));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Polls the file every {@linkplain Builder#changePollInterval poll interval} on the shared
   * daemon thread and calls {@code onChange} there, at most once a poll, when the file was replaced
   * or the entry under {@code key} changed since the last poll: by any save or delete of any key,
   * by any process, this one included. So a change is reported even if it was undone before the
   * poll. A poll that fails (the file is unreadable for a while) is skipped and logged at DEBUG.
   * With a poll interval of zero, nothing is polled and nothing reported.
   *
   * @throws NullPointerException if an argument is null
   */
  @Override
  public Subscription subscribe(TokenKey key, Runnable onChange) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(onChange, "onChange");
    if (changePollInterval.isZero()) {
      return () -> {};
    }
    ChangePoll poll = new ChangePoll(key, onChange);
    long interval = saturatedNanos(changePollInterval);
    ScheduledFuture<?> task;
    try {
      task = Daemon.EXECUTOR.scheduleWithFixedDelay(poll, interval, interval, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      throw new TokenStoreException(
          "Cannot watch the token file " + shared.file + " for changes", e);
    }
    return () -> task.cancel(false);
  }

  /** Returns {@code FileTokenStore{<path>}}. */
  @Override
  public String toString() {
    return "FileTokenStore{" + shared.file + '}';
  }

  private static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE / 4; // centuries; leaves room for nanoTime arithmetic
    }
  }

  /**
   * Returns the path the JVM-wide lock state is keyed by: absolute, normalized, the parent's links
   * resolved, so that two spellings of one path share one lock. Creates the parent if absent, and
   * refuses a path others could tamper with (see {@link Ownership}).
   */
  private static Path canonical(Path file) {
    Path absolute = file.toAbsolutePath().normalize();
    Path name = absolute.getFileName();
    Path parent = absolute.getParent();
    if (name == null || parent == null) {
      throw new IllegalArgumentException("file must name a file, not a root directory: " + file);
    }
    Path resolved;
    try {
      Files.createDirectories(parent);
      resolved = parent.toRealPath().resolve(name);
    } catch (IOException e) {
      throw new TokenStoreException(
          "Cannot create the directory of the token file " + absolute + ": " + e, e);
    }
    if (Files.isSymbolicLink(resolved)) {
      throw SharedFile.symbolicLink(absolute, "token file");
    }
    Ownership.of(resolved.getFileSystem()).checkDirectories(resolved.getParent(), absolute);
    if (Files.isDirectory(resolved, LinkOption.NOFOLLOW_LINKS)) {
      throw new TokenStoreException("The token file " + absolute + " is a directory", null);
    }
    if (!Files.isWritable(resolved.getParent())) {
      throw new TokenStoreException(
          "The directory of the token file " + absolute + " is not writable", null);
    }
    return resolved;
  }

  /**
   * Reports when the file was replaced, or the entry under one key changed, since the last poll. A
   * replacement is reported even if the entry looks the same: it may have been deleted and saved
   * again, or saved and deleted again, between two polls, while the subscriber adopted it.
   */
  private final class ChangePoll implements Runnable {
    private final TokenKey key;
    private final Runnable onChange;
    // Confined to the daemon thread after construction, which the executor orders before the polls.
    private boolean primed;
    private SharedFile.Signature seenFile;
    private AccessToken seenEntry;

    ChangePoll(TokenKey key, Runnable onChange) {
      this.key = key;
      this.onChange = onChange;
      try {
        SharedFile.Snapshot s = shared.snapshot();
        seenFile = s.signature;
        seenEntry = s.parsed.tokens.get(key);
        primed = true;
      } catch (TokenStoreException e) {
        log.debug(
            "Could not read {} before watching it; the first successful poll sets the baseline",
            shared.file,
            e);
      }
    }

    @Override
    public void run() {
      SharedFile.Snapshot s;
      try {
        s = shared.snapshot();
      } catch (RuntimeException e) {
        log.debug("Could not poll {} for changes of {}", shared.file, key, e);
        return;
      }
      AccessToken entry = s.parsed.tokens.get(key);
      boolean changed =
          primed && (!Objects.equals(s.signature, seenFile) || !Objects.equals(entry, seenEntry));
      seenFile = s.signature;
      seenEntry = entry;
      primed = true;
      if (!changed) {
        return;
      }
      try {
        onChange.run();
      } catch (RuntimeException e) {
        log.warn("A change subscriber of {} in {} failed", key, shared.file, e);
      }
    }
  }

  /**
   * Settings of a {@link FileTokenStore}. Not thread-safe; {@link #build()} may be called more than
   * once, and every store built on one path shares that path's locks.
   */
  public static final class Builder {
    private final Path file;
    private Duration changePollInterval = Duration.ofSeconds(1);

    private Builder(Path file) {
      this.file = file;
    }

    /**
     * How often {@link FileTokenStore#subscribe subscriptions} look at the file for other
     * processes' changes. Default 1 s; zero turns change notifications off. Each poll is one
     * metadata read, plus a parse if the file changed.
     *
     * @param interval the time between two polls; zero for none
     * @return this builder
     * @throws NullPointerException if {@code interval} is null
     * @throws IllegalArgumentException if {@code interval} is negative
     */
    public Builder changePollInterval(Duration interval) {
      if (Objects.requireNonNull(interval, "interval").isNegative()) {
        throw new IllegalArgumentException("changePollInterval must not be negative");
      }
      this.changePollInterval = interval;
      return this;
    }

    /**
     * Makes the store. Creates the file's parent directory if absent; does not create or read the
     * file itself.
     *
     * @return a new store; stores built on one path share its locks
     * @throws IllegalArgumentException if the path names no file (a root directory)
     * @throws TokenStoreException if the parent directory cannot be created or is not writable,
     *     another user can write to it or to a directory above it (see the class description), or
     *     the path is a directory or a symbolic link; the message names the path
     */
    public FileTokenStore build() {
      return new FileTokenStore(this);
    }
  }
}
