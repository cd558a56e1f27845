/**
 * WeChat's web authorization (网页授权): sign a WeChat user in to a page opened in WeChat and learn
 * their OpenID. {@link io.github.wechatmp.oauth.WebAuthorization} builds the authorize URL,
 * exchanges the one-use code (idempotently, so that WeChat's double redirect never meets errcode
 * 40163), refreshes the user's token and reads their profile; {@link
 * io.github.wechatmp.oauth.StateCodec} issues and checks a signed {@code state} that needs no
 * session cookie.
 */
package io.github.wechatmp.oauth;
