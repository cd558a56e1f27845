/**
 * Spring Boot auto-configuration of the wechat-mp SDK: {@link
 * io.github.wechatmp.spring.boot.WeChatProperties} ({@code wechat.mp.*}), {@link
 * io.github.wechatmp.spring.boot.WeChatAccounts} for one or many accounts, the stores over Spring
 * Data Redis ({@link io.github.wechatmp.spring.boot.SpringDataRedisTokenStore}, {@link
 * io.github.wechatmp.spring.boot.SpringDataRedisMessageDeduplicator}), the health indicator and the
 * start-up failure analysis. Add {@code wechat-spring-boot-starter} and set the properties; {@link
 * io.github.wechatmp.spring.boot.WeChatAutoConfiguration} does the rest.
 */
package io.github.wechatmp.spring.boot;
