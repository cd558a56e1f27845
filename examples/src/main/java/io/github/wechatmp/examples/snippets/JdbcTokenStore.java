package io.github.wechatmp.examples.snippets;

import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStore;
import io.github.wechatmp.token.TokenStoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Docs snippet (docs/tokens-and-stores.md): a {@link TokenStore} of one's own, in a database,
 * written for PostgreSQL. It is tested: {@code JdbcTokenStoreContractTest} runs it against a real
 * PostgreSQL through the whole {@code TokenStoreContract} of {@code wechat-token-store-tck}.
 *
 * <pre>
 * CREATE TABLE wechat_token (token_key TEXT PRIMARY KEY, value TEXT NOT NULL, expires_at TIMESTAMPTZ NOT NULL);
 * CREATE TABLE wechat_token_lock (token_key TEXT PRIMARY KEY, owner TEXT NOT NULL, lease_until TIMESTAMPTZ NOT NULL);
 * </pre>
 */
// snippet:start custom-store
final class JdbcTokenStore implements TokenStore {
  private final DataSource db;

  JdbcTokenStore(DataSource db) {
    this.db = db;
  }

  @Override
  public Optional<AccessToken> load(TokenKey key) {
    Objects.requireNonNull(key, "key");
    try (Connection c = db.getConnection();
        PreparedStatement s =
            c.prepareStatement("SELECT value, expires_at FROM wechat_token WHERE token_key = ?")) {
      s.setString(1, key.toString());
      try (ResultSet r = s.executeQuery()) {
        if (!r.next()) {
          return Optional.empty();
        }
        try {
          return Optional.of(AccessToken.of(r.getString(1), r.getTimestamp(2).toInstant()));
        } catch (RuntimeException corrupt) {
          return Optional.empty(); // corrupt data reads as no token: the next save repairs it
        }
      }
    } catch (SQLException e) {
      throw new TokenStoreException(
          "wechat_token could not be read for " + key, e); // names the store, never the token
    }
  }

  @Override
  public void save(TokenKey key, AccessToken token) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(token, "token");
    update(
        "INSERT INTO wechat_token (token_key, value, expires_at) VALUES (?, ?, ?) "
            + "ON CONFLICT (token_key) DO UPDATE SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at",
        key.toString(),
        token.value(),
        Timestamp.from(token.expiresAt()));
  }

  @Override
  public boolean deleteIfValue(TokenKey key, String expectedValue) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(expectedValue, "expectedValue"); // SQL's "= NULL" would match nothing
    // Compare-and-delete in one statement: a newer token written by another node survives.
    return update(
            "DELETE FROM wechat_token WHERE token_key = ? AND value = ?",
            key.toString(),
            expectedValue)
        == 1;
  }

  @Override
  public Optional<RefreshLock> tryLock(TokenKey key, Duration lease, Duration maxWait)
      throws InterruptedException {
    TokenStore.checkLockArguments(key, lease, maxWait); // the same refusals as every store
    String owner = UUID.randomUUID().toString();
    long deadline = System.nanoTime() + maxWait.toNanos();
    while (true) {
      // Take the lock if it is free or its lease has lapsed (its holder crashed).
      int taken =
          update(
              "INSERT INTO wechat_token_lock (token_key, owner, lease_until) "
                  + "VALUES (?, ?, now() + ? * interval '1 millisecond') ON CONFLICT (token_key) DO UPDATE "
                  + "SET owner = EXCLUDED.owner, lease_until = EXCLUDED.lease_until WHERE wechat_token_lock.lease_until < now()",
              key.toString(),
              owner,
              lease.toMillis());
      if (taken == 1) {
        // Release only our own lock: after a lapsed lease another node may hold it.
        return Optional.of(
            () -> {
              try {
                update(
                    "DELETE FROM wechat_token_lock WHERE token_key = ? AND owner = ?",
                    key.toString(),
                    owner);
              } catch (TokenStoreException e) {
                // close() never throws: if the database is unreachable, the lease ends the lock
              }
            });
      }
      if (System.nanoTime() >= deadline) {
        return Optional.empty();
      }
      Thread.sleep(50);
    }
  }

  private int update(String sql, Object... args) {
    try (Connection c = db.getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        s.setObject(i + 1, args[i]);
      }
      return s.executeUpdate();
    } catch (SQLException e) {
      // Not e.getMessage(): a driver may quote the statement's parameters, a token among them.
      throw new TokenStoreException(
          "wechat_token update failed (SQLState " + e.getSQLState() + ")", e);
    }
  }
}
// snippet:end
