package io.github.wechatmp.spring.boot;

import io.github.wechatmp.open.AuthorizationStore;
import io.github.wechatmp.open.AuthorizationStoreException;
import io.github.wechatmp.open.FileAuthorizationStore;
import io.github.wechatmp.open.InMemoryAuthorizationStore;
import io.github.wechatmp.open.JdbcAuthorizationStore;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Locale;
import javax.sql.DataSource;
import org.springframework.beans.factory.ListableBeanFactory;

/** Chooses and builds the authorization store of {@code wechat.open.store.*}. */
final class OpenStores {
  private static final String TYPE = "wechat.open.store.type";

  private OpenStores() {}

  /** Returns jdbc, file or memory, or throws naming the unknown type. */
  static String type(WeChatOpenProperties p, ListableBeanFactory beans) {
    String type = p.getStore().getType();
    if (type == null || type.isBlank()) {
      return hasDataSource(beans) ? "jdbc" : "memory";
    }
    String t = type.strip().toLowerCase(Locale.ROOT);
    switch (t) {
      case "memory":
      case "file":
        return t;
      case "jdbc":
        if (!hasDataSource(beans)) {
          throw new WeChatConfigurationException(
              TYPE + " is jdbc but the application has no DataSource bean.",
              "Add spring-boot-starter-jdbc and set spring.datasource.* (or define a DataSource"
                  + " bean), or set "
                  + TYPE
                  + " to file.");
        }
        return t;
      default:
        throw new WeChatConfigurationException(
            TYPE + " is '" + type.strip() + "', which is not an authorization store type.",
            "Set "
                + TYPE
                + " to jdbc, file or memory (or leave it unset: jdbc when the application has a"
                + " DataSource, else memory).");
    }
  }

  private static boolean hasDataSource(ListableBeanFactory beans) {
    return beans.getBeanNamesForType(DataSource.class, true, false).length > 0;
  }

  static AuthorizationStore authorizationStore(WeChatOpenProperties p, ListableBeanFactory beans) {
    switch (type(p, beans)) {
      case "jdbc":
        String table = p.getStore().getJdbc().getTable();
        try {
          return new JdbcAuthorizationStore(
              beans.getBeanProvider(DataSource.class).getObject(),
              table == null ? JdbcAuthorizationStore.DEFAULT_TABLE : table.strip());
        } catch (IllegalArgumentException e) {
          throw new WeChatConfigurationException(
              "wechat.open.store.jdbc.table is not valid: " + e.getMessage(),
              "Set wechat.open.store.jdbc.table to a plain SQL identifier, such as "
                  + JdbcAuthorizationStore.DEFAULT_TABLE
                  + ".");
        }
      case "file":
        return fileStore(p.getStore().getFile().getPath());
      default:
        // The store itself warns at construction that refresh tokens die with the process.
        return new InMemoryAuthorizationStore();
    }
  }

  /** The checks of the token file store's path, for a directory: found at start-up, named. */
  static AuthorizationStore fileStore(String path) {
    final String key = "wechat.open.store.file.path";
    if (path == null || path.isBlank()) {
      throw new WeChatConfigurationException(
          TYPE + " is file but " + key + " is missing.",
          "Set "
              + key
              + " to a directory only the application's user can write to, such as"
              + " /var/lib/<application>/wechat-authorizations.");
    }
    Path dir;
    try {
      dir = Path.of(path.strip()).toAbsolutePath().normalize();
    } catch (InvalidPathException e) {
      throw new WeChatConfigurationException(
          key + " '" + path + "' is not a valid path: " + e.getReason(),
          "Set " + key + " to a directory path.");
    }
    if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)
        && !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      throw new WeChatConfigurationException(
          key + " '" + dir + "' is not a directory; the authorization store needs one.",
          "Set " + key + " to a directory (it is created, mode 0700, when absent).");
    }
    Path parent = dir.getParent();
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)
        && (parent == null || !Files.isDirectory(parent))) {
      throw new WeChatConfigurationException(
          key + " '" + dir + "' cannot be created: its parent " + parent + " does not exist.",
          "Create the parent directory, or set " + key + " to a directory in a writable one.");
    }
    if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)
        ? !Files.isWritable(dir)
        : !Files.isWritable(parent)) {
      throw new WeChatConfigurationException(
          key + " '" + dir + "' is not writable by this process.",
          "Give the application's user write access to it, or set " + key + " to another one.");
    }
    try {
      return new FileAuthorizationStore(dir);
    } catch (AuthorizationStoreException e) {
      throw new WeChatConfigurationException(
          key + " '" + dir + "' cannot hold the authorizations: " + e.getMessage(),
          "Set "
              + key
              + " to a directory only the application's user can write to (mode 0700), such as"
              + " /var/lib/<application>/wechat-authorizations (not /tmp).",
          e);
    }
  }

  static String path(WeChatOpenProperties p) {
    return normalized(p.getCallback().getPath(), "/wechat/open/events");
  }

  /** The message URL's route: the path, then the authorizer's AppID as the last segment. */
  static String messagesPattern(WeChatOpenProperties p) {
    String path = normalized(p.getMessages().getPath(), "/wechat/open/messages");
    return (path.equals("/") ? "" : path) + "/{appId}";
  }

  private static String normalized(String path, String fallback) {
    if (path == null || path.isBlank()) {
      path = fallback;
    }
    path = path.strip();
    if (!path.startsWith("/")) {
      path = "/" + path;
    }
    while (path.length() > 1 && path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    return path;
  }
}
