/**
 * Answering what WeChat pushes to an Official Account's server URL: {@link
 * io.github.wechatmp.callback.WeChatCallback} verifies, decrypts and parses each request into a
 * {@link io.github.wechatmp.callback.inbound.WeChatMessage}, keeps retries from running the handler
 * twice ({@link io.github.wechatmp.callback.MessageDeduplicator}), calls the {@link
 * io.github.wechatmp.callback.MessageHandler} (a {@link io.github.wechatmp.callback.MessageRouter},
 * say) and answers its {@link io.github.wechatmp.callback.Reply} within WeChat's deadline. {@link
 * io.github.wechatmp.callback.WeChatCallbackServlet} (Jakarta Servlet) and {@link
 * io.github.wechatmp.callback.WeChatCallbackHandler} (the JDK's HTTP server) are ready endpoints;
 * their frameworks are optional dependencies, needed only by whoever uses them. The typed messages
 * and events are in {@link io.github.wechatmp.callback.inbound}.
 */
package io.github.wechatmp.callback;
