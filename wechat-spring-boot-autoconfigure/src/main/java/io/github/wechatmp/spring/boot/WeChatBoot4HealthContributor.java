package io.github.wechatmp.spring.boot;

import java.util.Objects;
import java.util.stream.Stream;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The {@code wechat} health contributor on Spring Boot 4's health API ({@code spring-boot-health}),
 * with one indicator per account: the same report as {@link WeChatHealthContributor} gives on
 * Spring Boot 3. Thread-safe.
 */
public final class WeChatBoot4HealthContributor implements CompositeHealthContributor {
  private final WeChatAccounts accounts;

  /**
   * Creates the contributor.
   *
   * @param accounts the accounts to report on
   * @throws NullPointerException if {@code accounts} is null
   */
  public WeChatBoot4HealthContributor(WeChatAccounts accounts) {
    this.accounts = Objects.requireNonNull(accounts, "accounts");
  }

  @Override
  public HealthContributor getContributor(String name) {
    return accounts.byName(name).map(WeChatBoot4HealthContributor::indicator).orElse(null);
  }

  @Override
  public Stream<Entry> stream() {
    return HealthReport.sorted(accounts).stream().map(a -> new Entry(a.name(), indicator(a)));
  }

  private static HealthIndicator indicator(WeChatAccount account) {
    return () -> {
      HealthReport r = HealthReport.of(account);
      return (r.up ? Health.up() : Health.down()).withDetails(r.details).build();
    };
  }
}
