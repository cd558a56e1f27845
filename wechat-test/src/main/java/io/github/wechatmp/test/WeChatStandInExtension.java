package io.github.wechatmp.test;

import java.util.Objects;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension that starts one {@link WeChatStandIn} per test class, before all its tests,
 * stops it after them, and passes it to any test, lifecycle method or constructor that declares a
 * {@code WeChatStandIn} parameter. JUnit Jupiter is an optional dependency of this module: add it
 * to use this class.
 *
 * <pre>{@code
 * @ExtendWith(WeChatStandInExtension.class)
 * class MyTest {
 *   @Test
 *   void fetchesAToken(WeChatStandIn wechat) { ... wechat.baseUrl() ... }
 * }
 *
 * // or, with a configured stand-in (in a static field: JUnit calls beforeAll only on those):
 * @RegisterExtension
 * static WeChatStandInExtension wechat =
 *     new WeChatStandInExtension(WeChatStandIn.builder().appId("wx...").appSecret("..."));
 * }</pre>
 *
 * The stand-in is shared by the tests of the class: its counts and log add up across them. Thread-
 * safe as JUnit uses it.
 */
public final class WeChatStandInExtension
    implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(WeChatStandInExtension.class);

  private final WeChatStandIn.Builder builder;
  private volatile WeChatStandIn current;

  /** An extension whose stand-in has the defaults of {@link WeChatStandIn#start()}. */
  public WeChatStandInExtension() {
    this(WeChatStandIn.builder());
  }

  /**
   * An extension whose stand-in {@code builder} starts.
   *
   * @param builder the configured builder; it is used once per test class
   * @throws NullPointerException if {@code builder} is null
   */
  public WeChatStandInExtension(WeChatStandIn.Builder builder) {
    this.builder = Objects.requireNonNull(builder, "builder");
  }

  /**
   * Returns the stand-in of the test class running now, for an extension registered in a static
   * field.
   *
   * @return the running stand-in
   * @throws IllegalStateException outside a test class's run
   */
  public WeChatStandIn standIn() {
    WeChatStandIn w = current;
    if (w == null) {
      throw new IllegalStateException("no stand-in is running: not inside a test class's run");
    }
    return w;
  }

  /**
   * Starts the stand-in of the test class.
   *
   * @param context the test class's context
   */
  @Override
  public void beforeAll(ExtensionContext context) {
    WeChatStandIn w = builder.start();
    current = w;
    context.getStore(NAMESPACE).put(key(context), w);
  }

  /**
   * Stops the stand-in of the test class.
   *
   * @param context the test class's context
   */
  @Override
  public void afterAll(ExtensionContext context) {
    WeChatStandIn w = context.getStore(NAMESPACE).remove(key(context), WeChatStandIn.class);
    if (w != null) {
      w.close();
    }
    current = null;
  }

  /**
   * Says whether the parameter is a {@link WeChatStandIn}.
   *
   * @param parameter the parameter
   * @param context the context
   * @return whether this extension supplies it
   */
  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == WeChatStandIn.class;
  }

  /**
   * Supplies the stand-in of the test class.
   *
   * @param parameter the parameter
   * @param context the context
   * @return the running stand-in
   * @throws IllegalStateException if no stand-in runs (the extension was registered on a method)
   */
  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
      WeChatStandIn w = c.getStore(NAMESPACE).get(key(c), WeChatStandIn.class);
      if (w != null) {
        return w;
      }
    }
    throw new IllegalStateException(
        "no WeChatStandIn runs for "
            + context.getDisplayName()
            + ": register the extension on the class");
  }

  private static String key(ExtensionContext c) {
    return c.getUniqueId();
  }
}
