package io.github.wechatmp.spring.boot;

import io.github.wechatmp.callback.MessageHandler;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every Official Account of the application, by name and by AppID: those of {@code wechat.mp.*}
 * (named {@value #DEFAULT_NAME}) or {@code wechat.mp.accounts.<name>.*}, and those {@linkplain #add
 * added} at run time (accounts kept in a database, say). Each {@link WeChatAccount} has its own
 * token provider, ticket provider, verifier, crypto and callback; they share the store, the
 * deduplicator and the HTTP connection pool. The callback endpoint finds accounts here, by the name
 * in its path, on every request, so an added account is served at once.
 *
 * <p>Thread-safe, and free of thread-locals: look an account up wherever it is needed, on any
 * thread. Closing (the application context does it) closes every account's providers; an account
 * that was removed is closed at once.
 */
public final class WeChatAccounts implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WeChatAccounts.class);

  /** The name of the single account configured directly under {@code wechat.mp}. */
  public static final String DEFAULT_NAME = "default";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

  private final AccountFactory factory;
  private final Map<String, WeChatAccount> byName = new ConcurrentHashMap<>();
  private final Map<String, WeChatAccount> byAppId = new ConcurrentHashMap<>();
  private final Object lock = new Object();
  private final List<AutoCloseable> alsoClose = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile boolean closed;

  WeChatAccounts(AccountFactory factory) {
    this.factory = factory;
  }

  /**
   * Returns the account of that name.
   *
   * @param name the account's name
   * @return the account, or empty if there is none of that name
   */
  public Optional<WeChatAccount> byName(String name) {
    return name == null ? Optional.empty() : Optional.ofNullable(byName.get(name));
  }

  /**
   * Returns the account of that AppID.
   *
   * @param appId the AppID
   * @return the account, or empty if there is none of that AppID
   */
  public Optional<WeChatAccount> byAppId(String appId) {
    return appId == null ? Optional.empty() : Optional.ofNullable(byAppId.get(appId.strip()));
  }

  /**
   * Returns the account of that name, or else of that AppID.
   *
   * @param nameOrAppId a name or an AppID
   * @return the account, or empty if none has that name or AppID
   */
  public Optional<WeChatAccount> find(String nameOrAppId) {
    Optional<WeChatAccount> named = byName(nameOrAppId);
    return named.isPresent() ? named : byAppId(nameOrAppId);
  }

  /**
   * Returns the account of that name, or else of that AppID, or throws.
   *
   * @param nameOrAppId a name or an AppID
   * @return the account
   * @throws java.util.NoSuchElementException naming the missing account
   */
  public WeChatAccount get(String nameOrAppId) {
    return find(nameOrAppId)
        .orElseThrow(
            () -> new java.util.NoSuchElementException("No WeChat account " + nameOrAppId));
  }

  /**
   * Returns every account, in no particular order.
   *
   * @return a snapshot
   */
  public Collection<WeChatAccount> all() {
    return List.copyOf(byName.values());
  }

  /**
   * Returns how many accounts there are.
   *
   * @return the count
   */
  public int size() {
    return byName.size();
  }

  /**
   * Adds an account at run time, built with the application's store, deduplicator, handler and
   * meters, and served by the callback endpoint at {@code <path>/<name>}. The settings are copied.
   *
   * @param name 1 to 64 characters of {@code [A-Za-z0-9_.-]}, starting with a letter or digit
   * @param settings the account's settings (as under {@code wechat.mp.accounts.<name>})
   * @return the new account
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the name is malformed or taken, or the AppID is taken
   * @throws WeChatConfigurationException if a setting is missing or malformed
   * @throws IllegalStateException if this has been closed
   */
  public WeChatAccount add(String name, AccountProperties settings) {
    return add(name, settings, null);
  }

  /**
   * Adds an account at run time as {@link #add(String, AccountProperties)} does, with its own
   * message handler instead of the application's.
   *
   * @param name 1 to 64 characters of {@code [A-Za-z0-9_.-]}, starting with a letter or digit
   * @param settings the account's settings
   * @param handler the handler of the account's messages, or null for the application's
   * @return the new account
   * @throws NullPointerException if {@code name} or {@code settings} is null
   * @throws IllegalArgumentException if the name is malformed or taken, or the AppID is taken
   * @throws WeChatConfigurationException if a setting is missing or malformed
   * @throws IllegalStateException if this has been closed
   */
  public WeChatAccount add(String name, AccountProperties settings, MessageHandler handler) {
    Objects.requireNonNull(name, "name");
    AccountProperties p = Objects.requireNonNull(settings, "settings").copy();
    checkName(name);
    synchronized (lock) {
      checkFree(name, p.getAppId());
      WeChatAccount account = factory.build(name, "account " + name + ": ", p, handler);
      put(account);
      return account;
    }
  }

  /**
   * Removes an account and closes its providers. Requests for it that are under way finish; the
   * endpoint answers 404 for it from now on.
   *
   * @param name the account's name
   * @return whether there was such an account
   */
  public boolean remove(String name) {
    WeChatAccount account;
    synchronized (lock) {
      account = name == null ? null : byName.remove(name);
      if (account == null) {
        return false;
      }
      byAppId.remove(account.appId(), account);
    }
    account.close();
    factory.observer.removed(account);
    log.info("Removed the WeChat account {}", account);
    return true;
  }

  /** Adds an account built from the application's beans or at start-up. */
  void register(WeChatAccount account) {
    synchronized (lock) {
      checkFree(account.name(), account.appId());
      put(account);
    }
  }

  /** Closes {@code c} when this closes. */
  void closeWithThis(AutoCloseable c) {
    alsoClose.add(c);
  }

  AccountFactory factory() {
    return factory;
  }

  private void put(WeChatAccount account) {
    if (closed) {
      account.close();
      throw new IllegalStateException("WeChatAccounts is closed");
    }
    byName.put(account.name(), account);
    byAppId.put(account.appId(), account);
    factory.observer.added(account);
  }

  private void checkFree(String name, String appId) {
    if (byName.containsKey(name)) {
      throw new IllegalArgumentException("There is already a WeChat account named " + name);
    }
    if (appId != null && byAppId.containsKey(appId.strip())) {
      throw new IllegalArgumentException(
          "The AppID "
              + appId.strip()
              + " already belongs to the WeChat account "
              + byAppId.get(appId.strip()).name());
    }
  }

  static void checkName(String name) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "An account name must be 1 to 64 characters of [A-Za-z0-9_.-], starting with a letter or"
              + " digit (it is a path segment of the callback URL)");
    }
  }

  /** Closes every account this built; the application's own provider beans close themselves. */
  @Override
  public void close() {
    List<WeChatAccount> all;
    synchronized (lock) {
      closed = true;
      all = new ArrayList<>(byName.values());
      byName.clear();
      byAppId.clear();
    }
    for (WeChatAccount a : all) {
      if (a.owned()) {
        a.close();
      }
      factory.observer.removed(a);
    }
    for (AutoCloseable c : alsoClose) {
      try {
        c.close();
      } catch (Exception e) {
        log.warn("Could not close {}: {}", c, e.toString());
      }
    }
  }

  /** Returns the account names. */
  @Override
  public String toString() {
    return "WeChatAccounts" + byName.keySet();
  }
}
