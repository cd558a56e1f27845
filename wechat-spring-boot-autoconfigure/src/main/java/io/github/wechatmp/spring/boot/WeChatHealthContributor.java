package io.github.wechatmp.spring.boot;

import java.util.Objects;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The {@code wechat} health indicator on Spring Boot 4's health API ({@code spring-boot-health}):
 * the same report as {@link WeChatHealthIndicator}, which serves Spring Boot 3.x. Thread-safe.
 */
public final class WeChatHealthContributor implements HealthIndicator {
  private final WeChatAccounts accounts;

  /**
   * Creates the indicator.
   *
   * @param accounts the accounts to report on, as they are at each call
   */
  public WeChatHealthContributor(WeChatAccounts accounts) {
    this.accounts = Objects.requireNonNull(accounts, "accounts");
  }

  @Override
  public Health health() {
    HealthReport r = HealthReport.of(accounts);
    return (r.up ? Health.up() : Health.down()).withDetails(r.details).build();
  }
}
