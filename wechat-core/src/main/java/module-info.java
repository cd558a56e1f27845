/**
 * The core of the wechat-mp SDK: server signature verification ({@link
 * io.github.wechatmp.signature}), the cached, cluster-safe {@code access_token} and its {@code
 * TokenStore} SPI ({@link io.github.wechatmp.token}), message encryption and XML ({@link
 * io.github.wechatmp.message}), the JS-SDK ticket and signature ({@link io.github.wechatmp.jssdk}),
 * an OkHttp interceptor that adds the token to API calls ({@link io.github.wechatmp.http}), the
 * server URL's back end: a router, deduplication, the reply deadline and the adapters ({@link
 * io.github.wechatmp.callback}) and the typed messages and events ({@link
 * io.github.wechatmp.callback.inbound}), web authorization: a WeChat user's sign-in to a page
 * ({@link io.github.wechatmp.oauth}), the one Redis layout that the Redis stores share ({@link
 * io.github.wechatmp.redis}), a client for every WeChat API with typed calls for the common ones
 * ({@link io.github.wechatmp.api}), and the exceptions every module throws ({@link
 * io.github.wechatmp}).
 *
 * <p>Only these packages are exported. The {@code io.github.wechatmp.internal} packages are the
 * implementation: they are not exported, and nothing in them is stable.
 */
@SuppressWarnings({
  "requires-automatic", // Moshi has no descriptor, only a stable Automatic-Module-Name
  "requires-transitive-automatic", // the same Moshi, whose @Json names the api package's fields
  "module" // the qualified exports below name wechat-open, which core is compiled without
})
module io.github.wechatmp {
  // OkHttp types are part of the API: AccessTokenInterceptor is an okhttp3.Interceptor, and the
  // builders accept an okhttp3.OkHttpClient.
  requires transitive okhttp3;
  requires okio;
  // Moshi's @Json is part of the API: the io.github.wechatmp.api records name WeChat's fields
  // with it, and users' records passed to WeChatApi do the same.
  requires transitive com.squareup.moshi;
  requires org.slf4j;
  requires java.xml;
  // Only for the adapters WeChatCallbackServlet and WeChatCallbackHandler: whoever uses one has
  // the framework; nobody else needs it.
  requires static jakarta.servlet;
  requires static jdk.httpserver;

  exports io.github.wechatmp;
  exports io.github.wechatmp.signature;
  exports io.github.wechatmp.token;
  exports io.github.wechatmp.message;
  exports io.github.wechatmp.jssdk;
  exports io.github.wechatmp.http;
  exports io.github.wechatmp.callback;
  exports io.github.wechatmp.callback.inbound;
  exports io.github.wechatmp.oauth;
  exports io.github.wechatmp.redis;
  exports io.github.wechatmp.api;

  // The third-party platform's credential kinds run on the same refresh engine and HTTP calls (as
  // OkHttp's internals import its API freely); no other module sees these packages.
  exports io.github.wechatmp.internal.refresh to
      io.github.wechatmp.open;
  exports io.github.wechatmp.internal.http to
      io.github.wechatmp.open;
}
