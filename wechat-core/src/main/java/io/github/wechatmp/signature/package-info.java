/** Server access verification: checking the {@code signature} WeChat sends with every request. */
package io.github.wechatmp.signature;
