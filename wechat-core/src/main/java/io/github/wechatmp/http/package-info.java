/**
 * Calling WeChat's API with OkHttp: {@link io.github.wechatmp.http.AccessTokenInterceptor} adds the
 * current {@code access_token} to every request and retries once, with a fresh token, when WeChat
 * rejects it.
 */
package io.github.wechatmp.http;
