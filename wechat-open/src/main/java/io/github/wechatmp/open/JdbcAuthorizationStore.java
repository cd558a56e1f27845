package io.github.wechatmp.open;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * An {@link AuthorizationStore} in one table of a relational database, through plain JDBC: the
 * durable store for a cluster (every instance on the same database sees every save).
 *
 * <p>The table, created on first use when absent ({@code wechat_open_authorization} unless another
 * name is given):
 *
 * <pre>{@code
 * CREATE TABLE wechat_open_authorization (
 *   authorizer_app_id VARCHAR(64)   NOT NULL PRIMARY KEY,
 *   refresh_token     VARCHAR(512)  NOT NULL,
 *   function_ids      VARCHAR(2000) NOT NULL,  -- comma-separated func_info ids
 *   authorized_at     BIGINT        NOT NULL,  -- epoch milliseconds
 *   state             VARCHAR(32)   NOT NULL,  -- AUTHORIZED, NEEDS_REAUTHORIZATION, REVOKED
 *   updated_at        BIGINT        NOT NULL   -- epoch milliseconds; orders the versions
 * )
 * }</pre>
 *
 * Standard SQL only (no upsert dialect), so it runs on PostgreSQL, MySQL, MariaDB and H2 alike: a
 * save is an {@code UPDATE ... WHERE updated_at <= ?}, and an {@code INSERT} when no row exists; a
 * concurrent first insert of the same account loses on the primary key and is retried as an update.
 * Each statement commits on its own (the connection's auto-commit), so a save is durable as the
 * database's commit is. Create the table yourself (with the statement above) where the
 * application's database user may not run DDL.
 *
 * <p>Thread-safe: it holds only the {@link DataSource}, from which it takes a connection per call.
 * Failures are {@link AuthorizationStoreException}s naming the table and the account.
 */
public final class JdbcAuthorizationStore implements AuthorizationStore {
  /** The table's name unless another is given. */
  public static final String DEFAULT_TABLE = "wechat_open_authorization";

  private static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
  private static final String COLUMNS =
      "authorizer_app_id, refresh_token, function_ids, authorized_at, state, updated_at";

  private final DataSource dataSource;
  private final String table;
  private volatile boolean tableChecked;

  /**
   * Creates a store on the {@value #DEFAULT_TABLE} table. Does no I/O: the table is checked, and
   * created when absent, on first use.
   *
   * @param dataSource where to connect
   */
  public JdbcAuthorizationStore(DataSource dataSource) {
    this(dataSource, DEFAULT_TABLE);
  }

  /**
   * Creates a store on a table of the given name. Does no I/O.
   *
   * @param dataSource where to connect
   * @param table the table's name: a letter or {@code _}, then up to 62 letters, digits or {@code
   *     _}
   * @throws IllegalArgumentException if the name is not a plain SQL identifier
   */
  public JdbcAuthorizationStore(DataSource dataSource, String table) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    Objects.requireNonNull(table, "table");
    if (!TABLE_NAME.matcher(table).matches()) {
      throw new IllegalArgumentException(
          "table must be a plain SQL identifier ([A-Za-z_][A-Za-z0-9_]{0,62}), not '"
              + table
              + "'");
    }
    this.table = table;
  }

  @Override
  public Optional<Authorization> find(String authorizerAppId) {
    Authorization.checkAppId(authorizerAppId);
    String sql = "SELECT " + COLUMNS + " FROM " + table + " WHERE authorizer_app_id = ?";
    try (Connection c = connection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, authorizerAppId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(read(rs)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw failure("read the authorization of " + authorizerAppId, e);
    }
  }

  @Override
  public boolean save(Authorization a) {
    Objects.requireNonNull(a, "authorization");
    try (Connection c = connection()) {
      for (int attempt = 0; ; attempt++) {
        if (update(c, a) == 1) {
          return true;
        }
        if (exists(c, a.authorizerAppId())) {
          return false; // a later version is stored
        }
        try {
          insert(c, a);
          return true;
        } catch (SQLException e) {
          // Another instance inserted the first version meanwhile: compare with it.
          if (attempt > 0 || !isConstraintViolation(e)) {
            throw e;
          }
        }
      }
    } catch (SQLException e) {
      throw failure("save the authorization of " + a.authorizerAppId(), e, a.refreshToken());
    }
  }

  @Override
  public List<Authorization> list(String afterAuthorizerAppId, int limit) {
    AuthorizationStore.checkListArguments(afterAuthorizerAppId, limit);
    String sql =
        "SELECT "
            + COLUMNS
            + " FROM "
            + table
            + (afterAuthorizerAppId == null ? "" : " WHERE authorizer_app_id > ?")
            + " ORDER BY authorizer_app_id";
    try (Connection c = connection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      if (afterAuthorizerAppId != null) {
        ps.setString(1, afterAuthorizerAppId);
      }
      ps.setMaxRows(limit);
      List<Authorization> page = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next() && page.size() < limit) {
          page.add(read(rs));
        }
      }
      return page;
    } catch (SQLException e) {
      throw failure("list authorizations", e);
    }
  }

  @Override
  public Map<Authorization.State, Long> countByState() {
    String sql = "SELECT state, COUNT(*) FROM " + table + " GROUP BY state";
    Map<Authorization.State, Long> counts = Authorization.zeroCounts();
    try (Connection c = connection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        counts.put(state(rs.getString(1), "(count)"), rs.getLong(2));
      }
      return counts;
    } catch (SQLException e) {
      throw failure("count authorizations", e);
    }
  }

  @Override
  public String toString() {
    return "JdbcAuthorizationStore[table=" + table + "]";
  }

  private Connection connection() throws SQLException {
    Connection c = dataSource.getConnection();
    try {
      if (!c.getAutoCommit()) {
        c.setAutoCommit(true);
      }
      if (!tableChecked) {
        ensureTable(c);
        tableChecked = true;
      }
      return c;
    } catch (SQLException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  private void ensureTable(Connection c) throws SQLException {
    if (tableExists(c)) {
      return;
    }
    try (Statement st = c.createStatement()) {
      st.executeUpdate(
          "CREATE TABLE "
              + table
              + " (authorizer_app_id VARCHAR(64) NOT NULL PRIMARY KEY,"
              + " refresh_token VARCHAR(512) NOT NULL,"
              + " function_ids VARCHAR(2000) NOT NULL,"
              + " authorized_at BIGINT NOT NULL,"
              + " state VARCHAR(32) NOT NULL,"
              + " updated_at BIGINT NOT NULL)");
    } catch (SQLException e) {
      // Another instance may have created it at the same moment.
      if (!tableExists(c)) {
        throw e;
      }
    }
  }

  private boolean tableExists(Connection c) {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + table + " WHERE 1 = 0")) {
      return rs.next();
    } catch (SQLException absent) {
      return false;
    }
  }

  private int update(Connection c, Authorization a) throws SQLException {
    String sql =
        "UPDATE "
            + table
            + " SET refresh_token = ?, function_ids = ?, authorized_at = ?, state = ?,"
            + " updated_at = ? WHERE authorizer_app_id = ? AND updated_at <= ?";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, a.refreshToken());
      ps.setString(2, joinIds(a.functionIds()));
      ps.setLong(3, a.authorizedAt().toEpochMilli());
      ps.setString(4, a.state().name());
      ps.setLong(5, a.updatedAt().toEpochMilli());
      ps.setString(6, a.authorizerAppId());
      ps.setLong(7, a.updatedAt().toEpochMilli());
      return ps.executeUpdate();
    }
  }

  private boolean exists(Connection c, String appId) throws SQLException {
    String sql = "SELECT 1 FROM " + table + " WHERE authorizer_app_id = ?";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, appId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    }
  }

  private void insert(Connection c, Authorization a) throws SQLException {
    String sql = "INSERT INTO " + table + " (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?)";
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, a.authorizerAppId());
      ps.setString(2, a.refreshToken());
      ps.setString(3, joinIds(a.functionIds()));
      ps.setLong(4, a.authorizedAt().toEpochMilli());
      ps.setString(5, a.state().name());
      ps.setLong(6, a.updatedAt().toEpochMilli());
      ps.executeUpdate();
    }
  }

  private static boolean isConstraintViolation(SQLException e) {
    String state = e.getSQLState();
    return state != null && state.startsWith("23");
  }

  private Authorization read(ResultSet rs) throws SQLException {
    String appId = rs.getString(1);
    try {
      return new Authorization(
          appId,
          rs.getString(2),
          splitIds(rs.getString(3)),
          Instant.ofEpochMilli(rs.getLong(4)),
          state(rs.getString(5), appId),
          Instant.ofEpochMilli(rs.getLong(6)));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new AuthorizationStoreException(
          "The row of " + safeId(appId) + " in table " + table + " is damaged: " + e.getMessage(),
          null);
    }
  }

  private Authorization.State state(String name, String appId) {
    try {
      return Authorization.State.valueOf(name);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new AuthorizationStoreException(
          "The row of " + safeId(appId) + " in table " + table + " has an unknown state", null);
    }
  }

  private static String safeId(String appId) {
    try {
      return Authorization.checkAppId(appId);
    } catch (IllegalArgumentException | NullPointerException e) {
      return "an account with a malformed AppID";
    }
  }

  static String joinIds(List<Integer> ids) {
    StringBuilder sb = new StringBuilder();
    for (Integer id : ids) {
      if (sb.length() > 0) {
        sb.append(',');
      }
      sb.append(id);
    }
    return sb.toString();
  }

  static List<Integer> splitIds(String joined) {
    List<Integer> ids = new ArrayList<>();
    if (joined == null || joined.isEmpty()) {
      return ids;
    }
    for (String part : joined.split(",", -1)) {
      ids.add(Integer.valueOf(part.strip()));
    }
    return ids;
  }

  private AuthorizationStoreException failure(String what, SQLException e) {
    return failure(what, e, null);
  }

  /**
   * A failure naming the table and what failed. A driver's message may quote the statement's
   * values: the cause is dropped when it (or a cause of it) holds the refresh token being saved.
   */
  private AuthorizationStoreException failure(String what, SQLException e, String secret) {
    boolean leaks = false;
    for (Throwable t = e; secret != null && t != null && !leaks; t = t.getCause()) {
      leaks = String.valueOf(t.getMessage()).contains(secret) || String.valueOf(t).contains(secret);
    }
    return new AuthorizationStoreException(
        "JdbcAuthorizationStore (table "
            + table
            + ") could not "
            + what
            + ": SQLState "
            + e.getSQLState()
            + ", "
            + e.getClass().getSimpleName()
            + (leaks ? " (the driver's message is left out: it quoted the refresh token)" : ""),
        leaks ? null : e);
  }
}
