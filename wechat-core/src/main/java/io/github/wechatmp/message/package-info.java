/**
 * Messages WeChat pushes to the server URL: {@link io.github.wechatmp.message.MessageCrypto}
 * verifies and decrypts them and encrypts passive replies; {@link
 * io.github.wechatmp.message.WeChatXml} reads and writes their XML safely (no DTDs, no external
 * entities, bounded size).
 */
package io.github.wechatmp.message;
