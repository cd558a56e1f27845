/** Requests to WeChat's credential endpoints. Internal: not part of the API. */
package io.github.wechatmp.internal.http;
