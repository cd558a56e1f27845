package io.github.wechatmp.spring.boot;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Map;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.StringUtils;

/**
 * Matches when {@code wechat.mp.<value>} is set to something other than blanks: unlike
 * {@code @ConditionalOnProperty}, an empty value (an unset environment variable in {@code
 * ${WECHAT_APP_ID:}}) counts as unset.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Conditional(ConditionalOnSetting.OnSetting.class)
@interface ConditionalOnSetting {
  /** The key under {@code wechat.mp.}, such as {@code app-id}. */
  String value();

  /** The condition. */
  final class OnSetting implements Condition {
    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
      Map<String, Object> attributes =
          metadata.getAnnotationAttributes(ConditionalOnSetting.class.getName());
      String key = "wechat.mp." + (attributes == null ? "" : attributes.get("value"));
      return StringUtils.hasText(context.getEnvironment().getProperty(key));
    }
  }
}
