package io.github.wechatmp.spring.boot;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Everything under {@code wechat.open}: the third-party platform's credentials, its
 * authorization-event URL, its authorizers' message URL and where authorizations are kept. A
 * mutable bean, as Spring's binding needs; read once at start-up. {@link #toString()} shows no
 * secret.
 */
@ConfigurationProperties(prefix = "wechat.open")
public class WeChatOpenProperties {

  /** The platform's AppID (component_appid); setting it turns the platform on. */
  private String componentAppId;

  /** The platform's AppSecret (component_appsecret). */
  private String componentAppSecret;

  /** The message verification token of the platform's authorization-event URL. */
  private String token;

  /** The platform's 43-character message EncodingAESKey. */
  private String encodingAesKey;

  /** Where WeChat's API is: its default, or a proxy or the stand-in's in tests. */
  private String apiBaseUrl = "https://api.weixin.qq.com/";

  /** The authorization-event URL (授权事件接收URL) that WeChat pushes tickets and events to. */
  private final Callback callback = new Callback();

  /** The authorized accounts' message URL (消息与事件接收URL), routed by the AppID in its path. */
  private final Messages messages = new Messages();

  /** Where the authorizations (with their refresh tokens) are kept. */
  private final Store store = new Store();

  /** Creates the defaults. */
  public WeChatOpenProperties() {}

  /**
   * Returns the platform's AppID.
   *
   * @return the AppID, or null
   */
  public String getComponentAppId() {
    return componentAppId;
  }

  /**
   * Sets the platform's AppID.
   *
   * @param componentAppId the AppID
   */
  public void setComponentAppId(String componentAppId) {
    this.componentAppId = componentAppId;
  }

  /**
   * Returns the platform's AppSecret.
   *
   * @return the secret, or null
   */
  public String getComponentAppSecret() {
    return componentAppSecret;
  }

  /**
   * Sets the platform's AppSecret.
   *
   * @param componentAppSecret the secret
   */
  public void setComponentAppSecret(String componentAppSecret) {
    this.componentAppSecret = componentAppSecret;
  }

  /**
   * Returns the message verification token.
   *
   * @return the token, or null
   */
  public String getToken() {
    return token;
  }

  /**
   * Sets the message verification token.
   *
   * @param token the token
   */
  public void setToken(String token) {
    this.token = token;
  }

  /**
   * Returns the EncodingAESKey.
   *
   * @return the key, or null
   */
  public String getEncodingAesKey() {
    return encodingAesKey;
  }

  /**
   * Sets the EncodingAESKey.
   *
   * @param encodingAesKey the 43-character key
   */
  public void setEncodingAesKey(String encodingAesKey) {
    this.encodingAesKey = encodingAesKey;
  }

  /**
   * Returns the API base URL.
   *
   * @return the URL
   */
  public String getApiBaseUrl() {
    return apiBaseUrl;
  }

  /**
   * Sets the API base URL.
   *
   * @param apiBaseUrl the URL, such as {@code https://api.weixin.qq.com/}
   */
  public void setApiBaseUrl(String apiBaseUrl) {
    this.apiBaseUrl = apiBaseUrl;
  }

  /**
   * Returns the authorization-event URL's settings.
   *
   * @return the settings
   */
  public Callback getCallback() {
    return callback;
  }

  /**
   * Returns the authorizers' message URL's settings.
   *
   * @return the settings
   */
  public Messages getMessages() {
    return messages;
  }

  /**
   * Returns the authorization store's settings.
   *
   * @return the settings
   */
  public Store getStore() {
    return store;
  }

  @Override
  public String toString() {
    return "WeChatOpenProperties[componentAppId=" + componentAppId + "]";
  }

  /** The authorization-event URL. */
  public static class Callback {
    /** The path of the authorization-event endpoint (Spring MVC or WebFlux). */
    private String path = "/wechat/open/events";

