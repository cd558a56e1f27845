package io.github.wechatmp.open.it;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A real PostgreSQL's data source the test can take down: while down every connection attempt fails
 * as an unreachable database does. {@link #downAfter(int)} lets a given number of connections
 * through first, so that a refresh reads its authorization and then cannot save it.
 */
final class SwitchableDataSource implements DataSource {
  private final DataSource real;
  private final AtomicInteger allowed = new AtomicInteger(Integer.MAX_VALUE);
  private final AtomicInteger refused = new AtomicInteger();

  SwitchableDataSource(DataSource real) {
    this.real = real;
  }

  /** Lets {@code connections} more connections through, then fails every one. */
  void downAfter(int connections) {
    allowed.set(connections);
  }

  void up() {
    allowed.set(Integer.MAX_VALUE);
  }

  int refused() {
    return refused.get();
  }

  private void check() throws SQLException {
    if (allowed.getAndUpdate(n -> n == Integer.MAX_VALUE ? n : Math.max(0, n - 1)) <= 0) {
      refused.incrementAndGet();
      throw new SQLException("Connection refused (the test took the database down)", "08001");
    }
  }

  @Override
  public Connection getConnection() throws SQLException {
    check();
    return real.getConnection();
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    check();
    return real.getConnection(username, password);
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return real.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    real.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    real.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return real.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return real.getParentLogger();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    return real.unwrap(iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return real.isWrapperFor(iface);
  }
}
