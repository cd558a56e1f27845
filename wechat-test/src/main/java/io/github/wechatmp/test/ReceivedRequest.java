package io.github.wechatmp.test;

/**
 * One request a {@link WeChatStandIn} received, as its log keeps it: the AppSecret, wherever it
 * appeared (query or body), is replaced by {@code ***}, and so is any {@code secret} parameter.
 * Immutable.
 *
 * @param method the HTTP method
 * @param path the endpoint's path without the leading {@code /}, such as {@code cgi-bin/token}
 * @param query the raw query string with the secret masked, or empty
 * @param body the request body as UTF-8 text with the secret masked, or empty
 * @param status the HTTP status answered, or 0 if the connection was closed unanswered
 * @param errcode WeChat's errcode in the answer (0 for success), or {@code null} for a non-JSON
 *     answer or none
 */
public record ReceivedRequest(
    String method, String path, String query, String body, int status, Integer errcode) {

  /**
   * Returns a query parameter, decoded, as sent (the secret masked).
   *
   * @param name the parameter's name
   * @return its first value, or null if absent
   */
  public String queryParameter(String name) {
    return WeChatStandIn.queryParameters(query).get(name);
  }
}
