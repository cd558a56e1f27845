package io.github.wechatmp;

/**
 * WeChat answered, and its answer was an error: a JSON body with a non-zero {@code errcode}.
 *
 * <p>Which errors are worth retrying is WeChat's to say; {@link #isRetryable()} and {@link
 * #isTokenInvalid()} encode what WeChat documents. Instances are immutable and may be shared
 * between threads (a refresh that fails hands the same instance to every caller waiting on it).
 */
public class WeChatApiException extends WeChatException {
  private static final long serialVersionUID = 1L;

  /** {@code -1}: WeChat is busy; retry after a short, jittered pause. */
  public static final int SYSTEM_BUSY = -1;

  /**
   * {@code 40001}: on an ordinary API call, the access token is invalid; on the token endpoint, the
   * AppSecret is wrong.
   */
  public static final int INVALID_CREDENTIAL = 40001;

  /** {@code 40014}: the access token is not a valid one. */
  public static final int INVALID_ACCESS_TOKEN = 40014;

  /** {@code 42001}: the access token has expired. */
  public static final int ACCESS_TOKEN_EXPIRED = 42001;

  /**
   * {@code 45009}: the daily quota of this API is used up; it resets at midnight Beijing time (or
   * by clearing the quota in the admin console). Never retried by the SDK.
   */
  public static final int DAILY_QUOTA_EXCEEDED = 45009;

  /** {@code 45011}: API calls are too frequent; slow down. Never retried by the SDK. */
  public static final int API_RATE_LIMITED = 45011;

  /**
   * {@code 45015}: a customer service message was sent more than 48 hours after the user's last
   * message to the account; WeChat allows none until the user writes again. Never retried.
   */
  public static final int CUSTOMER_SERVICE_WINDOW_CLOSED = 45015;

  /**
   * {@code 45047}: too many customer service messages to this user (WeChat allows 20 between two of
   * the user's messages). Never retried.
   */
  public static final int CUSTOMER_SERVICE_MESSAGE_LIMIT = 45047;

  /** {@code 40004}: the media type is not one WeChat knows (image, voice, video, thumb). */
  public static final int INVALID_MEDIA_TYPE = 40004;

  /** {@code 40005}: the uploaded file's format is not one WeChat accepts for its media type. */
  public static final int INVALID_FILE_TYPE = 40005;

  /** {@code 40006}: the uploaded file is larger than WeChat accepts for its media type. */
  public static final int INVALID_MEDIA_SIZE = 40006;

  /** {@code 40007}: the {@code media_id} is unknown or its media expired (after 3 days). */
  public static final int INVALID_MEDIA_ID = 40007;

  /** {@code 40113}: the file's type is not supported (usually a missing or wrong file name). */
  public static final int UNSUPPORTED_FILE_TYPE = 40113;

  /** {@code 44001}: the uploaded media is empty (usually a multipart part without a file name). */
  public static final int EMPTY_MEDIA = 44001;

  /** WeChat's {@code errcode}. */
  private final int errorCode;

  /** WeChat's {@code errmsg}, never null. */
  private final String errorMessage;

  /**
   * Creates an exception for an error WeChat returned.
   *
   * @param errorCode WeChat's {@code errcode}
   * @param errorMessage WeChat's {@code errmsg}, already free of secrets; {@code null} is kept as
   *     ""
   */
  public WeChatApiException(int errorCode, String errorMessage) {
    this(errorCode, errorMessage, describe(errorCode, errorMessage, false));
  }

  /**
   * Creates an exception for an error that an endpoint issuing access tokens returned (WeChat's
   * {@code cgi-bin/token} or {@code cgi-bin/stable_token}, or a token service fetching from them):
   * there 40001 means that the AppSecret is wrong, and the message says so, where on an ordinary
   * API call it means that the access token was rejected.
   *
   * @param errorCode WeChat's {@code errcode}
   * @param errorMessage WeChat's {@code errmsg}, already free of secrets; {@code null} is kept as
   *     ""
   * @return the exception
   */
  public static WeChatApiException fromTokenEndpoint(int errorCode, String errorMessage) {
    return new WeChatApiException(errorCode, errorMessage, describe(errorCode, errorMessage, true));
  }

