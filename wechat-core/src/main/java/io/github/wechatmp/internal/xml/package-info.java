/** WeChat's flat XML, read without a general-purpose parser. Internal: not part of the API. */
package io.github.wechatmp.internal.xml;
