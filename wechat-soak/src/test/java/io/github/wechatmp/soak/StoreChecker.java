package io.github.wechatmp.soak;

import com.squareup.moshi.JsonReader;
import io.github.wechatmp.test.WeChatStandIn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okio.Buffer;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * Reads the shared store over and over while the soak runs, with a client of its own, and checks
 * that what it holds is never corrupt: the raw Redis value or the whole token file parses strictly,
 * and names a token the stand-in issued, with an expiry one token lifetime after its issue time (a
 * value and times that belong together). Absence is fine (Redis restarted empty, no file yet), and
 * so is a store that cannot be reached (Redis killed or frozen). Runs on a daemon thread of its
 * own; {@link #stop()} ends it.
 */
final class StoreChecker implements AutoCloseable {
  private static final Pattern REDIS_VALUE = Pattern.compile("(\\d+),(\\d+):([A-Za-z0-9_-]+)");
  private static final Pattern TOKEN_VALUE = Pattern.compile("[A-Za-z0-9_-]+");

  private final WeChatStandIn wechat;
  private final Duration lifetime;
  private final Thread thread;
  private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
  private volatile boolean running = true;
  volatile int reads;
  volatile int present;
  volatile int unreachable;

  private StoreChecker(WeChatStandIn wechat, Duration lifetime, String name, CheckOnce check) {
    this.wechat = wechat;
    this.lifetime = lifetime;
    this.thread =
        new Thread(
            () -> {
              while (running) {
                try {
                  check.run();
                } catch (RuntimeException | IOException e) {
                  problems.add("the check itself failed: " + CallLog.oneLine(e));
                }
                try {
                  Thread.sleep(100);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            name);
    thread.setDaemon(true);
  }

  private interface CheckOnce {
    void run() throws IOException;
  }

  /** Checks the token key of {@link SoakWorker}'s Redis store. */
  static StoreChecker redis(WeChatStandIn wechat, Duration lifetime, String address) {
    String key = SoakWorker.REDIS_PREFIX + "{" + SoakWorker.APP_ID + "}:access_token";
    HostAndPort where = HostAndPort.from(address);
    StoreChecker[] self = new StoreChecker[1];
    self[0] =
        new StoreChecker(
            wechat,
            lifetime,
            "soak-redis-checker",
            () -> {
              String raw;
              try (Jedis j =
                  new Jedis(
                      where,
                      DefaultJedisClientConfig.builder()
                          .connectionTimeoutMillis(500)
                          .socketTimeoutMillis(500)
                          .build())) {
                raw = j.get(key);
              } catch (RuntimeException down) {
                self[0].unreachable++;
                return;
              }
              self[0].reads++;
              if (raw == null) {
                return;
              }
              self[0].present++;
              Matcher m = REDIS_VALUE.matcher(raw);
              if (!m.matches()) {
                self[0].problem("the Redis value does not parse as <expiresAt>,<issuedAt>:<token>");
                return;
              }
              self[0].checkEntry(
                  m.group(3),
                  Instant.ofEpochMilli(Long.parseLong(m.group(2))),
                  Instant.ofEpochMilli(Long.parseLong(m.group(1))));
            });
    self[0].thread.start();
    return self[0];
  }

  /** Checks the whole token file of {@link SoakWorker}'s file store. */
  static StoreChecker file(WeChatStandIn wechat, Duration lifetime, Path file) {
    StoreChecker[] self = new StoreChecker[1];
    self[0] =
        new StoreChecker(wechat, lifetime, "soak-file-checker", () -> self[0].checkFile(file));
    self[0].thread.start();
    return self[0];
  }

  /** One strict check of the token file, also called by the coordinator right after each kill. */
  void checkFile(Path file) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException none) {
      reads++;
      return;
    }
    reads++;
    Object root;
    try (JsonReader reader = JsonReader.of(new Buffer().write(bytes))) {
      root = reader.readJsonValue();
      if (reader.peek() != JsonReader.Token.END_DOCUMENT) {
        problem("the token file has content after its JSON document");
        return;
      }
    } catch (IOException | RuntimeException e) {
      problem("the token file is not valid JSON (" + bytes.length + " bytes): " + e.getMessage());
      return;
    }
    if (!(root instanceof Map<?, ?> doc)
        || !(doc.get("version") instanceof Number v)
        || v.intValue() != 1
        || !(doc.get("tokens") instanceof Map<?, ?> tokens)) {
      problem("the token file is JSON but not version 1 with a tokens object");
      return;
    }
    Object entry = tokens.get(SoakWorker.KEY.toString());
    if (entry == null) {
      if (!tokens.isEmpty()) {
        problem("the token file holds entries under other keys: " + tokens.keySet());
      }
      return;
    }
    present++;
    if (!(entry instanceof Map<?, ?> fields)
        || !(fields.get("value") instanceof String value)
        || !(fields.get("expiresAt") instanceof String expiresAt)
        || !(fields.get("issuedAt") instanceof String issuedAt)) {
      problem("the token file's entry lacks a value, expiresAt or issuedAt string");
      return;
    }
    Instant issued;
    Instant expires;
    try {
      issued = Instant.parse(issuedAt);
      expires = Instant.parse(expiresAt);
    } catch (RuntimeException e) {
      problem("the token file's entry has times that do not parse");
      return;
    }
    checkEntry(value, issued, expires);
  }

  private void checkEntry(String value, Instant issuedAt, Instant expiresAt) {
    if (!TOKEN_VALUE.matcher(value).matches()) {
      problem("a stored token value has characters WeChat's never have");
      return;
    }
    Set<String> issued = new HashSet<>(wechat.issuedTokens());
    if (!issued.contains(value)) {
      problem("the store holds a token the stand-in never issued");
      return;
    }
    long life = Duration.between(issuedAt, expiresAt).toMillis();
    if (Math.abs(life - lifetime.toMillis()) > 1_000) {
      problem(
          "a stored token's issue and expiry times are " + life + " ms apart, not its lifetime");
    }
  }

  private void problem(String what) {
    problems.add(Instant.now() + " " + what);
  }

  List<String> problems() {
    synchronized (problems) {
      return List.copyOf(problems);
    }
  }

  void stop() throws InterruptedException {
    running = false;
    thread.interrupt();
    thread.join(5_000);
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }
}
