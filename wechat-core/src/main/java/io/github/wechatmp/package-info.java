/**
 * The root of the SDK: the exceptions every module throws. {@link
 * io.github.wechatmp.WeChatApiException} is an error WeChat returned; {@link
 * io.github.wechatmp.WeChatTransportException} is a failure to ask WeChat or to understand its
 * answer.
 */
package io.github.wechatmp;
