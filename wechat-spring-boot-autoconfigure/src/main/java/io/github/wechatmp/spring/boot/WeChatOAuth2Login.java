package io.github.wechatmp.spring.boot;

import io.github.wechatmp.WeChatException;
import io.github.wechatmp.oauth.InvalidStateException;
import io.github.wechatmp.oauth.Scope;
import io.github.wechatmp.oauth.StateCodec;
import io.github.wechatmp.oauth.WeChatUser;
import io.github.wechatmp.oauth.WebAccessToken;
import io.github.wechatmp.oauth.WebAuthorization;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.client.endpoint.OAuth2AccessTokenResponseClient;
import org.springframework.security.oauth2.client.endpoint.OAuth2AuthorizationCodeGrantRequest;
import org.springframework.security.oauth2.client.endpoint.RestClientAuthorizationCodeTokenResponseClient;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.client.userinfo.DefaultOAuth2UserService;
import org.springframework.security.oauth2.client.userinfo.OAuth2UserRequest;
import org.springframework.security.oauth2.client.userinfo.OAuth2UserService;
import org.springframework.security.oauth2.client.web.AuthorizationRequestRepository;
import org.springframework.security.oauth2.client.web.DefaultOAuth2AuthorizationRequestResolver;
import org.springframework.security.oauth2.client.web.HttpSessionOAuth2AuthorizationRequestRepository;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizationRequestRedirectFilter;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizationRequestResolver;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthorizationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.endpoint.OAuth2AccessTokenResponse;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationRequest;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.security.oauth2.core.user.DefaultOAuth2User;
import org.springframework.security.oauth2.core.user.OAuth2User;
import org.springframework.security.web.util.UrlUtils;
import org.springframework.web.util.UriBuilder;

/**
 * What Spring Security's {@code oauth2Login()} needs to speak WeChat's dialect of OAuth 2, built on
 * {@link WebAuthorization} and {@link StateCodec}. {@link WeChatOAuth2LoginConfiguration}
 * contributes them all as beans; an application that assembles its own security configuration can
 * use these factories.
 *
 * <ul>
 *   <li>{@link #clientRegistration}: registration {@value #REGISTRATION_ID}, WeChat's endpoints,
 *       the OpenID as the user's name.
 *   <li>{@link #authorizationRequestResolver}: the authorize URL as WeChat wants it ({@code appid},
 *       WeChat's parameter order, {@code #wechat_redirect}) with a signed {@link StateCodec} state.
 *   <li>{@link #authorizationRequestRepository}: WeChat's authorization requests rebuilt from their
 *       signed state rather than kept in the session; the state is accepted once, but again with
 *       the same code (WeChat's double redirect).
 *   <li>{@link #tokenResponseClient}: the code exchanged through {@link WebAuthorization#exchange},
 *       idempotent per code (no errcode 40163 for the double redirect), the OpenID read from the
 *       answer, snapshot-page users refused with error {@value #SNAPSHOT_USER_ERROR}.
 *   <li>{@link #userService}: an {@code OAuth2User} named by OpenID, with the profile ({@code
 *       nickname}, {@code headimgurl}, {@code unionid}) for {@code snsapi_userinfo} and the OpenID
 *       alone for {@code snsapi_base}.
 * </ul>
 *
 * Every other registration is passed to Spring Security's own implementations.
 */
public final class WeChatOAuth2Login {
  /** The id of WeChat's client registration. */
  public static final String REGISTRATION_ID = "wechat";

  /**
   * The OAuth 2 error code of a sign-in refused because the user is on a Moments snapshot page
   * ({@code is_snapshotuser}), whose OpenID is a virtual one.
   */
  public static final String SNAPSHOT_USER_ERROR = "wechat_snapshot_user";

  /** The OAuth 2 error code of a sign-in whose {@code state} was refused. */
  public static final String INVALID_STATE_ERROR = "invalid_state";

  /** The OAuth 2 error code of a sign-in WeChat refused or that could not reach WeChat. */
  public static final String WECHAT_ERROR = "wechat_error";

  /** The token answer's parameter that carries the {@link WebAccessToken} to the user service. */
  static final String TOKEN_PARAMETER = "wechat_web_access_token";

  private WeChatOAuth2Login() {}

