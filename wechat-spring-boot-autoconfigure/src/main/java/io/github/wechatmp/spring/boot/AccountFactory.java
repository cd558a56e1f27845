package io.github.wechatmp.spring.boot;

import io.github.wechatmp.callback.CustomerServiceSender;
import io.github.wechatmp.callback.MessageDeduplicator;
import io.github.wechatmp.callback.MessageHandler;
import io.github.wechatmp.callback.Reply;
import io.github.wechatmp.callback.WeChatCallback;
import io.github.wechatmp.http.AccessTokenInterceptor;
import io.github.wechatmp.jssdk.JsapiTicketProvider;
import io.github.wechatmp.message.MessageCrypto;
import io.github.wechatmp.message.MessageCryptoException;
import io.github.wechatmp.signature.SignatureVerifier;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.RefreshPolicy;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStore;
import java.time.Duration;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the parts of an account from its settings, checking them first so that a bad setting fails
 * at start-up as a {@link WeChatConfigurationException} naming the property. Thread-safe: it holds
 * only shared, thread-safe collaborators.
 */
final class AccountFactory {
  private static final Logger log = LoggerFactory.getLogger(AccountFactory.class);

  /** Answers nothing: URL verification works before the application has a handler. */
  static final MessageHandler NO_HANDLER = message -> Reply.none();

  final TokenStore store;
  final MessageDeduplicator deduplicator;
  final MessageHandler handler;
  final OkHttpClient httpClient;
  final Duration replyDeadline;
  final AccountObserver observer;

  AccountFactory(
      TokenStore store,
      MessageDeduplicator deduplicator,
      MessageHandler handler,
      OkHttpClient httpClient,
      Duration replyDeadline,
      AccountObserver observer) {
    this.store = store;
    this.deduplicator = deduplicator;
    this.handler = handler;
    this.httpClient = httpClient;
    this.replyDeadline = replyDeadline;
    this.observer = observer;
  }

  /** The property prefix of an account, for messages. */
  static String prefix(String name, boolean single) {
    return single ? "wechat.mp." : "wechat.mp.accounts." + name + '.';
  }

  /**
   * Checks what can be checked without building anything. Blank values count as unset (an unset
   * environment variable in ${VAR:}).
   */
  static void check(String prefix, AccountProperties p) {
    if (blank(p.getAppId())) {
      throw new WeChatConfigurationException(
          prefix + "app-id is missing.",
          "Set " + prefix + "app-id to the AppID from the Official Account platform.");
    }
    try {
      TokenKey.of(p.getAppId().strip(), TokenKey.ACCESS_TOKEN);
    } catch (IllegalArgumentException e) {
      // The value is not repeated: a value that is no AppID may be a secret pasted in the wrong
      // place.
      throw new WeChatConfigurationException(
          prefix + "app-id is not an AppID: an AppID is 1 to 64 letters, digits, _ or -.",
          "Set "
              + prefix
              + "app-id to the AppID from the Official Account platform (wx and 16 letters and"
              + " digits).");
    }
    if (blank(p.getAppSecret())) {
      throw new WeChatConfigurationException(
          prefix + "app-secret is missing for the AppID " + p.getAppId().strip() + '.',
          "Set "
              + prefix
              + "app-secret to the account's AppSecret (from an environment variable or a secret"
              + " store, never in a committed file).");
    }
    if (!blank(p.getEncodingAesKey())) {
      if (blank(p.getToken())) {
        throw new WeChatConfigurationException(
            prefix + "encoding-aes-key is set but " + prefix + "token is missing.",
            "Set " + prefix + "token to the Token of the server configuration.");
      }
      try {
        new MessageCrypto(p.getToken(), p.getEncodingAesKey(), p.getAppId().strip());
      } catch (MessageCryptoException | IllegalArgumentException e) {
        // MessageCrypto's messages never repeat the key or the Token.
        throw new WeChatConfigurationException(
            prefix + "encoding-aes-key is malformed: " + e.getMessage(),
            "Copy the EncodingAESKey (43 letters and digits) from the account's server"
                + " configuration into "
                + prefix
                + "encoding-aes-key.",
            e);
      }
    }
  }

