package io.github.wechatmp.spring.boot;

import java.util.Objects;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/**
 * The {@code wechat} health indicator on Spring Boot 3.x's health API: DOWN once an account's token
 * has expired or none can be had, with each account's state, expiry and last error in the details.
 * Reads only the providers' {@code status()}: no WeChat call, no store call. Never shows a token or
 * a secret. Thread-safe.
 */
public final class WeChatHealthIndicator implements HealthIndicator {
  private final WeChatAccounts accounts;

  /**
   * Creates the indicator.
   *
   * @param accounts the accounts to report on, as they are at each call
   */
  public WeChatHealthIndicator(WeChatAccounts accounts) {
    this.accounts = Objects.requireNonNull(accounts, "accounts");
  }

  @Override
  public Health health() {
    HealthReport r = HealthReport.of(accounts);
    return (r.up ? Health.up() : Health.down()).withDetails(r.details).build();
  }
}