    /** Creates the defaults. */
    public Callback() {}

    /**
     * Returns the path.
     *
     * @return the path
     */
    public String getPath() {
      return path;
    }

    /**
     * Sets the path.
     *
     * @param path the path, such as {@code /wechat/open/events}
     */
    public void setPath(String path) {
      this.path = path;
    }
  }

  /**
   * The authorized accounts' message URL: {@code <path>/<AppID>}, where WeChat puts each account's
   * AppID ({@code https://vendor.example/wechat/open/messages/$APPID$} on open.weixin.qq.com).
   */
  public static class Messages {
    /**
     * Whether the endpoint is served when the application has an AuthorizerMessageHandler or
     * MessageHandler bean.
     */
    private boolean enabled = true;

    /** The path before the AppID segment. */
    private String path = "/wechat/open/messages";

    /**
     * How long the handler may take before WeChat is answered success and the reply goes out as a
     * customer service message (default 4 s, under WeChat's 5 s).
     */
    private Duration replyDeadline = Duration.ofSeconds(4);

    /** Creates the defaults. */
    public Messages() {}

    /**
     * Returns whether the endpoint is served.
     *
     * @return true unless turned off
     */
    public boolean isEnabled() {
      return enabled;
    }

    /**
     * Sets whether the endpoint is served.
     *
     * @param enabled false to serve no authorizer's messages
     */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /**
     * Returns the path before the AppID.
     *
     * @return the path
     */
    public String getPath() {
      return path;
    }

    /**
     * Sets the path before the AppID.
     *
     * @param path the path, such as {@code /wechat/open/messages}
     */
    public void setPath(String path) {
      this.path = path;
    }

    /**
     * Returns the reply deadline.
     *
     * @return the deadline
     */
    public Duration getReplyDeadline() {
      return replyDeadline;
    }

    /**
     * Sets the reply deadline.
     *
     * @param replyDeadline more than zero and less than 5 s
     */
    public void setReplyDeadline(Duration replyDeadline) {
      this.replyDeadline = replyDeadline;
    }
  }

  /** The authorization store. */
  public static class Store {
    /**
     * jdbc, file or memory; unset: jdbc when the application has a DataSource bean, else memory.
     */
    private String type;

    /** The file store's settings. */
    private final File file = new File();

    /** The JDBC store's settings. */
    private final Jdbc jdbc = new Jdbc();

    /** Creates the defaults. */
    public Store() {}

    /**
     * Returns the type.
     *
     * @return jdbc, file, memory, or null for the default
     */
    public String getType() {
      return type;
    }

    /**
     * Sets the type.
     *
     * @param type jdbc, file or memory
     */
    public void setType(String type) {
      this.type = type;
    }

    /**
     * Returns the file store's settings.
     *
     * @return the settings
     */
    public File getFile() {
      return file;
    }

    /**
     * Returns the JDBC store's settings.
     *
     * @return the settings
     */
    public Jdbc getJdbc() {
      return jdbc;
    }
  }

  /** The file store. */
  public static class File {
    /** The directory (created 0700 when absent) holding one file per authorized account. */
    private String path;

    /** Creates the defaults. */
    public File() {}

    /**
     * Returns the directory.
     *
     * @return the directory, or null
     */
    public String getPath() {
      return path;
    }

    /**
     * Sets the directory.
     *
     * @param path the directory
     */
    public void setPath(String path) {
      this.path = path;
    }
  }

  /** The JDBC store. */
  public static class Jdbc {
    /** The table's name; created on first use when absent. */
    private String table = "wechat_open_authorization";

    /** Creates the defaults. */
    public Jdbc() {}

    /**
     * Returns the table's name.
     *
     * @return the name
     */
    public String getTable() {
      return table;
    }

    /**
     * Sets the table's name.
     *
     * @param table a plain SQL identifier
     */
    public void setTable(String table) {
      this.table = table;
    }
  }
}
