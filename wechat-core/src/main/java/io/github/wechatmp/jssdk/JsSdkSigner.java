package io.github.wechatmp.jssdk;

import io.github.wechatmp.internal.crypto.SortedSha1;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Signs pages for the JS-SDK's {@code wx.config}: the SHA-1 of {@code
 * jsapi_ticket=..&noncestr=..&timestamp=..&url=..}, with the ticket of a {@link
 * JsapiTicketProvider}, a fresh random nonce and the current time.
 *
 * <p>The URL must be the page's own, exactly as the browser has it ({@code location.href}); its
 * {@code #fragment} is dropped, as WeChat requires, and nothing else is changed (no normalisation:
 * the browser's form is what WeChat compares against). Thread-safe.
 */
public final class JsSdkSigner {
  private static final int MAX_URL_CHARS = 4096;
  private static final int NONCE_CHARS = 16;
  private static final char[] NONCE_ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final String appId;
  private final Supplier<String> ticket;
  private final Clock clock;
  private final Supplier<String> nonce;

  /**
   * Creates a signer for the account of {@code tickets}. Does no I/O.
   *
   * @param tickets where the signer gets the current ticket; the signer does not close it
   * @throws NullPointerException if {@code tickets} is null
   */
  public JsSdkSigner(JsapiTicketProvider tickets) {
    this(
        Objects.requireNonNull(tickets, "tickets").appId(),
        () -> tickets.get().value(),
        Clock.systemUTC(),
        JsSdkSigner::randomNonce);
  }

  JsSdkSigner(String appId, Supplier<String> ticket, Clock clock, Supplier<String> nonce) {
    this.appId = Objects.requireNonNull(appId, "appId");
    this.ticket = Objects.requireNonNull(ticket, "ticket");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.nonce = Objects.requireNonNull(nonce, "nonce");
  }

  /**
   * Signs {@code url} now, with a fresh nonce.
   *
   * @param url the page's absolute http or https URL; a {@code #fragment} is dropped
   * @return what the page passes to {@code wx.config}
   * @throws IllegalArgumentException if {@code url} is null, not an absolute http or https URL,
   *     longer than 4096 characters, or contains whitespace or control characters
   * @throws io.github.wechatmp.WeChatException if no ticket can be had (see {@link
   *     JsapiTicketProvider#get()})
   */
  public JsSdkSignature sign(String url) {
    String page = pageUrl(url);
    return sign(appId, ticket.get(), page, clock.millis() / 1000, nonce.get());
  }

  /** The signature of WeChat's algorithm, for fixed inputs. */
  static JsSdkSignature sign(
      String appId, String ticket, String url, long timestamp, String nonceStr) {
    String page = pageUrl(url);
    String signature =
        SortedSha1.hexOfParameters(
            "jsapi_ticket",
            ticket,
            "noncestr",
            nonceStr,
            "timestamp",
            Long.toString(timestamp),
            "url",
            page);
    return new JsSdkSignature(appId, timestamp, nonceStr, signature, page);
  }

  static String pageUrl(String url) {
    if (url == null) {
      throw new IllegalArgumentException("url is required: the page's absolute http or https URL");
    }
    int hash = url.indexOf('#');
    String page = hash >= 0 ? url.substring(0, hash) : url;
    if (page.length() > MAX_URL_CHARS) {
      throw new IllegalArgumentException("url is longer than " + MAX_URL_CHARS + " characters");
    }
    String lower = page.toLowerCase(Locale.ROOT);
    int hostStart = lower.startsWith("https://") ? 8 : lower.startsWith("http://") ? 7 : -1;
    if (hostStart < 0) {
      throw new IllegalArgumentException(
          "url must be an absolute http or https URL, as the browser shows it");
    }
    if (page.length() == hostStart || "/?:@".indexOf(page.charAt(hostStart)) >= 0) {
      throw new IllegalArgumentException("url has no host");
    }
    for (int i = 0; i < page.length(); i++) {
      char c = page.charAt(i);
      if (c <= ' ' || c == 0x7f) {
        throw new IllegalArgumentException(
            "url contains whitespace or control characters; pass location.href as is");
      }
    }
    return page;
  }

  private static String randomNonce() {
    char[] c = new char[NONCE_CHARS];
    for (int i = 0; i < c.length; i++) {
      c[i] = NONCE_ALPHABET[RANDOM.nextInt(NONCE_ALPHABET.length)];
    }
    return new String(c);
  }

  @Override
  public String toString() {
    return "JsSdkSigner{appId=" + appId + '}';
  }
}
