package io.github.wechatmp.open.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Asks the stand-in whether it takes an access token, as an API call with it would. */
public final class ApiProbe {
  private static final Pattern ERRCODE = Pattern.compile("\"errcode\"\\s*:\\s*(-?\\d+)");

  private ApiProbe() {}

  /**
   * Calls {@code cgi-bin/get_api_domain_ip} with the token.
   *
   * @param baseUrl the stand-in's base URL, ending with {@code /}
   * @param accessToken the token
   * @return the errcode WeChat answered: 0 when the token works
   */
  public static int errcode(String baseUrl, String accessToken) {
    try {
      String body =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(
                              baseUrl + "cgi-bin/get_api_domain_ip?access_token=" + accessToken))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      Matcher m = ERRCODE.matcher(body);
      return m.find() ? Integer.parseInt(m.group(1)) : 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
