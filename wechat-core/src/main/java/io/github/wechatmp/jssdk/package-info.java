/**
 * The JS-SDK: {@link io.github.wechatmp.jssdk.JsapiTicketProvider} keeps the {@code jsapi_ticket}
 * as the access token is kept (cached, shared through a store, refreshed by one caller at a time),
 * and {@link io.github.wechatmp.jssdk.JsSdkSigner} signs pages for {@code wx.config}.
 */
package io.github.wechatmp.jssdk;
