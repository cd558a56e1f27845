package io.github.wechatmp.open;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.message.MessageCryptoException;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Events as WeChat's documentation shows them (white space around CDATA included). */
class PlatformEventTest {
  @Test
  void aTicketPushIsReadWithItsTicketTrimmedAndMaskedInToString() {
    PlatformEvent e =
        PlatformEvent.parse(
            "<xml><AppId>some_appid</AppId><CreateTime>1413192605</CreateTime>"
                + "<InfoType>component_verify_ticket</InfoType>"
                + "<ComponentVerifyTicket> <![CDATA[ticket@@@lEHjsBEi_TPDey0IZxw4Zbb7JRYLOtEf9ksvDpSwzkwog3R6xEpdaK0yIee7JOyOXM0V7cp0dpM58GKmb8FSKA]]> </ComponentVerifyTicket></xml>");
    PlatformEvent.VerifyTicket t = assertInstanceOf(PlatformEvent.VerifyTicket.class, e);
    assertEquals("some_appid", t.componentAppId());
    assertEquals(Instant.ofEpochSecond(1413192605), t.createdAt());
    assertTrue(t.ticket().startsWith("ticket@@@lEHj") && t.ticket().endsWith("FSKA"));
    assertFalse(t.toString().contains(t.ticket()), t.toString());
  }

  @Test
  void authorizedAndUpdateAuthorizedCarryTheCodeAndItsExpiry() {
    String body =
        "<AppId><![CDATA[wxcomponent000001]]></AppId><CreateTime>1413192760</CreateTime>"
            + "<AuthorizerAppid><![CDATA[wxmerchant0000001]]></AuthorizerAppid>"
            + "<AuthorizationCode><![CDATA[queryauthcode@@@cntX3-AbCdEf]]></AuthorizationCode>"
            + "<AuthorizationCodeExpiredTime>1413196360</AuthorizationCodeExpiredTime>"
            + "<PreAuthCode><![CDATA[preauthcode@@@xyz]]></PreAuthCode></xml>";
    PlatformEvent.Authorized a =
        assertInstanceOf(
            PlatformEvent.Authorized.class,
            PlatformEvent.parse("<xml><InfoType><![CDATA[authorized]]></InfoType>" + body));
    assertFalse(a.update());
    assertEquals("wxmerchant0000001", a.authorizerAppId());
    assertEquals("queryauthcode@@@cntX3-AbCdEf", a.authorizationCode());
    assertEquals(Instant.ofEpochSecond(1413196360), a.codeExpiresAt());
    assertFalse(a.toString().contains(a.authorizationCode()), a.toString());
    PlatformEvent.Authorized u =
        assertInstanceOf(
            PlatformEvent.Authorized.class,
            PlatformEvent.parse("<xml><InfoType>updateauthorized</InfoType>" + body));
    assertTrue(u.update());
  }

  @Test
  void unauthorizedNamesTheAccount() {
    PlatformEvent e =
        PlatformEvent.parse(
            "<xml><AppId>wxcomponent000001</AppId><CreateTime>1413192760</CreateTime>"
                + "<InfoType>unauthorized</InfoType><AuthorizerAppid>wxmerchant0000001</AuthorizerAppid></xml>");
    assertEquals(
        "wxmerchant0000001",
        assertInstanceOf(PlatformEvent.Unauthorized.class, e).authorizerAppId());
  }

  @Test
  void anUnknownInfoTypeIsKeptWhole() {
    PlatformEvent.Other o =
        assertInstanceOf(
            PlatformEvent.Other.class,
            PlatformEvent.parse(
                "<xml><AppId>wxcomponent000001</AppId><CreateTime>1</CreateTime>"
                    + "<InfoType>notify_third_fasteregister</InfoType><status>0</status></xml>"));
    assertEquals("notify_third_fasteregister", o.infoType());
    assertEquals("0", o.fields().get("status"));
  }

  @Test
  void aMissingOrMalformedFieldIsRefusedNamingTheFieldNotItsValue() {
    MessageCryptoException noCode =
        assertThrows(
            MessageCryptoException.class,
            () ->
                PlatformEvent.parse(
                    "<xml><AppId>a</AppId><CreateTime>1</CreateTime><InfoType>authorized</InfoType>"
                        + "<AuthorizerAppid>wxmerchant0000001</AuthorizerAppid>"
                        + "<AuthorizationCodeExpiredTime>2</AuthorizationCodeExpiredTime></xml>"));
    assertTrue(noCode.getMessage().contains("AuthorizationCode"), noCode.getMessage());
    assertThrows(
        MessageCryptoException.class,
        () ->
            PlatformEvent.parse(
                "<xml><AppId>a</AppId><CreateTime>soon</CreateTime><InfoType>x</InfoType></xml>"));
    assertThrows(MessageCryptoException.class, () -> PlatformEvent.parse("<xml><AppId>a</AppId>"));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            PlatformEvent.parse(
                "<xml><AppId>a</AppId><CreateTime>1</CreateTime><InfoType>unauthorized</InfoType>"
                    + "<AuthorizerAppid>../etc</AuthorizerAppid></xml>"));
  }
}
