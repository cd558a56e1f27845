package io.github.wechatmp.spring.boot;

import java.util.Iterator;
import java.util.Objects;
import org.springframework.boot.actuate.health.CompositeHealthContributor;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthContributor;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.NamedContributor;

/**
 * The {@code wechat} health contributor on Spring Boot 3.x's health API: one indicator per account
 * ({@code /actuator/health/wechat/<account>}), as {@link WeChatAccounts} has them at each call, so
 * accounts added at run time appear. An account is DOWN once its token has expired or none can be
 * had; its details are the state, expiry, last refresh, failures and last error. Reads only the
 * providers' {@code status()}: no WeChat call, no store call; never shows a token or a secret.
 * Thread-safe. {@link WeChatBoot4HealthContributor} is the same on Spring Boot 4.
 */
public final class WeChatHealthContributor implements CompositeHealthContributor {
  private final WeChatAccounts accounts;

  /**
   * Creates the contributor.
   *
   * @param accounts the accounts to report on
   * @throws NullPointerException if {@code accounts} is null
   */
  public WeChatHealthContributor(WeChatAccounts accounts) {
    this.accounts = Objects.requireNonNull(accounts, "accounts");
  }

  @Override
  public HealthContributor getContributor(String name) {
    return accounts.byName(name).map(WeChatHealthContributor::indicator).orElse(null);
  }

  @Override
  public Iterator<NamedContributor<HealthContributor>> iterator() {
    return HealthReport.sorted(accounts).stream()
        .map(a -> NamedContributor.<HealthContributor>of(a.name(), indicator(a)))
        .iterator();
  }

  private static HealthIndicator indicator(WeChatAccount account) {
    return () -> {
      HealthReport r = HealthReport.of(account);
      return (r.up ? Health.up() : Health.down()).withDetails(r.details).build();
    };
  }
}
