package io.github.wechatmp.tokenserver;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A {@link DataSource} that opens a connection per call through the JDBC driver on the class path
 * that accepts the URL: the authorization store's, with no pool (the server reads an authorizer's
 * record once per {@code authorizationCheckSeconds} and at each token fetch, a handful a second at
 * most). The server ships no driver: the operator puts the database's on the class path. Neither
 * the password nor the URL's parameters appear in {@link #toString()}. Thread-safe.
 */
final class DriverDataSource implements DataSource {
  private final Driver driver;
  private final String url;
  private final Properties credentials = new Properties();

  /**
   * Finds the driver for {@code url}.
   *
   * @throws ConfigException naming the setting if no driver on the class path accepts the URL
   */
  DriverDataSource(String url, String user, String password, String setting) {
    this.url = url;
    try {
      this.driver = DriverManager.getDriver(url);
    } catch (SQLException e) {
      String scheme = url.split(":", 3).length > 1 ? url.split(":", 3)[1] : "?";
      throw new ConfigException(
          setting
              + ": no JDBC driver on the class path accepts jdbc:"
              + scheme
              + " URLs; the server ships none: start it with the database's driver on the class"
              + " path, as java -cp wechat-token-server.jar:postgresql.jar"
              + " io.github.wechatmp.tokenserver.TokenServer --config tokens.yml");
    }
    if (user != null) {
      credentials.setProperty("user", user);
    }
    if (password != null) {
      credentials.setProperty("password", password);
    }
  }

  @Override
  public Connection getConnection() throws SQLException {
    Connection c = driver.connect(url, credentials);
    if (c == null) {
      throw new SQLException("the JDBC driver " + driver.getClass().getName() + " refused the URL");
    }
    return c;
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    throw new SQLFeatureNotSupportedException("the configured user connects");
  }

  @Override
  public PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) {
    // Drivers log through their own loggers.
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    throw new SQLFeatureNotSupportedException("give the driver's timeouts in the URL");
  }

  @Override
  public int getLoginTimeout() {
    return 0;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException("no java.util.logging here");
  }

  @Override
  public <T> T unwrap(Class<T> type) throws SQLException {
    throw new SQLException("not a wrapper");
  }

  @Override
  public boolean isWrapperFor(Class<?> type) {
    return false;
  }

  @Override
  public String toString() {
    return "DriverDataSource[" + driver.getClass().getName() + "]";
  }
}
