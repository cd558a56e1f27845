package io.github.wechatmp.soak;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The call log of one worker life, as {@link SoakWorker} writes it: one event a line, each starting
 * with the wall-clock instant in epoch ms at which it was written.
 *
 * <pre>
 * ms START pid
 * ms TOKENREQ                                   the provider is about to ask cgi-bin/token
 * ms TOKEN fetched|adopted expiresAt issuedAt masked
 * ms STORELESS masked                           the token just fetched was fetched without the store
 * ms REFRESHFAIL consecutive Exception: message
 * ms INVALIDATED wasCurrent
 * ms OK thread startedMs                        an API call that succeeded
 * ms FAIL thread startedMs what                 one that did not: an exception, HTTP_nnn body
 * </pre>
 *
 * A line cut short (the last one, by a kill) is ignored. {@link #tail} reads a log that is still
 * being written, from where it left off.
 */
final class CallLog {
  /** One API call. */
  record Call(String life, long startedAt, long endedAt, boolean ok, String failure) {}

  /** A token the provider took, and when. */
  record Token(
      String life, long at, boolean fetched, long expiresAt, long issuedAt, String masked) {}

  /** Something that leaves the worker holding no token (an invalidation of the current one). */
  record Dropped(String life, long at) {}

  final String life;
  final List<Call> calls = new ArrayList<>();
  final List<Token> tokens = new ArrayList<>();
  final List<Long> tokenRequests = new ArrayList<>();
  final List<Long> storelessFetches = new ArrayList<>();
  final List<Dropped> dropped = new ArrayList<>();
  int refreshFailures;
  private final Path file;
  private long offset;

  CallLog(String life, Path file) {
    this.life = life;
    this.file = file;
  }

  /** Reads the lines completed since the last call. */
  CallLog tail() throws IOException {
    if (!Files.exists(file)) {
      return this;
    }
    byte[] chunk;
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long length = raf.length();
      if (length <= offset) {
        return this;
      }
      chunk = new byte[(int) Math.min(Integer.MAX_VALUE - 8, length - offset)];
      raf.seek(offset);
      raf.readFully(chunk);
    }
    int end = chunk.length;
    while (end > 0 && chunk[end - 1] != '\n') {
      end--;
    }
    offset += end;
    String text = new String(chunk, 0, end, StandardCharsets.UTF_8);
    for (String line : text.split("\n")) {
      if (!line.isEmpty()) {
        parse(line);
      }
    }
    return this;
  }

  private void parse(String line) {
    String[] f = line.split(" ", 5);
    long at = Long.parseLong(f[0]);
    switch (f[1]) {
      case "OK" -> calls.add(new Call(life, Long.parseLong(f[3]), at, true, null));
      case "FAIL" ->
          calls.add(
              new Call(life, Long.parseLong(f[3]), at, false, f.length > 4 ? f[4] : "(nothing)"));
      case "TOKEN" -> {
        String[] t = line.split(" ", 6);
        tokens.add(
            new Token(
                life,
                at,
                t[2].equals("fetched"),
                Long.parseLong(t[3]),
                t[4].equals("-") ? -1 : Long.parseLong(t[4]),
                t[5]));
      }
      case "TOKENREQ" -> tokenRequests.add(at);
      case "STORELESS" -> storelessFetches.add(at);
      case "INVALIDATED" -> {
        if (f[2].equals("true")) {
          dropped.add(new Dropped(life, at));
        }
      }
      case "REFRESHFAIL" -> refreshFailures++;
      case "START" -> {
        // nothing to keep
      }
      default -> throw new AssertionError("unknown line in " + file + ": " + line);
    }
  }

  /**
   * The expiry of the token this life held at {@code t}: the last one it took before {@code t},
   * unless an invalidation dropped it since; -1 if it held none.
   */
  long heldTokenExpiryAt(long t) {
    long expiry = -1;
    long tokenAt = Long.MIN_VALUE;
    for (Token k : tokens) {
      if (k.at() <= t && k.at() >= tokenAt) {
        tokenAt = k.at();
        expiry = k.expiresAt();
      }
    }
    for (Dropped d : dropped) {
      if (d.at() <= t && d.at() >= tokenAt) {
        return -1;
      }
    }
    return expiry;
  }

  /** A throwable (or body) as one short line: class and message, never across lines. */
  static String oneLine(Throwable e) {
    return oneLine(e.getClass().getSimpleName() + ": " + e.getMessage());
  }

  static String oneLine(String text) {
    String s = text.replaceAll("[\\r\\n]+", " ");
    return s.length() > 300 ? s.substring(0, 300) + "..." : s;
  }
}
