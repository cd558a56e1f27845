/**
 * The global {@code access_token}: {@link io.github.wechatmp.token.AccessTokenProvider} caches and
 * refreshes it; {@link io.github.wechatmp.token.TokenStore} is the SPI through which instances of
 * an application share it, with {@link io.github.wechatmp.token.InMemoryTokenStore} as the default.
 */
package io.github.wechatmp.token;
