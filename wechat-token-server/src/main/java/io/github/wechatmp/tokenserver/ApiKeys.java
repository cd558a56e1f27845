package io.github.wechatmp.tokenserver;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * Finds the client an {@code Authorization: Bearer} key belongs to. The presented key is hashed
 * with SHA-256 and compared with every client's digest with {@link MessageDigest#isEqual}, which
 * takes the same time whatever the bytes, and with no early exit, so neither the time nor the order
 * of clients says how close a guess was. Thread-safe and immutable.
 */
final class ApiKeys {
  /** Longer headers are refused unread: no key is that long. */
  static final int MAX_HEADER_LENGTH = 1024;

  private final List<ServerConfig.Client> clients;

  ApiKeys(List<ServerConfig.Client> clients) {
    this.clients = List.copyOf(clients);
  }

  /** The client whose key the header carries, or null for a missing, malformed or unknown key. */
  ServerConfig.Client authenticate(String authorization) {
    if (authorization == null
        || authorization.length() > MAX_HEADER_LENGTH
        || authorization.length() < 8
        || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String key = authorization.substring(7).strip();
    if (key.isEmpty()) {
      return null;
    }
    byte[] digest = sha256().digest(key.getBytes(StandardCharsets.UTF_8));
    ServerConfig.Client found = null;
    for (ServerConfig.Client c : clients) {
      if (MessageDigest.isEqual(digest, c.keySha256) & found == null) {
        found = c;
      }
    }
    return found;
  }

  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(
          () -> {
            try {
              return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
              throw new IllegalStateException("every JDK has SHA-256", e);
            }
          });

  private static MessageDigest sha256() {
    MessageDigest md = SHA256.get();
    md.reset();
    return md;
  }
}
