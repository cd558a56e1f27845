/**
 * A client for every WeChat API: {@link io.github.wechatmp.api.WeChatApi} calls any endpoint with
 * the access token handled and WeChat's errors thrown as exceptions, and offers typed calls for
 * what teams use most: template and subscribe messages, the custom menu, users and tags, QR codes,
 * customer service messages and temporary media.
 */
package io.github.wechatmp.api;
