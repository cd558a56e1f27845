/**
 * The refresh engine behind every cached WeChat credential. It depends on no API package: it is
 * generic in its credential, and the API packages that build an engine ({@code token}, {@code
 * jssdk}) adapt their store, policy, listener and status types to its own ({@link
 * io.github.wechatmp.internal.refresh.CredentialType}, {@link
 * io.github.wechatmp.internal.refresh.SharedSlot}, {@link
 * io.github.wechatmp.internal.refresh.Settings}, {@link
 * io.github.wechatmp.internal.refresh.RefreshEvents}, {@link
 * io.github.wechatmp.internal.refresh.Status}), so that package edges point one way only. Internal:
 * not part of the API.
 */
package io.github.wechatmp.internal.refresh;
