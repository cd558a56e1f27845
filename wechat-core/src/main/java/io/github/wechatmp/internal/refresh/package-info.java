/** The refresh engine behind every cached WeChat credential. Internal: not part of the API. */
package io.github.wechatmp.internal.refresh;
