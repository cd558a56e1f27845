package io.github.wechatmp.test.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.http.AccessTokenInterceptor;
import io.github.wechatmp.test.WeChatStandIn;
import io.github.wechatmp.token.AccessTokenProvider;
import java.io.IOException;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Issue 14, item 4: the interceptor covers the provider's own API host with no addHost call. */
class InterceptorOwnHostTest {
  WeChatStandIn wechat = WeChatStandIn.start();
  AccessTokenProvider provider =
      AccessTokenProvider.builder()
          .appId("wx0123456789abcdef")
          .appSecret("s3cr3t-0123456789abcdef0123456789")
          .apiBaseUrl(wechat.baseUrl())
          .build();

  @AfterEach
  void close() {
    provider.close();
    wechat.close();
  }

  static String call(OkHttpClient client, String url) throws IOException {
    try (Response r = client.newCall(new Request.Builder().url(url).build()).execute()) {
      return r.body().string();
    }
  }

  @Test
  void callsToTheProvidersOwnApiHostGetATokenWithoutAddHost() throws IOException {
    AccessTokenInterceptor interceptor = new AccessTokenInterceptor(provider);
    OkHttpClient client = new OkHttpClient.Builder().addInterceptor(interceptor).build();

    String answer = call(client, wechat.baseUrl() + "cgi-bin/get_api_domain_ip");

    assertTrue(answer.contains("\"ip_list\""), answer);
    assertTrue(interceptor.hosts().contains(HttpUrl.get(wechat.baseUrl()).host()));
    assertTrue(interceptor.hosts().containsAll(AccessTokenInterceptor.DEFAULT_HOSTS));
    assertEquals(1, wechat.tokenRequests());
    assertEquals(1, wechat.apiRequests());
  }

  @Test
  void theBuilderStartsWithTheOwnHostTooAndOtherHostsStillPassThroughUntouched()
      throws IOException {
    OkHttpClient client =
        new OkHttpClient.Builder()
            .addInterceptor(AccessTokenInterceptor.builder(provider).build())
            .build();
    HttpUrl base = HttpUrl.get(wechat.baseUrl());
    String otherHost = base.host().equals("localhost") ? "127.0.0.1" : "localhost";
    String elsewhere = base.newBuilder().host(otherHost).build() + "cgi-bin/get_api_domain_ip";

    String untouched = call(client, elsewhere);
    String covered = call(client, wechat.baseUrl() + "cgi-bin/get_api_domain_ip");

    assertTrue(untouched.contains("41001"), untouched); // reached the stand-in with no token
    assertTrue(covered.contains("\"ip_list\""), covered);
    assertEquals(1, wechat.tokenRequests());
    assertEquals(2, wechat.apiRequests());
  }
}
