package io.github.wechatmp.tokenserver;

import io.github.wechatmp.open.Authorization;
import io.github.wechatmp.open.AuthorizationEventEndpoint;
import io.github.wechatmp.open.AuthorizationStore;
import io.github.wechatmp.open.AuthorizationStoreException;
import io.github.wechatmp.open.FileAuthorizationStore;
import io.github.wechatmp.open.JdbcAuthorizationStore;
import io.github.wechatmp.open.NotAuthorizedException;
import io.github.wechatmp.open.OpenPlatform;
import io.github.wechatmp.open.PlatformEvent;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.AccessTokenProvider;
import io.github.wechatmp.token.RefreshPolicy;
import io.github.wechatmp.token.TokenStatus;
import io.github.wechatmp.token.TokenStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The third-party platform as the server holds it: {@link OpenPlatform} over the server's token
 * store and the configured authorization store, serving the access token of every account that
 * authorized the platform (and the platform's own component token), with the same passive refresh
 * as the configured accounts.
 *
 * <p>Before an authorizer's token is served, its record in the authorization store must say {@link
 * Authorization.State#AUTHORIZED}: an account the store does not know is looked for in WeChat's
 * authorizer list at most once every 10 minutes for the whole platform (else refused without asking
 * WeChat), and a cancellation recorded by any instance, this one or another, is seen within {@code
 * authorizationCheckSeconds}. A state once read is kept through an outage of the authorization
 * store, so that valid tokens are still served while the database is down.
 *
 * <p>Thread-safe. Memory is bounded by the authorizations the store holds (and one look-up a
 * minute): only accounts it knows get a state, a provider and a passive refresh here.
 */
final class HeldPlatform implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HeldPlatform.class);

  final String componentAppId;
  final boolean receiveEvents;
  private final OpenPlatform platform;
  private final AuthorizationStore authorizations;
  private final AuthorizationEventEndpoint events;
  private final Clock clock;
  private final long checkMillis;
  private final long minRejectionIntervalMillis;
  private final PassiveRefresh<AccessToken> componentRejection;
  private final Map<String, Known> known = new ConcurrentHashMap<>();
  private final Map<String, PassiveRefresh<AccessToken>> rejections = new ConcurrentHashMap<>();
  private final AtomicLong lastRecoveryMillis = new AtomicLong(Long.MIN_VALUE / 2);

  /**
   * The least time between two look-ups of unknown accounts in WeChat's authorizer list: a look-up
   * pages through the whole list (one call per 500 authorizers), and what it recovers is rare (a
   * save lost to a crash), so a platform of 100,000 authorizers spends at most 28,800 calls a day
   * on it whatever clients ask.
   */
  static final long RECOVERY_INTERVAL_MILLIS = 10 * 60_000;

  /** An authorizer's state as last read from the authorization store (or learned from an event). */
  private static final class Known {
    final Authorization.State state;
    final long checkedAtMillis;

    Known(Authorization.State state, long checkedAtMillis) {
      this.state = state;
      this.checkedAtMillis = checkedAtMillis;
    }
  }

  /** An authorizer whose token is not served, and why; the message names no token. */
  static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The account's state, or null if the platform has no authorization of it. */
    final Authorization.State state;

    Refused(String message, Authorization.State state) {
      super(message, null, false, false);
      this.state = state;
    }
  }

  HeldPlatform(
      ServerConfig.Platform config,
      TokenStore store,
      Clock clock,
      long minRejectionIntervalMillis) {
    this.componentAppId = config.componentAppId;
    this.receiveEvents = config.receiveEvents;
    this.clock = clock;
    this.checkMillis = config.authorizationCheckMillis;
    this.minRejectionIntervalMillis = minRejectionIntervalMillis;
    this.authorizations = authorizationStore(config.authorizations);
    // As for the accounts: were the providers' own re-fetch bound longer than the server's
    // interval, a report the server honours would be kept, and answered with the reported token.
    RefreshPolicy policy =
        RefreshPolicy.builder()
            .rejectionRefetchInterval(Duration.ofMillis(minRejectionIntervalMillis))
            .build();
    OpenPlatform.Builder b =
        OpenPlatform.builder()
            .componentAppId(config.componentAppId)
            .componentAppSecret(config.componentAppSecret)
            .token(config.token)
            .encodingAesKey(config.encodingAesKey)
            .store(store)
            .authorizations(authorizations)
            .clock(clock)
            .refreshPolicy(policy)
            .eventListener(this::heard);
    if (config.apiBaseUrl != null) {
      b.apiBaseUrl(config.apiBaseUrl);
    }
    this.platform = b.build();
    this.events = platform.callback();
    AccessTokenProvider component = platform.componentAccessToken();
    this.componentRejection =
        PassiveRefresh.of(
            component::get,
            component::invalidate,
            AccessToken::value,
            AccessToken::expiresAt,
            clock,
            minRejectionIntervalMillis);
  }

  private static AuthorizationStore authorizationStore(ServerConfig.Authorizations a) {
    if (a.type == ServerConfig.Authorizations.Type.FILE) {
      try {
        return new FileAuthorizationStore(a.directory);
      } catch (AuthorizationStoreException e) {
        throw new ConfigException("platform.authorizations.path: " + e.getMessage());
      }
    }
    DriverDataSource ds =
        new DriverDataSource(a.jdbcUrl, a.user, a.password, "platform.authorizations.url");
    return new JdbcAuthorizationStore(ds, a.table);
  }

  /** The platform's authorization-event endpoint. */
  AuthorizationEventEndpoint events() {
    return events;
  }

  /** Learns of a cancellation or authorization this instance handled at once. */
  private void heard(PlatformEvent event) {
    if (event instanceof PlatformEvent.Unauthorized u) {
      known.put(u.authorizerAppId(), new Known(Authorization.State.REVOKED, clock.millis()));
      rejections.remove(u.authorizerAppId());
    } else if (event instanceof PlatformEvent.Authorized a) {
      known.put(a.authorizerAppId(), new Known(Authorization.State.AUTHORIZED, clock.millis()));
    }
  }

  /** The platform's own {@code component_access_token}. */
  AccessToken componentToken() {
    return platform.componentAccessToken().get();
  }

  /** The passive refresh of the component token. */
  AccessToken rejectComponentToken(String rejected) {
    return componentRejection.reject(rejected);
  }

  TokenStatus componentStatus() {
    return platform.componentAccessToken().status();
  }

  /**
   * The access token of an authorizer the store says is authorized.
   *
   * @throws Refused for an account the platform holds no authorization of, or one not in force
   * @throws AuthorizationStoreException if the store cannot be read and the account's state was
   *     never read before
   */
  AccessToken token(String authorizerAppId) {
    Authorization.State state = state(authorizerAppId);
    if (state == null ? !mayRecover() : state != Authorization.State.AUTHORIZED) {
      throw refused(authorizerAppId, state);
    }
    try {
      AccessToken token = platform.authorizer(authorizerAppId).get();
      if (state == null) {
        // Recovered from WeChat's authorizer list: the platform saved it as authorized.
        known.put(authorizerAppId, new Known(Authorization.State.AUTHORIZED, clock.millis()));
      }
      return token;
    } catch (NotAuthorizedException e) {
      throw learned(authorizerAppId, e);
    }
  }

  /**
   * Whether an account the store does not know may be looked for in WeChat's authorizer list now:
   * an authorization whose save a crash lost (between WeChat's answer to {@code api_query_auth} and
   * the save) is there. At most one look-up per {@link #RECOVERY_INTERVAL_MILLIS} for the whole
   * platform, so that requests for AppIDs of a client's choosing cost WeChat's quota, and this
   * server's memory (the platform keeps a provider for each account looked up), next to nothing.
   */
  private boolean mayRecover() {
    long now = clock.millis();
    long last = lastRecoveryMillis.get();
    return now - last >= RECOVERY_INTERVAL_MILLIS && lastRecoveryMillis.compareAndSet(last, now);
  }

  /** The passive refresh of an authorizer's token; as {@link #token} otherwise. */
  AccessToken rejectToken(String authorizerAppId, String rejected) {
    checkAuthorized(authorizerAppId);
    PassiveRefresh<AccessToken> r =
        rejections.computeIfAbsent(
            authorizerAppId,
            id ->
                PassiveRefresh.of(
                    // Looked up at each use: the platform closes and replaces an authorizer's
                    // provider when the account cancels and authorizes again.
                    () -> platform.authorizer(id).get(),
                    v -> platform.authorizer(id).invalidate(v),
                    AccessToken::value,
                    AccessToken::expiresAt,
                    clock,
                    minRejectionIntervalMillis));
    try {
      return r.reject(rejected);
    } catch (NotAuthorizedException e) {
      throw learned(authorizerAppId, e);
    }
  }

  /** Records what a refused fetch said of the account (a 61023 not recovered, say). */
  private Refused learned(String appId, NotAuthorizedException e) {
    if (e.state() == null) {
      known.remove(appId);
    } else {
      known.put(appId, new Known(e.state(), clock.millis()));
    }
    return refused(appId, e.state());
  }

  private void checkAuthorized(String appId) {
    Authorization.State state = state(appId);
    if (state != Authorization.State.AUTHORIZED) {
      throw refused(appId, state);
    }
  }

  private Refused refused(String appId, Authorization.State state) {
    if (state == null) {
      return new Refused(
          "the platform " + componentAppId + " holds no authorization of " + appId, null);
    }
    if (state == Authorization.State.REVOKED) {
      return new Refused(appId + " cancelled its authorization of the platform", state);
    }
    return new Refused(
        "WeChat refused the refresh token of "
            + appId
            + ": the merchant must authorize the platform again",
        state);
  }

  /** The account's state: as last read if recent, else as the store says now. */
  private Authorization.State state(String appId) {
    long now = clock.millis();
    Known k = known.get(appId);
    if (k != null && now - k.checkedAtMillis < checkMillis) {
      return k.state;
    }
    Optional<Authorization> a;
    try {
      a = authorizations.find(appId);
    } catch (AuthorizationStoreException e) {
      if (k != null) {
        // Serve what the account was last known to be: its valid token stays usable while the
        // database is down; a fetch that falls due meanwhile fails in the provider, which keeps
        // the valid token.
        log.debug("Authorization store unreadable; {} taken as {}", appId, k.state);
        return k.state;
      }
      throw e;
    }
    if (a.isEmpty()) {
      known.remove(appId);
      return null;
    }
    known.put(appId, new Known(a.get().state(), now));
    return a.get().state();
  }

  /** How many authorizations the store holds in each state. */
  Map<Authorization.State, Long> counts() {
    return authorizations.countByState();
  }

  /**
   * Fetches what no reader asked for yet: the component token, and a new token for each authorizer
   * read before whose token was invalidated or came due.
   */
  void keepFresh() {
    try {
      if (platform.componentAccessToken().status().state() != TokenStatus.State.FRESH) {
        platform.componentAccessToken().get();
      }
    } catch (RuntimeException e) {
      log.debug(
          "Keeping the component token of {} fresh failed: {}", componentAppId, e.getMessage());
    }
    for (Map.Entry<String, Known> e : known.entrySet()) {
      if (e.getValue().state != Authorization.State.AUTHORIZED) {
        continue;
      }
      try {
        AccessTokenProvider p = platform.authorizer(e.getKey());
        if (p.status().state() != TokenStatus.State.FRESH) {
          p.get();
        }
      } catch (NotAuthorizedException x) {
        learned(e.getKey(), x);
      } catch (RuntimeException x) {
        log.debug("Keeping {} fresh failed: {}", e.getKey(), x.getMessage());
      }
    }
  }

  @Override
  public void close() {
    platform.close();
  }

  @Override
  public String toString() {
    return "HeldPlatform[" + componentAppId + "]";
  }
}
