package io.github.wechatmp.spring.boot;

import io.github.wechatmp.callback.InMemoryMessageDeduplicator;
import io.github.wechatmp.callback.MessageDeduplicator;
import io.github.wechatmp.store.file.FileTokenStore;
import io.github.wechatmp.token.InMemoryTokenStore;
import io.github.wechatmp.token.TokenStore;
import io.github.wechatmp.token.TokenStoreException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.util.ClassUtils;

/** Chooses and builds the store and deduplicator of {@code wechat.mp.store.*}. */
final class Stores {
  static final String FILE_STORE = "io.github.wechatmp.store.file.FileTokenStore";
  static final String REDIS_FACTORY =
      "org.springframework.data.redis.connection.RedisConnectionFactory";

  private Stores() {}

  /** Returns memory, file or redis, or throws naming the unknown type. */
  static String type(WeChatProperties p, ListableBeanFactory beans) {
    String type = p.getStore().getType();
    if (type == null || type.isBlank()) {
      return hasRedis(beans) ? "redis" : "memory";
    }
    String t = type.strip().toLowerCase(Locale.ROOT);
    switch (t) {
      case "memory":
      case "file":
        return t;
      case "redis":
        if (!hasRedis(beans)) {
          throw new WeChatConfigurationException(
              "wechat.mp.store.type is redis but the application has no Spring Data Redis"
                  + " RedisConnectionFactory bean.",
              "Add spring-boot-starter-data-redis and set spring.data.redis.* (or define a"
                  + " RedisConnectionFactory bean), or set wechat.mp.store.type to memory or file.");
        }
        return t;
      default:
        throw new WeChatConfigurationException(
            "wechat.mp.store.type is '" + type.strip() + "', which is not a store type.",
            "Set wechat.mp.store.type to memory, file or redis (or leave it unset: redis when the"
                + " application has a RedisConnectionFactory, else memory).");
    }
  }

  /** The application's class loader: what it has on its class path decides. */
  static ClassLoader classLoader(ListableBeanFactory beans) {
    ClassLoader loader = beans instanceof ConfigurableBeanFactory c ? c.getBeanClassLoader() : null;
    return loader != null ? loader : Stores.class.getClassLoader();
  }

  static boolean hasRedis(ListableBeanFactory beans) {
    return ClassUtils.isPresent(REDIS_FACTORY, classLoader(beans)) && RedisBeans.present(beans);
  }

  static TokenStore tokenStore(WeChatProperties p, ListableBeanFactory beans) {
    switch (type(p, beans)) {
      case "file":
        if (!ClassUtils.isPresent(FILE_STORE, classLoader(beans))) {
          throw new WeChatConfigurationException(
              "wechat.mp.store.type is file but io.github.wechatmp:wechat-token-store-file is not"
                  + " on the class path.",
              "Add the dependency io.github.wechatmp:wechat-token-store-file, or set"
                  + " wechat.mp.store.type to memory or redis.");
        }
        return FileStores.fileStore(p.getStore().getFile().getPath());
      case "redis":
        return RedisBeans.tokenStore(beans, prefix(p));
      default:
        return new InMemoryTokenStore();
    }
  }

  static MessageDeduplicator deduplicator(WeChatProperties p, ListableBeanFactory beans) {
    return "redis".equals(type(p, beans))
        ? RedisBeans.deduplicator(beans, prefix(p))
        : new InMemoryMessageDeduplicator();
  }

  /**
   * Stops the change notifications of a Spring Data Redis store (the application's own too), whose
   * subscription must end before its connection factory stops; other stores are left alone.
   */
  static void stopNotifications(TokenStore store, ListableBeanFactory beans) {
    if (ClassUtils.isPresent(REDIS_FACTORY, classLoader(beans))) {
      RedisBeans.stopNotifications(store);
    }
  }

  private static String prefix(WeChatProperties p) {
    String prefix = p.getStore().getRedis().getKeyPrefix();
    try {
      return SpringDataRedisTokenStore.checkPrefix(prefix == null ? "" : prefix);
    } catch (IllegalArgumentException e) {
      throw new WeChatConfigurationException(
          "wechat.mp.store.redis.key-prefix is not valid: " + e.getMessage(),
          "Set wechat.mp.store.redis.key-prefix to the prefix every node of the fleet uses, such"
              + " as wechat:.");
    }
  }

  /** Loaded only when Spring Data Redis is on the class path. */
  static final class RedisBeans {
    private RedisBeans() {}

    static boolean present(ListableBeanFactory beans) {
      return beans.getBeanNamesForType(RedisConnectionFactory.class, true, false).length > 0;
    }

    static void stopNotifications(TokenStore store) {
      if (store instanceof SpringDataRedisTokenStore redis) {
        redis.close();
      }
    }

    static TokenStore tokenStore(ListableBeanFactory beans, String prefix) {
      return new SpringDataRedisTokenStore(factory(beans), prefix);
    }

    static MessageDeduplicator deduplicator(ListableBeanFactory beans, String prefix) {
      return new SpringDataRedisMessageDeduplicator(factory(beans), prefix);
    }

    private static RedisConnectionFactory factory(ListableBeanFactory beans) {
      return beans.getBeanProvider(RedisConnectionFactory.class).getObject();
    }
  }

  /** Loaded only when the file store is on the class path. */
  static final class FileStores {
    private FileStores() {}

    static TokenStore fileStore(String path) {
      final String key = "wechat.mp.store.file.path";
      if (path == null || path.isBlank()) {
        throw new WeChatConfigurationException(
            "wechat.mp.store.type is file but " + key + " is missing.",
            "Set "
                + key
                + " to the token file shared by the application's processes on this host.");
      }
      Path file;
      try {
        file = Path.of(path.strip()).toAbsolutePath().normalize();
      } catch (InvalidPathException e) {
        throw new WeChatConfigurationException(
            key + " '" + path + "' is not a valid path: " + e.getReason(),
            "Set " + key + " to a file path.");
      }
      if (Files.isDirectory(file)) {
        throw new WeChatConfigurationException(
            key + " '" + file + "' is a directory; the file store needs a file.",
            "Set "
                + key
                + " to a file in that directory, such as "
                + file.resolve("wechat-tokens"));
      }
      Path dir = file.getParent();
      if (dir == null || !Files.isDirectory(dir)) {
        throw new WeChatConfigurationException(
            key + " '" + file + "' cannot be written: its directory " + dir + " does not exist.",
            "Create the directory, or set " + key + " to a file in a writable directory.");
      }
      if (Files.exists(file) ? !Files.isWritable(file) : !Files.isWritable(dir)) {
        throw new WeChatConfigurationException(
            key + " '" + file + "' is not writable by this process.",
            "Give the application's user write access to it, or set " + key + " to another file.");
      }
      try {
        return new FileTokenStore(file);
      } catch (TokenStoreException | IllegalArgumentException e) {
        throw new WeChatConfigurationException(
            key + " '" + file + "' cannot hold the token file: " + e.getMessage(),
            "Set "
                + key
                + " to a regular file in a directory only the application's user can write to,"
                + " such as /var/lib/<application>/wechat-tokens.json (not /tmp).",
            e);
      }
    }
  }
}
