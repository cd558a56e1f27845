/**
 * The WeChat third-party platform (开放平台), for vendors that manage the official accounts of many
 * merchants: {@link io.github.wechatmp.open.AuthorizationStore}, the durable record of each
 * authorization and its {@code authorizer_refresh_token}, with {@link
 * io.github.wechatmp.open.JdbcAuthorizationStore} for a cluster, {@link
 * io.github.wechatmp.open.FileAuthorizationStore} for one host and {@link
 * io.github.wechatmp.open.InMemoryAuthorizationStore} for tests.
 */
package io.github.wechatmp.open;
