package io.github.wechatmp.api;

import com.squareup.moshi.Json;

/**
 * A Mini Program page a message or button opens.
 *
 * @param appId the Mini Program's AppID
 * @param pagePath the page, such as {@code index?foo=bar}; may be null for its home page
 */
public record MiniProgram(
    @Json(name = "appid") String appId, @Json(name = "pagepath") String pagePath) {
  /**
   * Checks the AppID.
   *
   * @param appId the Mini Program's AppID
   * @param pagePath the page
   * @throws IllegalArgumentException if {@code appId} is blank
   */
  public MiniProgram {
    if (appId == null || appId.isBlank()) {
      throw new IllegalArgumentException("a Mini Program needs its AppID");
    }
  }
}
