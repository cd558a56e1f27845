package io.github.wechatmp.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.wechatmp.open.Authorization;
import io.github.wechatmp.open.AuthorizationStore;
import io.github.wechatmp.open.JdbcAuthorizationStore;
import io.github.wechatmp.test.StandInPlatform;
import io.github.wechatmp.test.WeChatStandIn;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The platform in a whole application's start-up: its authorization store on the DataSource that
 * Spring Boot's own auto-configuration makes from {@code spring.datasource.*}, and a bad {@code
 * wechat.open.*} setting reported by the failure analyzer.
 */
@ExtendWith(OutputCaptureExtension.class)
class OpenPlatformStartUpTest {
  static final String COMPONENT_APP_ID = "wxcomponent000001";
  static final String SECRET = "component-secret-0123456789abcdef";
  static final String TOKEN = "platformtoken";
  static final String AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
  static final String MERCHANT = "wxmerchant0000001";

  @Test
  void anAuthorizationIsSavedInTheDatabaseOfSpringDatasource() throws Exception {
    try (WeChatStandIn standIn = WeChatStandIn.start();
        ConfigurableApplicationContext app =
            new SpringApplicationBuilder(App.class)
                .web(WebApplicationType.SERVLET)
                .properties(
                    "server.port=0",
                    "server.address=127.0.0.1",
                    "spring.datasource.url=jdbc:h2:mem:platform"
                        + UUID.randomUUID()
                        + ";DB_CLOSE_DELAY=-1",
                    "spring.datasource.username=sa",
                    "wechat.mp.store.type=memory",
                    "wechat.open.component-app-id=" + COMPONENT_APP_ID,
                    "wechat.open.component-app-secret=" + SECRET,
                    "wechat.open.token=" + TOKEN,
                    "wechat.open.encoding-aes-key=" + AES_KEY,
                    "wechat.open.api-base-url=" + standIn.baseUrl())
                .run()) {
      StandInPlatform wechat =
          standIn
              .openPlatform()
              .credentials(COMPONENT_APP_ID, SECRET)
              .pushTo(
                  "http://127.0.0.1:"
                      + app.getEnvironment().getProperty("local.server.port")
                      + "/wechat/open/events",
                  TOKEN,
                  AES_KEY);
      wechat.pushTicket();
      wechat.authorize(MERCHANT, List.of(1, 15));

      assertThat(app.getBean(AuthorizationStore.class)).isInstanceOf(JdbcAuthorizationStore.class);
      try (Connection connection = app.getBean(DataSource.class).getConnection();
          PreparedStatement select =
              connection.prepareStatement(
                  "SELECT refresh_token, state FROM "
                      + JdbcAuthorizationStore.DEFAULT_TABLE
                      + " WHERE authorizer_app_id = ?")) {
        select.setString(1, MERCHANT);
        try (ResultSet row = select.executeQuery()) {
          assertThat(row.next()).as("the merchant's row in spring.datasource's database").isTrue();
          assertThat(row.getString(1)).isEqualTo(wechat.refreshTokenOf(MERCHANT));
          assertThat(row.getString(2)).isEqualTo(Authorization.State.AUTHORIZED.name());
        }
      }
    }
  }

  @Test
  void aMissingPlatformSecretStopsTheStartWithOneClearReport(CapturedOutput output) {
    assertThatThrownBy(
            () ->
                new SpringApplicationBuilder(App.class)
                    .web(WebApplicationType.NONE)
                    .properties(
                        "wechat.mp.store.type=memory",
                        "wechat.open.component-app-id=" + COMPONENT_APP_ID,
                        "wechat.open.token=" + TOKEN,
                        "wechat.open.encoding-aes-key=" + AES_KEY)
                    .run())
        .hasRootCauseInstanceOf(WeChatConfigurationException.class);
    assertThat(output.getOut() + output.getErr())
        .contains("APPLICATION FAILED TO START")
        .contains("wechat.open.component-app-id is set but wechat.open.component-app-secret is missing.")
        .contains("Set wechat.open.component-app-secret to the value on the platform's page")
        .doesNotContain(AES_KEY);
  }

  /** An application with nothing but the auto-configuration. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {}
}
