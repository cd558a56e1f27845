package io.github.wechatmp.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * A real start-up with a bad setting: Spring Boot finds the failure analyzer through
 * spring.factories and prints its one description and action instead of a stack of bean errors.
 */
@ExtendWith(OutputCaptureExtension.class)
class StartupFailureReportTest {

  @Test
  void aMissingSecretStopsTheStartWithOneClearReport(CapturedOutput output) {
    assertThatThrownBy(
            () ->
                new SpringApplicationBuilder(App.class)
                    .web(WebApplicationType.NONE)
                    .properties(
                        "wechat.mp.app-id=wx0123456789abcdef",
                        "wechat.mp.store.type=memory")
                    .run())
        .hasRootCauseInstanceOf(WeChatConfigurationException.class);
    assertThat(output.getOut() + output.getErr())
        .contains("APPLICATION FAILED TO START")
        .contains("wechat.mp.app-secret is missing for the AppID wx0123456789abcdef.")
        .contains("Set wechat.mp.app-secret to the account's AppSecret");
  }

  /** An application with nothing but the auto-configuration. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {}
}
