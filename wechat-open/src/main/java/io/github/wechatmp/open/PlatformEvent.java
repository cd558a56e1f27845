package io.github.wechatmp.open;

import io.github.wechatmp.message.MessageCryptoException;
import io.github.wechatmp.message.WeChatXml;
import java.time.Instant;
import java.util.Map;

/**
 * An event WeChat pushes to the platform's authorization-event URL (授权事件接收URL), decrypted: the
 * ticket every 10 minutes and a merchant's authorizing, changing or cancelling. {@link
 * #parse(String)} reads one from the decrypted XML.
 *
 * <p>Every event names the platform ({@link #componentAppId()}) and when WeChat made it ({@link
 * #createdAt()}). Values are trimmed: WeChat's own samples put white space around CDATA sections.
 */
public sealed interface PlatformEvent {
  /**
   * Returns the platform's AppID, as the event's {@code AppId} names it.
   *
   * @return the component AppID
   */
  String componentAppId();

  /**
   * Returns when WeChat made the event ({@code CreateTime}).
   *
   * @return the instant, to the second
   */
  Instant createdAt();

  /**
   * {@code component_verify_ticket}: the ticket {@code api_component_token} needs, pushed every 10
   * minutes and valid 12 hours.
   *
   * @param componentAppId the platform's AppID
   * @param createdAt when WeChat made it
   * @param ticket the ticket; shown masked by {@link #toString()}
   */
  record VerifyTicket(String componentAppId, Instant createdAt, String ticket)
      implements PlatformEvent {
    /** Shows the ticket masked. */
    @Override
    public String toString() {
      return "VerifyTicket[componentAppId="
          + componentAppId
          + ", createdAt="
          + createdAt
          + ", ticket="
          + Authorization.mask(ticket)
          + "]";
    }
  }

  /**
   * {@code authorized} or {@code updateauthorized}: a merchant authorized the platform, or changed
   * what it granted. The code turns into the account's tokens through {@code api_query_auth}; on
   * {@code updateauthorized} the account's refresh token changes.
   *
   * @param componentAppId the platform's AppID
   * @param createdAt when WeChat made it
   * @param authorizerAppId the merchant's official account
   * @param authorizationCode the single-use query-auth code; shown masked by {@link #toString()}
   * @param codeExpiresAt when the code expires
   * @param update true for {@code updateauthorized}, false for {@code authorized}
   */
  record Authorized(
      String componentAppId,
      Instant createdAt,
      String authorizerAppId,
      String authorizationCode,
      Instant codeExpiresAt,
      boolean update)
      implements PlatformEvent {
    /** Shows the code masked. */
    @Override
    public String toString() {
      return (update ? "UpdateAuthorized" : "Authorized")
          + "[componentAppId="
          + componentAppId
          + ", createdAt="
          + createdAt
          + ", authorizerAppId="
          + authorizerAppId
          + ", authorizationCode="
          + Authorization.mask(authorizationCode)
          + ", codeExpiresAt="
          + codeExpiresAt
          + "]";
    }
  }

  /**
   * {@code unauthorized}: a merchant cancelled the authorization; its tokens stop working.
   *
   * @param componentAppId the platform's AppID
   * @param createdAt when WeChat made it
   * @param authorizerAppId the merchant's official account
   */
  record Unauthorized(String componentAppId, Instant createdAt, String authorizerAppId)
      implements PlatformEvent {}

  /**
   * An {@code InfoType} this SDK does not know (WeChat adds some, e.g. for mini-program
   * registration): kept whole for the application's listener.
   *
   * @param componentAppId the platform's AppID
   * @param createdAt when WeChat made it
   * @param infoType the event's {@code InfoType}
   * @param fields every field of the event, as {@link WeChatXml#parse(String)} reads them
   */
  record Other(
      String componentAppId, Instant createdAt, String infoType, Map<String, String> fields)
      implements PlatformEvent {
    /**
     * Copies the fields.
     *
     * @param componentAppId the platform's AppID
     * @param createdAt when WeChat made it
     * @param infoType the event's {@code InfoType}
     * @param fields every field of the event
     */
    public Other {
      fields = Map.copyOf(fields);
    }
  }

  /**
   * Reads an event from its decrypted XML.
   *
   * @param xml the decrypted event
   * @return the event
   * @throws MessageCryptoException with {@link MessageCryptoException#MALFORMED_XML} if the XML is
   *     not safe, well-formed XML, lacks {@code AppId}, {@code CreateTime} or {@code InfoType}, or
   *     an event lacks a field it must carry; the message names the field, never a value
   */
  static PlatformEvent parse(String xml) {
    Map<String, String> f = WeChatXml.parse(xml);
    String componentAppId = required(f, "AppId");
    Instant createdAt;
    try {
      createdAt = Instant.ofEpochSecond(Long.parseLong(required(f, "CreateTime")));
    } catch (NumberFormatException e) {
      throw malformed("CreateTime is not a number of seconds");
    }
    String infoType = required(f, "InfoType");
    switch (infoType) {
      case "component_verify_ticket":
        return new VerifyTicket(componentAppId, createdAt, required(f, "ComponentVerifyTicket"));
      case "authorized":
      case "updateauthorized":
        {
          Instant codeExpiresAt;
          try {
            codeExpiresAt =
                Instant.ofEpochSecond(Long.parseLong(required(f, "AuthorizationCodeExpiredTime")));
          } catch (NumberFormatException e) {
            throw malformed("AuthorizationCodeExpiredTime is not a number of seconds");
          }
          return new Authorized(
              componentAppId,
              createdAt,
              Authorization.checkAppId(required(f, "AuthorizerAppid")),
              required(f, "AuthorizationCode"),
              codeExpiresAt,
              infoType.equals("updateauthorized"));
        }
      case "unauthorized":
        return new Unauthorized(
            componentAppId, createdAt, Authorization.checkAppId(required(f, "AuthorizerAppid")));
      default:
        return new Other(componentAppId, createdAt, infoType, f);
    }
  }

  private static String required(Map<String, String> fields, String name) {
    String v = fields.get(name);
    if (v == null || v.isBlank()) {
      throw malformed("the event has no " + name);
    }
    return v.strip();
  }

  private static MessageCryptoException malformed(String why) {
    return new MessageCryptoException(
        MessageCryptoException.MALFORMED_XML, "A platform event is malformed: " + why);
  }
}
