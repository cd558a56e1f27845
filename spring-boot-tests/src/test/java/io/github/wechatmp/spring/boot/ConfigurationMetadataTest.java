package io.github.wechatmp.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The metadata IDEs complete {@code wechat.mp.*} from is generated and names every key. */
class ConfigurationMetadataTest {
  @Test
  void everyKeyOfTheIssueIsInTheGeneratedMetadata() throws Exception {
    String json;
    try (InputStream in =
        WeChatProperties.class.getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      assertThat(in).as("spring-configuration-metadata.json in the autoconfigure jar").isNotNull();
      json = new String(in.readAllBytes(), StandardCharsets.UTF_8).replaceAll("\\s", "");
    }
    for (String key :
        List.of(
            "app-id",
            "app-secret",
            "token",
            "encoding-aes-key",
            "stable-token",
            "refresh-margin",
            "expiry-margin",
            "store-outage-fetch-interval",
            "api-base-url",
            "accounts",
            "store.type",
            "store.file.path",
            "store.redis.key-prefix",
            "callback.path",
            "callback.reply-deadline")) {
      assertThat(json).contains("\"name\":\"wechat.mp." + key + "\"");
    }
    assertThat(json).contains("\"value\":\"memory\"").contains("\"value\":\"redis\"");
    assertThat(json).contains("\"defaultValue\":\"\\/wechat\"");
  }

  @Test
  void everyKeyOfThePlatformIsInTheGeneratedMetadata() throws Exception {
    String json;
    try (InputStream in =
        WeChatOpenProperties.class.getResourceAsStream(
            "/META-INF/spring-configuration-metadata.json")) {
      json = new String(in.readAllBytes(), StandardCharsets.UTF_8).replaceAll("\\s", "");
    }
    for (String key :
        List.of(
            "component-app-id",
            "component-app-secret",
            "token",
            "encoding-aes-key",
            "api-base-url",
            "callback.path",
            "store.type",
            "store.file.path",
            "store.jdbc.table",
            "messages.enabled",
            "messages.path",
            "messages.reply-deadline")) {
      assertThat(json).contains("\"name\":\"wechat.open." + key + "\"");
    }
    assertThat(json).contains("\"value\":\"jdbc\"").contains("\"value\":\"file\"");
    assertThat(json).contains("\"defaultValue\":\"\\/wechat\\/open\\/events\"");
    assertThat(json).contains("\"defaultValue\":\"wechat_open_authorization\"");
    assertThat(json).contains("\"defaultValue\":\"\\/wechat\\/open\\/messages\"");
  }
}
