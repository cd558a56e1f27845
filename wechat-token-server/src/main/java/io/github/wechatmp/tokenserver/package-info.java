/**
 * The central token service (WeChat's 中控服务器): {@link io.github.wechatmp.tokenserver.TokenServer} is
 * its entry point ({@code java -jar wechat-token-server.jar --config tokens.yml}); its HTTP API and
 * configuration are described there and in the project's docs/token-server.md.
 */
package io.github.wechatmp.tokenserver;
