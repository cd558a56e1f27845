package io.github.wechatmp.store.tck;

import io.github.wechatmp.open.AuthorizationStore;
import io.github.wechatmp.open.JdbcAuthorizationStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The contract on the JDBC store over a real PostgreSQL: a fresh table per store. */
class JdbcAuthorizationStoreContractTest extends AuthorizationStoreContract {
  private static TestPostgres postgres;
  private final Map<AuthorizationStore, String> tables = new IdentityHashMap<>();

  @BeforeAll
  static void startPostgres() throws Exception {
    postgres = TestPostgres.start();
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (postgres != null) {
      postgres.close();
    }
  }

  @Override
  protected AuthorizationStore newStore() {
    String table = "auth_" + UUID.randomUUID().toString().replace("-", "");
    AuthorizationStore store = new JdbcAuthorizationStore(postgres.dataSource(), table);
    tables.put(store, table);
    return store;
  }

  @Override
  protected AuthorizationStore newStoreOnSameStorage(AuthorizationStore store) {
    return new JdbcAuthorizationStore(postgres.dataSource(), tables.get(store));
  }

  @Override
  protected void damage(AuthorizationStore store, String authorizerAppId) throws Exception {
    try (Connection c = postgres.dataSource().getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "UPDATE "
                    + tables.get(store)
                    + " SET function_ids = 'not,numbers' WHERE authorizer_app_id = ?")) {
      ps.setString(1, authorizerAppId);
      ps.executeUpdate();
    }
  }

  @Override
  protected AuthorizationStore unreachableStore() throws Exception {
    return new JdbcAuthorizationStore(TestPostgres.unreachable());
  }
}
