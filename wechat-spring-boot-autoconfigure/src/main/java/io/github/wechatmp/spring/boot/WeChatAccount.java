package io.github.wechatmp.spring.boot;

import io.github.wechatmp.callback.WeChatCallback;
import io.github.wechatmp.jssdk.JsapiTicketProvider;
import io.github.wechatmp.message.MessageCrypto;
import io.github.wechatmp.signature.SignatureVerifier;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.TokenKey;
import java.util.Objects;
import java.util.Optional;
import okhttp3.OkHttpClient;

/**
 * One Official Account as {@link WeChatAccounts} holds it: its own token provider, JS-SDK ticket
 * provider, signature verifier, message crypto, callback and API client. Nothing is shared with
 * another account but the store, the deduplicator and the HTTP connection pool, and nothing is
 * found through a thread-local: hand the account (or its parts) to async code as it is.
 *
 * <p>Immutable and thread-safe. {@link #close()} closes the two providers (idempotent); {@link
 * WeChatAccounts} does that when the account is removed or the application context closes.
 */
public final class WeChatAccount implements AutoCloseable {
  private final String name;
  private final AccessTokenProvider tokens;
  private final JsapiTicketProvider tickets;
  private final SignatureVerifier verifier;
  private final MessageCrypto crypto;
  private final WeChatCallback callback;
  private final OkHttpClient apiClient;
  private final boolean owned;
  private final String tokenKind;

  WeChatAccount(
      String name,
      AccessTokenProvider tokens,
      JsapiTicketProvider tickets,
      SignatureVerifier verifier,
      MessageCrypto crypto,
      WeChatCallback callback,
      OkHttpClient apiClient,
      boolean owned,
      boolean stableToken) {
    this.name = Objects.requireNonNull(name, "name");
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.tickets = Objects.requireNonNull(tickets, "tickets");
    this.verifier = verifier;
    this.crypto = crypto;
    this.callback = callback;
    this.apiClient = Objects.requireNonNull(apiClient, "apiClient");
    this.owned = owned;
    this.tokenKind = stableToken ? TokenKey.STABLE_ACCESS_TOKEN : TokenKey.ACCESS_TOKEN;
  }

  /**
   * Returns the account's name: the key under {@code wechat.mp.accounts}, {@value
   * WeChatAccounts#DEFAULT_NAME} for the single account, or the name given to {@link
   * WeChatAccounts#add}.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * Returns the AppID.
   *
   * @return the AppID
   */
  public String appId() {
    return tokens.appId();
  }

  /**
   * Returns the account's access token provider.
   *
   * @return the provider
   */
  public AccessTokenProvider tokens() {
    return tokens;
  }

  /**
   * Returns the account's JS-SDK ticket provider.
   *
   * @return the provider
   */
  public JsapiTicketProvider tickets() {
    return tickets;
  }

  /**
   * Returns the verifier of the server URL's signatures.
   *
   * @return the verifier, or empty if the account has no Token
   */
  public Optional<SignatureVerifier> verifier() {
    return Optional.ofNullable(verifier);
  }

  /**
   * Returns the message crypto.
   *
   * @return the crypto, or empty if the account has no EncodingAESKey (plaintext mode)
   */
  public Optional<MessageCrypto> crypto() {
    return Optional.ofNullable(crypto);
  }

  /**
   * Returns the callback that answers the account's server URL.
   *
   * @return the callback, or empty if the account has no Token
   */
  public Optional<WeChatCallback> callback() {
    return Optional.ofNullable(callback);
  }

  /**
   * Returns an OkHttp client for WeChat's API that adds this account's token to every call (an
   * {@link io.github.wechatmp.http.AccessTokenInterceptor}) and retries once when WeChat rejects
   * it.
   *
   * @return the client
   */
  public OkHttpClient apiClient() {
    return apiClient;
  }

  /** The kind of the access token: classic or stable, as configured. */
  String tokenKind() {
    return tokenKind;
  }

  /** Whether {@link WeChatAccounts} built the providers (else they are the application's beans). */
  boolean owned() {
    return owned;
  }

  /** Closes both providers. Idempotent; never throws. */
  @Override
  public void close() {
    tickets.close();
    tokens.close();
  }

  /** Returns the name and AppID; never a secret. */
  @Override
  public String toString() {
    return "WeChatAccount{name=" + name + ", appId=" + appId() + '}';
  }
}
