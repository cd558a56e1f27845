/** WeChat's signature digests, shared by the SDK's packages. Internal: not part of the API. */
package io.github.wechatmp.internal.crypto;