  /**
   * Returns WeChat's client registration, {@value #REGISTRATION_ID}.
   *
   * @param auth the account's web authorization, for its AppID
   * @param scope what users are asked for
   * @param redirectUri the redirect URI template, such as {@code
   *     {baseUrl}/login/oauth2/code/{registrationId}}
   * @param authorizeBaseUrl the authorize page's base URL, ending in {@code /}
   * @param apiBaseUrl WeChat's API base URL, ending in {@code /}
   * @return the registration; it holds no AppSecret (the token client has it)
   */
  public static ClientRegistration clientRegistration(
      WebAuthorization auth,
      Scope scope,
      String redirectUri,
      String authorizeBaseUrl,
      String apiBaseUrl) {
    return ClientRegistration.withRegistrationId(REGISTRATION_ID)
        .clientName("WeChat")
        .clientId(auth.appId())
        // The exchange is WebAuthorization's, which holds the AppSecret: none here, where
        // Spring's own token client or a toString() could send or show it.
        .clientSecret("held-by-WebAuthorization")
        .clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_POST)
        .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
        .redirectUri(redirectUri)
        .scope(scope.value())
        .authorizationUri(authorizeBaseUrl + "connect/oauth2/authorize")
        .tokenUri(apiBaseUrl + "sns/oauth2/access_token")
        .userInfoUri(apiBaseUrl + "sns/userinfo")
        .userNameAttributeName("openid")
        .build();
  }

  /**
   * Returns the authorization request resolver: Spring Security's, with WeChat's requests made as
   * WeChat wants them.
   *
   * @param registrations the registrations
   * @param auth the account's web authorization
   * @param states the state codec
   * @return the resolver
   */
  public static OAuth2AuthorizationRequestResolver authorizationRequestResolver(
      ClientRegistrationRepository registrations, WebAuthorization auth, StateCodec states) {
    DefaultOAuth2AuthorizationRequestResolver resolver =
        new DefaultOAuth2AuthorizationRequestResolver(
            registrations,
            OAuth2AuthorizationRequestRedirectFilter.DEFAULT_AUTHORIZATION_REQUEST_BASE_URI);
    resolver.setAuthorizationRequestCustomizer(weChatDialect(auth, states));
    return resolver;
  }

  private static Consumer<OAuth2AuthorizationRequest.Builder> weChatDialect(
      WebAuthorization auth, StateCodec states) {
    return builder -> {
      Object[] registration = new Object[1];
      Consumer<Map<String, Object>> readAttributes =
          a -> registration[0] = a.get(OAuth2ParameterNames.REGISTRATION_ID);
      Builders.ATTRIBUTES.call(builder, readAttributes);
      if (!REGISTRATION_ID.equals(registration[0])) {
        return;
      }
      String state = states.issue("/");
      Builders.STATE.call(builder, state);
      Map<String, Object> parameters = new HashMap<>();
      Consumer<Map<String, Object>> readParameters = parameters::putAll; // at build(), first
      Builders.PARAMETERS.call(builder, readParameters);
      Function<UriBuilder, URI> uri =
          ignored -> {
            Object scope = parameters.get(OAuth2ParameterNames.SCOPE);
            return URI.create(
                auth.authorizeUrl(
                    String.valueOf(parameters.get(OAuth2ParameterNames.REDIRECT_URI)),
                    Scope.fromWeChat(scope == null ? null : scope.toString().replace(' ', ',')),
                    state));
          };
      Builders.REQUEST_URI.call(builder, uri);
    };
  }

  /**
   * Returns the authorization request repository that rebuilds WeChat's requests from their signed
   * state and keeps every other registration's in the HTTP session.
   *
   * @param registrations the registrations
   * @param states the state codec
   * @return the repository
   */
  public static AuthorizationRequestRepository<OAuth2AuthorizationRequest>
      authorizationRequestRepository(
          ClientRegistrationRepository registrations, StateCodec states) {
    return new StatelessRequests(registrations, states);
  }

  /**
   * Returns the token client: WeChat's codes exchanged through {@code auth}, every other
   * registration's through Spring Security's {@code
   * RestClientAuthorizationCodeTokenResponseClient}.
   *
   * @param auth the account's web authorization
   * @return the client
   */
  public static OAuth2AccessTokenResponseClient<OAuth2AuthorizationCodeGrantRequest>
      tokenResponseClient(WebAuthorization auth) {
    return new TokenClient(auth);
  }

  /**
   * Returns the user service: WeChat's users read through {@code auth}, every other registration's
   * through Spring Security's {@code DefaultOAuth2UserService}.
   *
   * @param auth the account's web authorization
   * @return the service
   */
  public static OAuth2UserService<OAuth2UserRequest, OAuth2User> userService(
      WebAuthorization auth) {
    return new UserService(auth);
  }

  private static boolean isWeChat(ClientRegistration registration) {
    return registration != null && REGISTRATION_ID.equals(registration.getRegistrationId());
  }

  // ---------------------------------------------------------------------------------------------

  private static final class StatelessRequests
      implements AuthorizationRequestRepository<OAuth2AuthorizationRequest> {
    private final ClientRegistrationRepository registrations;
    private final StateCodec states;
    private final HttpSessionOAuth2AuthorizationRequestRepository session =
        new HttpSessionOAuth2AuthorizationRequestRepository();

    StatelessRequests(ClientRegistrationRepository registrations, StateCodec states) {
      this.registrations = Objects.requireNonNull(registrations, "registrations");
      this.states = Objects.requireNonNull(states, "states");
    }

    @Override
    public OAuth2AuthorizationRequest loadAuthorizationRequest(HttpServletRequest request) {
      OAuth2AuthorizationRequest ours = rebuild(request, false);
      return ours != null ? ours : session.loadAuthorizationRequest(request);
    }

    @Override
    public void saveAuthorizationRequest(
        OAuth2AuthorizationRequest authorizationRequest,
        HttpServletRequest request,
        HttpServletResponse response) {
      if (authorizationRequest != null
          && REGISTRATION_ID.equals(
              authorizationRequest.getAttribute(OAuth2ParameterNames.REGISTRATION_ID))) {
        return; // its signed state carries all that is needed to rebuild it
      }
      session.saveAuthorizationRequest(authorizationRequest, request, response);
    }

    @Override
    public OAuth2AuthorizationRequest removeAuthorizationRequest(
        HttpServletRequest request, HttpServletResponse response) {
      OAuth2AuthorizationRequest ours = rebuild(request, true);
      return ours != null ? ours : session.removeAuthorizationRequest(request, response);
    }

    private OAuth2AuthorizationRequest rebuild(HttpServletRequest request, boolean consume) {
      String state = request.getParameter(OAuth2ParameterNames.STATE);
      String code = request.getParameter(OAuth2ParameterNames.CODE);
      if (state == null || code == null) {
        return null;
      }
      try {
        if (consume) {
          states.consume(state, code);
        } else {
          states.verify(state);
        }
      } catch (InvalidStateException e) {
        if (e.reason() == InvalidStateException.Reason.MALFORMED
            || e.reason() == InvalidStateException.Reason.FORGED) {
          return null; // not ours: another registration's, or a forgery the session will not know
        }
        throw new OAuth2AuthenticationException(
            new OAuth2Error(INVALID_STATE_ERROR, e.getMessage(), null), e.getMessage(), e);
      } catch (IllegalArgumentException e) {
        throw new OAuth2AuthenticationException(
            new OAuth2Error(OAuth2ErrorCodes.INVALID_REQUEST, e.getMessage(), null),
            e.getMessage(),
            e);
      }
      ClientRegistration registration = registrations.findByRegistrationId(REGISTRATION_ID);
      if (registration == null) {
        return null;
      }
      String redirectUri =
          UrlUtils.buildFullRequestUrl(
              request.getScheme(),
              request.getServerName(),
              request.getServerPort(),
              request.getRequestURI(),
              null);
      OAuth2AuthorizationRequest.Builder b = OAuth2AuthorizationRequest.authorizationCode();
      Builders.AUTHORIZATION_URI.call(b, registration.getProviderDetails().getAuthorizationUri());
      Builders.CLIENT_ID.call(b, registration.getClientId());
      Builders.REDIRECT_URI.call(b, redirectUri);
      Builders.SCOPES.call(b, registration.getScopes());
      Builders.STATE.call(b, state);
      Consumer<Map<String, Object>> attributes =
          a -> a.put(OAuth2ParameterNames.REGISTRATION_ID, REGISTRATION_ID);
      Builders.ATTRIBUTES.call(b, attributes);
      return b.build();
    }
  }

  /**
   * The setters of {@code OAuth2AuthorizationRequest.Builder}, called through reflection: Spring
   * Security 7 moved them to a generic superclass, so a call compiled against 6.x (which this
   * module is) names a method 7.x does not have. Looked up once; each is public in both.
   */
  private enum Builders {
    AUTHORIZATION_URI("authorizationUri", String.class),
    CLIENT_ID("clientId", String.class),
    REDIRECT_URI("redirectUri", String.class),
    SCOPES("scopes", Set.class),
    STATE("state", String.class),
    ATTRIBUTES("attributes", Consumer.class),
    PARAMETERS("parameters", Consumer.class),
    REQUEST_URI("authorizationRequestUri", Function.class);

    private final Method method;

    Builders(String name, Class<?> parameter) {
      try {
        this.method = OAuth2AuthorizationRequest.Builder.class.getMethod(name, parameter);
      } catch (NoSuchMethodException e) {
        throw new IllegalStateException(
            "This Spring Security's OAuth2AuthorizationRequest.Builder has no " + name, e);
      }
    }

    void call(OAuth2AuthorizationRequest.Builder builder, Object argument) {
      try {
        method.invoke(builder, argument);
      } catch (InvocationTargetException e) {
        if (e.getCause() instanceof RuntimeException r) {
          throw r;
        }
        throw new IllegalStateException(e.getCause());
      } catch (IllegalAccessException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private static final class TokenClient
      implements OAuth2AccessTokenResponseClient<OAuth2AuthorizationCodeGrantRequest> {
    private final WebAuthorization auth;
    private volatile OAuth2AccessTokenResponseClient<OAuth2AuthorizationCodeGrantRequest> others;

    TokenClient(WebAuthorization auth) {
      this.auth = Objects.requireNonNull(auth, "auth");
    }

    @Override
    public OAuth2AccessTokenResponse getTokenResponse(OAuth2AuthorizationCodeGrantRequest grant) {
      if (!isWeChat(grant.getClientRegistration())) {
        OAuth2AccessTokenResponseClient<OAuth2AuthorizationCodeGrantRequest> o = others;
        if (o == null) {
          o = new RestClientAuthorizationCodeTokenResponseClient();
          others = o;
        }
        return o.getTokenResponse(grant);
      }
      String code = grant.getAuthorizationExchange().getAuthorizationResponse().getCode();
      WebAccessToken token;
      try {
        token = auth.exchange(code);
      } catch (WeChatException | IllegalArgumentException e) {
        throw new OAuth2AuthorizationException(
            new OAuth2Error(WECHAT_ERROR, "WeChat sign-in failed: " + e.getMessage(), null), e);
      }
      if (token.snapshotUser()) {
        throw new OAuth2AuthorizationException(
            new OAuth2Error(
                SNAPSHOT_USER_ERROR,
                "The user is on a Moments snapshot page, with a virtual OpenID: not signed in",
                null));
      }
      Map<String, Object> parameters = new LinkedHashMap<>();
      parameters.put("openid", token.openId());
      if (token.unionId() != null) {
        parameters.put("unionid", token.unionId());
      }
      parameters.put(TOKEN_PARAMETER, token);
      long expiresIn = Math.max(1, Duration.between(Instant.now(), token.expiresAt()).toSeconds());
      return OAuth2AccessTokenResponse.withToken(token.accessToken())
          .tokenType(OAuth2AccessToken.TokenType.BEARER)
          .expiresIn(expiresIn)
          .refreshToken(token.refreshToken())
          .scopes(Set.of(token.scope().value()))
          .additionalParameters(parameters)
          .build();
    }
  }

  private static final class UserService
      implements OAuth2UserService<OAuth2UserRequest, OAuth2User> {
    private final WebAuthorization auth;
    private final DefaultOAuth2UserService others = new DefaultOAuth2UserService();

    UserService(WebAuthorization auth) {
      this.auth = Objects.requireNonNull(auth, "auth");
    }

    @Override
    public OAuth2User loadUser(OAuth2UserRequest request) {
      if (!isWeChat(request.getClientRegistration())) {
        return others.loadUser(request);
      }
      if (!(request.getAdditionalParameters().get(TOKEN_PARAMETER) instanceof WebAccessToken t)) {
        throw new OAuth2AuthenticationException(
            new OAuth2Error(
                "invalid_user_info_response",
                "The token answer did not come from WeChatOAuth2Login's token client",
                null));
      }
      Map<String, Object> attributes = new LinkedHashMap<>();
      attributes.put("openid", t.openId());
      if (t.scope() == Scope.USERINFO) {
        WeChatUser user;
        try {
          user = auth.userInfo(t);
        } catch (WeChatException e) {
          throw new OAuth2AuthenticationException(
              new OAuth2Error(
                  WECHAT_ERROR, "Reading the WeChat user failed: " + e.getMessage(), null),
              e);
        }
        attributes.put("nickname", user.nickname());
        attributes.put("headimgurl", user.avatarUrl());
        if (user.unionId() != null) {
          attributes.put("unionid", user.unionId());
        }
      }
      List<GrantedAuthority> authorities =
          List.of(
              new SimpleGrantedAuthority("OAUTH2_USER"),
              new SimpleGrantedAuthority("SCOPE_" + t.scope().value()));
      return new DefaultOAuth2User(authorities, attributes, "openid");
    }
  }
}