  /** Builds the account's token provider, or throws naming the setting that is wrong. */
  AccessTokenProvider tokens(String name, String prefix, AccountProperties p) {
    check(prefix, p);
    AccessTokenProvider.Builder b =
        AccessTokenProvider.builder()
            .appId(p.getAppId().strip())
            .appSecret(p.getAppSecret().strip())
            .store(store)
            .httpClient(httpClient)
            .stableToken(Boolean.TRUE.equals(p.getStableToken()))
            .eventListener(observer.tokenListener(name));
    try {
      if (p.getRefreshMargin() != null
          || p.getExpiryMargin() != null
          || p.getStoreOutageFetchInterval() != null) {
        RefreshPolicy.Builder policy = RefreshPolicy.builder();
        if (p.getRefreshMargin() != null) {
          policy.refreshMargin(p.getRefreshMargin());
        }
        if (p.getExpiryMargin() != null) {
          policy.expiryMargin(p.getExpiryMargin());
        }
        if (p.getStoreOutageFetchInterval() != null) {
          policy.storeOutageFetchInterval(p.getStoreOutageFetchInterval());
        }
        b.refreshPolicy(policy.build());
      }
      if (!blank(p.getApiBaseUrl())) {
        b.apiBaseUrl(p.getApiBaseUrl());
      }
      return b.build();
    } catch (IllegalArgumentException e) {
      // The builders' messages name the setting and never hold the secret.
      throw new WeChatConfigurationException(
          "A setting under " + prefix + " is not valid: " + e.getMessage(),
          "Correct it in the " + prefix + "* properties.",
          e);
    }
  }

  JsapiTicketProvider tickets(String name, AccessTokenProvider tokens) {
    return JsapiTicketProvider.builder()
        .accessTokenProvider(tokens)
        .store(store)
        .apiBaseUrl(tokens.apiBaseUrl().toString())
        .httpClient(httpClient)
        .eventListener(observer.tokenListener(name))
        .build();
  }

  static SignatureVerifier verifier(AccountProperties p) {
    return blank(p.getToken()) ? null : SignatureVerifier.of(p.getToken());
  }

  static MessageCrypto crypto(AccountProperties p) {
    return blank(p.getEncodingAesKey()) || blank(p.getToken())
        ? null
        : new MessageCrypto(p.getToken(), p.getEncodingAesKey(), p.getAppId().strip());
  }

  WeChatCallback callback(
      String name, AccountProperties p, AccessTokenProvider tokens, MessageHandler own) {
    if (blank(p.getToken())) {
      return null;
    }
    MessageHandler h = own != null ? own : handler;
    if (h == null) {
      log.warn(
          "The WeChat account {} has a Token but the application has no MessageHandler or"
              + " MessageRouter bean: its server URL is verified and every message is answered"
              + " with no reply",
          name);
      h = NO_HANDLER;
    }
    WeChatCallback.Builder b =
        WeChatCallback.builder()
            .token(p.getToken())
            .appId(p.getAppId().strip())
            .handler(observer.handler(name, h))
            .deduplicator(observer.deduplicator(name, deduplicator))
            .lateReplies(observer.lateReplies(name, new CustomerServiceSender(tokens, httpClient)));
    if (!blank(p.getEncodingAesKey())) {
      b.encodingAesKey(p.getEncodingAesKey());
    }
    try {
      b.replyDeadline(replyDeadline);
    } catch (IllegalArgumentException e) {
      throw new WeChatConfigurationException(
          "wechat.mp.callback.reply-deadline is not valid: " + e.getMessage(),
          "Set wechat.mp.callback.reply-deadline to less than 5s, such as 4s.",
          e);
    }
    return b.build();
  }

  OkHttpClient apiClient(AccessTokenProvider tokens) {
    return apiClient(httpClient, tokens);
  }

  static OkHttpClient apiClient(OkHttpClient base, AccessTokenProvider tokens) {
    AccessTokenInterceptor interceptor =
        AccessTokenInterceptor.builder(tokens).addHost(tokens.apiBaseUrl().host()).build();
    return base.newBuilder().addInterceptor(interceptor).build();
  }

  /** Builds a whole account that {@link WeChatAccounts} owns and closes. */
  WeChatAccount build(String name, String prefix, AccountProperties p, MessageHandler own) {
    AccessTokenProvider tokens = tokens(name, prefix, p);
    JsapiTicketProvider tickets = null;
    try {
      tickets = tickets(name, tokens);
      return new WeChatAccount(
          name,
          tokens,
          tickets,
          verifier(p),
          crypto(p),
          callback(name, p, tokens, own),
          apiClient(tokens),
          true,
          Boolean.TRUE.equals(p.getStableToken()));
    } catch (RuntimeException e) {
      if (tickets != null) {
        tickets.close();
      }
      tokens.close();
      throw e;
    }
  }

  static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