  /**
   * Creates an exception for an error WeChat returned, with a message of the caller's.
   *
   * @param errorCode WeChat's {@code errcode}
   * @param errorMessage WeChat's {@code errmsg}, already free of secrets; {@code null} is kept as
   *     ""
   * @param message the exception message, free of secrets
   */
  protected WeChatApiException(int errorCode, String errorMessage, String message) {
    super(message);
    this.errorCode = errorCode;
    this.errorMessage = errorMessage == null ? "" : errorMessage;
  }

  /**
   * Returns WeChat's {@code errcode}.
   *
   * @return the error code, as given to the constructor
   */
  public int errorCode() {
    return errorCode;
  }

  /**
   * Returns WeChat's {@code errmsg} as received.
   *
   * @return the error message, possibly empty, never null
   */
  public String errorMessage() {
    return errorMessage;
  }

  /**
   * Returns whether WeChat asks for a retry ({@code -1}, system busy). Quota errors are not
   * retryable.
   *
   * @return true for {@link #SYSTEM_BUSY}
   */
  public boolean isRetryable() {
    return errorCode == SYSTEM_BUSY;
  }

  /**
   * Returns whether, on an ordinary API call, this error means the access token was rejected
   * (40001, 40014, 42001), so the caller should invalidate it and retry once with a fresh one. On
   * the token endpoint itself 40001 means a wrong AppSecret, not a rejected token.
   *
   * @return true for {@link #INVALID_CREDENTIAL}, {@link #INVALID_ACCESS_TOKEN} and {@link
   *     #ACCESS_TOKEN_EXPIRED}
   */
  public boolean isTokenInvalid() {
    return errorCode == INVALID_CREDENTIAL
        || errorCode == INVALID_ACCESS_TOKEN
        || errorCode == ACCESS_TOKEN_EXPIRED;
  }

  private static String describe(int code, String message, boolean tokenEndpoint) {
    StringBuilder sb = new StringBuilder("WeChat returned errcode ").append(code);
    if (message != null && !message.isEmpty()) {
      sb.append(": ").append(message);
    }
    String hint =
        code != INVALID_CREDENTIAL
            ? hint(code)
            : tokenEndpoint ? "the AppSecret is wrong" : "the access token was rejected";
    if (hint != null) {
      sb.append(" (").append(hint).append(')');
    }
    return sb.toString();
  }

  private static String hint(int code) {
    switch (code) {
      case -1:
        return "WeChat is busy; retry later";
      case 40013:
        return "the AppID is not valid";
      case 40125:
        return "the AppSecret is not valid";
      case 40164:
      case 61004:
        return "this server's IP address is not on the account's IP whitelist";
      case 40243:
        return "the AppSecret has been frozen";
      case 45009:
        return "the daily quota for this API is used up";
      case 45011:
        return "API calls are too frequent";
      case 45015:
        return "more than 48 hours since the user's last message: no customer service message allowed";
      case 45047:
        return "too many customer service messages since the user's last message";
      case 40004:
        return "the media type is not image, voice, video or thumb";
      case 40005:
      case 40113:
        return "the file's format is not accepted for this media type (check its name and content type)";
      case 40006:
        return "the file is larger than WeChat accepts for this media type";
      case 40007:
        return "the media_id is unknown or expired";
      case 44001:
        return "the uploaded media is empty";
      case 89501:
      case 89503:
      case 89506:
      case 89507:
        return "WeChat asks the account's administrator to confirm this IP address";
      default:
        return null;
    }
  }

  /**
   * Returns a {@code WeChatApiException} of the same code and message, made on the calling thread
   * and caused by this one; see {@link WeChatException#onCallersStack()}.
   *
   * @return a new exception, whose cause is this one
   */
  @Override
  public WeChatApiException onCallersStack() {
    WeChatApiException e = new WeChatApiException(errorCode, errorMessage, getMessage());
    e.initCause(this);
    return e;
  }
}
