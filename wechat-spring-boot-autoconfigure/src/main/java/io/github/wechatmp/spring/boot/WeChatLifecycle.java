package io.github.wechatmp.spring.boot;

import io.github.wechatmp.token.TokenStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.ContextClosedEvent;

/**
 * Starts and stops the accounts with the application context, in the order their resources need.
 *
 * <p>At start, after the Redis connection factories (phase 0) have started, each account asks for
 * its first access token in the background ({@code wechat.mp.fetch-at-startup}), so that a wrong
 * AppSecret turns health DOWN, and is logged, within seconds of a bad deploy; the start does not
 * wait for it.
 *
 * <p>At close, after the web server has stopped (so no request is still using an account) and
 * before the Redis connection factories stop, it closes every account's providers and then the
 * store's change notifications: a Redis subscription still open when its factory stops makes
 * Lettuce and the listener container log WARNs and stack traces. Only a closing context does this;
 * a mere {@code stop()} of the context leaves the accounts running, so that a {@code start()} can
 * follow. The beans' own destroy methods run later and find everything closed already.
 *
 * <p>Thread-safe.
 */
final class WeChatLifecycle implements SmartLifecycle, ApplicationListener<ContextClosedEvent> {
  private static final Logger log = LoggerFactory.getLogger(WeChatLifecycle.class);

  /**
   * Stops after the web server (Spring Boot's graceful shutdown and web server lifecycles use
   * {@code DEFAULT_PHASE - 1024} and {@code - 2048}) and before the connection factories (0).
   */
  static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

  /** How long a close waits for start-up fetches still under way. */
  static final Duration STARTUP_FETCH_GRACE = Duration.ofSeconds(2);

  private final List<CompletableFuture<?>> startupFetches = new CopyOnWriteArrayList<>();
  private final ApplicationContext context;
  private final WeChatAccounts accounts;
  private final ObjectProvider<TokenStore> store;
  private final ListableBeanFactory beans;
  private final boolean fetchAtStartup;
  private volatile boolean running;
  private volatile boolean closing;

  WeChatLifecycle(
      ApplicationContext context,
      WeChatAccounts accounts,
      ObjectProvider<TokenStore> store,
      ListableBeanFactory beans,
      boolean fetchAtStartup) {
    this.context = context;
    this.accounts = accounts;
    this.store = store;
    this.beans = beans;
    this.fetchAtStartup = fetchAtStartup;
  }

  @Override
  public void start() {
    boolean first = !running;
    running = true;
    if (first && fetchAtStartup) {
      for (WeChatAccount account : accounts.all()) {
        startupFetches.add(fetchInBackground(account));
      }
    }
  }

  private CompletableFuture<?> fetchInBackground(WeChatAccount account) {
    // getAsync never blocks: a token already in the store completes it at once, else the
    // provider's own refresh thread asks WeChat. The outcome lands in the provider's status,
    // which health reports; the log says why at once.
    return account
        .tokens()
        .getAsync()
        .whenComplete(
            (token, failure) -> {
              if (failure == null) {
                log.debug(
                    "The WeChat account {} has its first access token, expiring at {}",
                    account.name(),
                    token.expiresAt());
                return;
              }
              if (closing) {
                log.debug("The WeChat account {} closed before it had a token", account.name());
                return;
              }
              Throwable cause =
                  failure instanceof CompletionException && failure.getCause() != null
                      ? failure.getCause()
                      : failure;
              log.warn(
                  "The WeChat account {} (AppID {}) could not get an access token at start-up;"
                      + " its health is DOWN until it gets one: {}",
                  account.name(),
                  account.appId(),
                  cause.toString());
            });
  }

  @Override
  public void onApplicationEvent(ContextClosedEvent event) {
    // Published before the lifecycle beans are stopped, and by child contexts to this one too.
    if (event.getApplicationContext() == context) {
      closing = true;
    }
  }

  @Override
  public void stop() {
    running = false;
    if (!closing) {
      return;
    }
    awaitStartupFetches();
    for (WeChatAccount account : accounts.all()) {
      try {
        account.close(); // also the application's own provider beans: closing is idempotent
      } catch (RuntimeException e) {
        // One account failing to close must not keep the others and the store open.
        log.warn("Could not close the WeChat account {}: {}", account.name(), e.toString());
      }
    }
    accounts.close();
    TokenStore s = store.getIfUnique();
    if (s != null) {
      Stores.stopNotifications(s, beans);
    }
  }

  /**
   * Gives a start-up fetch still under way a moment to end: closing its provider does not stop the
   * refresh thread, which would then release its Redis lock after the connection factory stopped.
   */
  private void awaitStartupFetches() {
    CompletableFuture<?> all =
        CompletableFuture.allOf(startupFetches.toArray(CompletableFuture<?>[]::new));
    try {
      all.get(STARTUP_FETCH_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // failed (logged as it happened) or still waiting on WeChat: close anyway
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }
}
