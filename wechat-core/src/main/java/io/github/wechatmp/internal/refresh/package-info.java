/**
 * The refresh engine behind every cached WeChat credential: one {@link
 * io.github.wechatmp.internal.refresh.RefreshingCache} per credential, built on the {@code token}
 * package's types (the {@code AccessToken} it keeps, the {@code TokenKey} and {@code TokenStore} it
 * shares it through, the {@code RefreshPolicy}, the {@code TokenEventListener}, the {@code
 * TokenStatus} it reports). A credential kind is its key kind, its {@link
 * io.github.wechatmp.internal.refresh.CredentialFetcher} and the builder of its provider, which
 * builds a cache of the two; the access token (classic and stable), the token service's client and
 * the jsapi ticket are made so. No state is global: the timer and refresh threads are one
 * reference-counted object that the caches hold while open. Internal: not part of the API.
 */
package io.github.wechatmp.internal.refresh;
