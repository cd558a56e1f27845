/**
 * The starter has no code of its own: it brings {@code wechat-spring-boot-autoconfigure} (see
 * {@code io.github.wechatmp.spring.boot.WeChatAutoConfiguration}) and {@code wechat-core}. This
 * package exists so that the published artifact has the sources and Javadoc jars that Maven
 * Central requires.
 */
package io.github.wechatmp.spring.boot.starter;
