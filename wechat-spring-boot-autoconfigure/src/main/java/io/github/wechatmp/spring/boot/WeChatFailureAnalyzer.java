package io.github.wechatmp.spring.boot;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a {@link WeChatConfigurationException} anywhere in a start-up failure as one clear
 * description and action, instead of a stack of bean creation errors. Registered in {@code
 * META-INF/spring.factories}; stateless and thread-safe.
 */
public class WeChatFailureAnalyzer extends AbstractFailureAnalyzer<WeChatConfigurationException> {

  /** Creates the analyzer; Spring Boot does. */
  public WeChatFailureAnalyzer() {}

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, WeChatConfigurationException cause) {
    return new FailureAnalysis(cause.getMessage(), cause.getAction(), cause);
  }
}
