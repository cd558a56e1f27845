package io.github.wechatmp.oauth;

/**
 * A {@code state} that came back with WeChat's redirect was refused: the request did not start at
 * this application (a forged or cross-site request), took too long, or was played again. The
 * message never holds the state itself.
 */
public class InvalidStateException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why a state was refused. */
  public enum Reason {
    /** Missing, or not of the form {@link StateCodec} issues. */
    MALFORMED,
    /** Its signature does not match: not issued with this application's key. */
    FORGED,
    /** Its lifetime has passed. */
    EXPIRED,
    /** Already used to sign in, with another code. */
    REPLAYED
  }

  /** Why the state was refused. */
  private final Reason reason;

  /**
   * Creates the exception.
   *
   * @param reason why the state was refused
   * @param message what happened, without the state
   */
  public InvalidStateException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  /**
   * Returns why the state was refused.
   *
   * @return the reason
   */
  public Reason reason() {
    return reason;
  }
}
