/**
 * What WeChat pushes to the server URL, as typed records: a {@link
 * io.github.wechatmp.callback.inbound.WeChatMessage} for every message type and, under {@link
 * io.github.wechatmp.callback.inbound.WeChatEvent}, for every event, with {@link
 * io.github.wechatmp.callback.inbound.UnknownMessage} and {@link
 * io.github.wechatmp.callback.inbound.UnknownEvent} for the rest. {@link
 * io.github.wechatmp.callback.WeChatCallback} makes them; a {@link
 * io.github.wechatmp.callback.MessageHandler} receives them. Immutable and thread-safe; their
 * {@code toString()} names the type and IDs, never the content.
 */
package io.github.wechatmp.callback.inbound;
