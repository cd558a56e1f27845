package io.github.wechatmp.callback;

import io.github.wechatmp.callback.inbound.ClickEvent;
import io.github.wechatmp.callback.inbound.TextMessage;
import io.github.wechatmp.callback.inbound.WeChatEvent;
import io.github.wechatmp.callback.inbound.WeChatMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * A {@link MessageHandler} made of rules: each rule says which messages it takes and answers them.
 * Rules are tried in the order they were added and the first that matches answers (a null answer
 * means {@link Reply#none()}); when none matches, the fallback answers, and without a fallback the
 * answer is {@link Reply#none()}.
 *
 * <pre>{@code
 * MessageHandler handler = MessageRouter.builder()
 *     .onText(Pattern.compile("^help"), m -> Reply.text("Send any text and I echo it."))
 *     .on(TextMessage.class, m -> Reply.text("echo: " + m.content()))
 *     .on(SubscribeEvent.class, e -> Reply.text("Welcome!"))
 *     .onClick("V1001_TODAY", e -> Reply.text("Today's pick"))
 *     .build();
 * }</pre>
 *
 * <p>Synchronous: a rule runs on the thread that called {@link #handle}, and nothing is kept per
 * thread. Immutable and thread-safe when the rules are.
 */
public final class MessageRouter implements MessageHandler {
  private final List<Rule> rules;
  private final MessageHandler fallback;

  private record Rule(Predicate<WeChatMessage> test, Function<WeChatMessage, Reply> answer) {}

  private MessageRouter(Builder b) {
    this.rules = List.copyOf(b.rules);
    this.fallback = b.fallback;
  }

  /**
   * Returns a builder without rules.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Answers {@code message} with the first matching rule, else the fallback, else {@link
   * Reply#none()}. Exceptions of the rule or the fallback are thrown as they are.
   *
   * @param message the message
   * @return the reply, never null
   */
  @Override
  public Reply handle(WeChatMessage message) {
    for (Rule r : rules) {
      if (r.test.test(message)) {
        return orNone(r.answer.apply(message));
      }
    }
    return fallback == null ? Reply.none() : orNone(fallback.handle(message));
  }

  private static Reply orNone(Reply r) {
    return r == null ? Reply.none() : r;
  }

  @Override
  public String toString() {
    return "MessageRouter{"
        + rules.size()
        + " rules"
        + (fallback == null ? "" : ", fallback")
        + '}';
  }

  /** The rules of a {@link MessageRouter}. Not thread-safe; {@link #build()} copies them. */
  public static final class Builder {
    private final List<Rule> rules = new ArrayList<>();
    private MessageHandler fallback;

    private Builder() {}

    /**
     * Adds a rule for every message of {@code type} (a record such as {@link TextMessage}, or
     * {@link WeChatEvent} for every event).
     *
     * @param <T> the type
     * @param type the type
     * @param answer answers those messages; a null answer is {@link Reply#none()}
     * @return this builder
     * @throws NullPointerException if an argument is null
     */
    public <T extends WeChatMessage> Builder on(Class<T> type, Function<? super T, Reply> answer) {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(answer, "answer");
      rules.add(new Rule(type::isInstance, m -> answer.apply(type.cast(m))));
      return this;
    }

    /**
     * Adds a rule for text messages in whose content {@code pattern} is found ({@link
     * java.util.regex.Matcher#find()}: anchor it with {@code ^} and {@code $} to match the whole).
     *
     * @param pattern what to look for
     * @param answer answers those messages; a null answer is {@link Reply#none()}
     * @return this builder
     * @throws NullPointerException if an argument is null
     */
    public Builder onText(Pattern pattern, Function<? super TextMessage, Reply> answer) {
      Objects.requireNonNull(pattern, "pattern");
      Objects.requireNonNull(answer, "answer");
      rules.add(
          new Rule(
              m -> m instanceof TextMessage t && pattern.matcher(t.content()).find(),
              m -> answer.apply((TextMessage) m)));
      return this;
    }

    /**
     * Adds a rule for clicks on the menu button whose key is {@code key} (exactly).
     *
     * @param key the button's key
     * @param answer answers those clicks; a null answer is {@link Reply#none()}
     * @return this builder
     * @throws NullPointerException if an argument is null
     */
    public Builder onClick(String key, Function<? super ClickEvent, Reply> answer) {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(answer, "answer");
      rules.add(
          new Rule(
              m -> m instanceof ClickEvent c && key.equals(c.key()),
              m -> answer.apply((ClickEvent) m)));
      return this;
    }

    /**
     * Sets what answers the messages no rule matched. Without one they get {@link Reply#none()}.
     *
     * @param fallback the handler of the rest, or null for none
     * @return this builder
     */
    public Builder fallback(MessageHandler fallback) {
      this.fallback = fallback;
      return this;
    }

    /**
     * Makes the router.
     *
     * @return a new, immutable router
     */
    public MessageRouter build() {
      return new MessageRouter(this);
    }
  }
}
