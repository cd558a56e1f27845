package io.github.wechatmp.examples.snippets;

import io.github.wechatmp.api.WeChatApi;
import io.github.wechatmp.callback.CallbackResponse;
import io.github.wechatmp.open.AuthorizationEventEndpoint;
import io.github.wechatmp.open.JdbcAuthorizationStore;
import io.github.wechatmp.open.OpenPlatform;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.TokenStore;
import java.util.Map;
import javax.sql.DataSource;

/**
 * docs/third-party-platform.md snippets: a platform over the cluster's store and database, its
 * event endpoint, and an authorizer's API calls. Main code so that the page quotes compiled code;
 * {@code OpenPlatformSnippetsTest} runs it against the stand-in.
 */
final class OpenPlatformSnippets {
  private OpenPlatformSnippets() {}

  static OpenPlatform platform(
      TokenStore sharedStore,
      DataSource database,
      String apiBaseUrl,
      String secret,
      String token,
      String aesKey) {
    // snippet:start open-platform-setup
    OpenPlatform platform =
        OpenPlatform.builder()
            .componentAppId("wx3c0a5e8f2b1d4c6e")
            .componentAppSecret(secret) // these three from your secret manager
            .token(token)
            .encodingAesKey(aesKey)
            .store(sharedStore) // the ticket and every token, shared by the cluster (Redis)
            .authorizations(new JdbcAuthorizationStore(database)) // refresh tokens, durably
            .apiBaseUrl(apiBaseUrl)
            .build();
    // snippet:end
    return platform;
  }

  static CallbackResponse onPush(
      OpenPlatform platform, String method, Map<String, String> query, String body) {
    // snippet:start open-platform-events
    AuthorizationEventEndpoint events = platform.callback(); // serve it at the event URL
    CallbackResponse answer = events.handle(method, query, body); // "success" once saved
    // snippet:end
    return answer;
  }

  static Map<?, ?> merchantCall(OpenPlatform platform, String merchantAppId) {
    // snippet:start open-platform-authorizer
    AccessTokenProvider merchant = platform.authorizer(merchantAppId);
    WeChatApi api = WeChatApi.builder().tokens(merchant).build();
    Map<?, ?> ips = api.get("cgi-bin/get_api_domain_ip", Map.of(), Map.class);
    // snippet:end
    return ips;
  }
}
