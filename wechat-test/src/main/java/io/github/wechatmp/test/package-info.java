/**
 * Test doubles for WeChat, faithful where SDK users' bugs live: {@link
 * io.github.wechatmp.test.WeChatStandIn} (tokens voided by newer fetches, stable-token rules, daily
 * quota, token checks on API calls, scripted faults) and {@link
 * io.github.wechatmp.test.CallbackClient} (signed and encrypted callbacks, WeChat's retries).
 */
package io.github.wechatmp.test;
