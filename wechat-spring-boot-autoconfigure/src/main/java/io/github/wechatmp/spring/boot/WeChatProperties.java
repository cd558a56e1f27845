package io.github.wechatmp.spring.boot;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Everything under {@code wechat.mp}: one account's keys directly ({@code wechat.mp.app-id}, ...),
 * which make the account {@value WeChatAccounts#DEFAULT_NAME}; many accounts under {@code
 * wechat.mp.accounts.<name>.*}; the store and the callback. The top-level {@code stable-token},
 * {@code refresh-margin}, {@code expiry-margin}, {@code store-outage-fetch-interval} and {@code
 * api-base-url} are also the defaults of every named account that lacks them. A mutable bean, as
 * Spring's binding needs; read once at start-up.
 */
@ConfigurationProperties(prefix = "wechat.mp")
public class WeChatProperties extends AccountProperties {

  /** Many accounts, by the name that the callback path and WeChatAccounts use. */
  private Map<String, AccountProperties> accounts = new LinkedHashMap<>();

  /** Where tokens and the callback's deduplication are shared. */
  private final Store store = new Store();

  /** The server URL that WeChat pushes messages to. */
  private final Callback callback = new Callback();

  /**
   * Whether each account asks for its first access token in the background as the application
   * starts (not delaying the start), so that a wrong AppSecret or an unreachable WeChat shows in
   * health and the log within seconds instead of at the first API call.
   */
  private boolean fetchAtStartup = true;

  /** Creates the defaults. */
  public WeChatProperties() {}

  /**
   * Returns whether accounts fetch their first token in the background at start-up.
   *
   * @return true by default
   */
  public boolean isFetchAtStartup() {
    return fetchAtStartup;
  }

  /**
   * Sets whether accounts fetch their first token in the background at start-up.
   *
   * @param fetchAtStartup false to fetch only when a token is first needed
   */
  public void setFetchAtStartup(boolean fetchAtStartup) {
    this.fetchAtStartup = fetchAtStartup;
  }

  /**
   * Returns the accounts by name.
   *
   * @return the mutable map
   */
  public Map<String, AccountProperties> getAccounts() {
    return accounts;
  }

  /**
   * Sets the accounts by name.
   *
   * @param accounts the accounts
   */
  public void setAccounts(Map<String, AccountProperties> accounts) {
    this.accounts = accounts;
  }

  /**
   * Returns the store settings.
   *
   * @return the store settings
   */
  public Store getStore() {
    return store;
  }

  /**
   * Returns the callback settings.
   *
   * @return the callback settings
   */
  public Callback getCallback() {
    return callback;
  }

  /** {@code wechat.mp.store.*}. */
  public static class Store {
    /**
     * memory, file or redis. Default: redis when the application has a Spring Data Redis
     * RedisConnectionFactory, else memory.
     */
    private String type;

    /** wechat.mp.store.file.*. */
    private final File file = new File();

    /** wechat.mp.store.redis.*. */
    private final Redis redis = new Redis();

    /** Creates the defaults. */
    public Store() {}

    /**
     * Returns the store type.
     *
     * @return memory, file, redis, or null for the default
     */
    public String getType() {
      return type;
    }

    /**
     * Sets the store type.
     *
     * @param type memory, file or redis
     */
    public void setType(String type) {
      this.type = type;
    }

    /**
     * Returns the file store settings.
     *
     * @return the file store settings
     */
    public File getFile() {
      return file;
    }

    /**
     * Returns the Redis store settings.
     *
     * @return the Redis store settings
     */
    public Redis getRedis() {
      return redis;
    }
  }

  /** {@code wechat.mp.store.file.*}. */
  public static class File {
    /** The token file, shared by the processes of one host; required with type file. */
    private String path;

    /** Creates the defaults. */
    public File() {}

    /**
     * Returns the token file's path.
     *
     * @return the path, or null if unset
     */
    public String getPath() {
      return path;
    }

    /**
     * Sets the token file's path.
     *
     * @param path the path
     */
    public void setPath(String path) {
      this.path = path;
    }
  }

  /** {@code wechat.mp.store.redis.*}. */
  public static class Redis {
    /**
     * The prefix of every Redis key and channel, as RedisTokenStore's keyPrefix: nodes that share
     * tokens must have the same.
     */
    private String keyPrefix = "wechat:";

    /** Creates the defaults. */
    public Redis() {}

    /**
     * Returns the key prefix.
     *
     * @return the prefix
     */
    public String getKeyPrefix() {
      return keyPrefix;
    }

    /**
     * Sets the key prefix.
     *
     * @param keyPrefix the prefix
     */
    public void setKeyPrefix(String keyPrefix) {
      this.keyPrefix = keyPrefix;
    }
  }

  /** {@code wechat.mp.callback.*}. */
  public static class Callback {
    /**
     * The path of the server URL: this path for the single account, and path/{account} for each
     * account by name.
     */
    private String path = "/wechat";

    /** How long the handler may take before WeChat is answered success (default 4 s). */
    private Duration replyDeadline = Duration.ofSeconds(4);

    /** Creates the defaults. */
    public Callback() {}

    /**
     * Returns the path.
     *
     * @return the path, starting with {@code /}
     */
    public String getPath() {
      return path;
    }

    /**
     * Sets the path.
     *
     * @param path the path, starting with {@code /}
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
     * @param replyDeadline between 100 ms and 4.9 s
     */
    public void setReplyDeadline(Duration replyDeadline) {
      this.replyDeadline = replyDeadline;
    }
  }
}
