package io.github.wechatmp.examples.snippets;

import io.github.wechatmp.store.tck.TestPostgres;
import io.github.wechatmp.store.tck.TokenStoreContract;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The JDBC store of docs/tokens-and-stores.md, run against a real PostgreSQL (started from the
 * binaries in a Maven jar), passes the whole TokenStoreContract. Every instance shares the tables,
 * as every host of an application sharing one database would.
 */
class JdbcTokenStoreContractTest extends TokenStoreContract {
  private static TestPostgres postgres;
  private static DataSource db;

  @BeforeAll
  static void startPostgres() throws Exception {
    postgres = TestPostgres.start();
    db = postgres.dataSource();
    try (Connection c = db.getConnection();
        Statement s = c.createStatement()) {
      // The schema of the snippet's Javadoc.
      s.execute(
          "CREATE TABLE IF NOT EXISTS wechat_token (token_key TEXT PRIMARY KEY, value TEXT NOT NULL,"
              + " expires_at TIMESTAMPTZ NOT NULL)");
      s.execute(
          "CREATE TABLE IF NOT EXISTS wechat_token_lock (token_key TEXT PRIMARY KEY, owner TEXT"
              + " NOT NULL, lease_until TIMESTAMPTZ NOT NULL)");
    }
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (postgres != null) {
      postgres.close();
    }
  }

  @Override
  protected TokenStore newStore() {
    return new JdbcTokenStore(db);
  }

  @Override
  protected TokenStore newStoreOnSameStorage(TokenStore store) {
    return new JdbcTokenStore(db);
  }

  @Override
  protected void corrupt(TokenStore store, TokenKey key) throws Exception {
    // A value no AccessToken can have, as a hand edit or another program's bug would leave.
    try (Connection c = db.getConnection();
        PreparedStatement s =
            c.prepareStatement("UPDATE wechat_token SET value = '' WHERE token_key = ?")) {
      s.setString(1, key.toString());
      if (s.executeUpdate() != 1) {
        throw new IllegalStateException("no row to corrupt for " + key);
      }
    }
  }

  @Override
  protected TokenStore newFailingStore() throws Exception {
    return new JdbcTokenStore(TestPostgres.unreachable());
  }
}
