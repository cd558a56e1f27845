package io.github.wechatmp.jssdk;

import io.github.wechatmp.token.AccessToken;
import java.time.Instant;

/**
 * A JS-SDK {@code jsapi_ticket} and the instant WeChat stops accepting it. Immutable and
 * thread-safe. {@link #toString()} masks the value: a ticket lets anyone sign pages as the account.
 */
public final class JsapiTicket {
  private final AccessToken credential;

  JsapiTicket(AccessToken credential) {
    this.credential = credential;
  }

  /**
   * The cached credential this ticket was read from, so a provider can hand out the same instance.
   */
  AccessToken credential() {
    return credential;
  }

  /**
   * Returns the whole ticket, for computing a signature. Never log it.
   *
   * @return the ticket exactly as WeChat issued it
   */
  public String value() {
    return credential.value();
  }

  /**
   * Returns the instant WeChat stops accepting this ticket.
   *
   * @return the expiry instant
   */
  public Instant expiresAt() {
    return credential.expiresAt();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof JsapiTicket && ((JsapiTicket) o).credential.equals(credential);
  }

  @Override
  public int hashCode() {
    return credential.hashCode();
  }

  /** Returns the ticket masked, with its expiry. */
  @Override
  public String toString() {
    return "JsapiTicket{value="
        + credential.masked()
        + ", expiresAt="
        + credential.expiresAt()
        + '}';
  }
}
