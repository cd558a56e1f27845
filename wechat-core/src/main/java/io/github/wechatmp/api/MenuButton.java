package io.github.wechatmp.api;

import com.squareup.moshi.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A button of the custom menu: WeChat's JSON for one entry of {@code button} or {@code sub_button}.
 * Make one with the factories; {@link Menu} checks WeChat's limits.
 *
 * @param type the button's type ({@code click}, {@code view}, {@code miniprogram}, {@code
 *     scancode_push}, {@code media_id}, {@code article_id}...); null for a parent of sub-buttons
 * @param name the label: at most 16 bytes (UTF-8) at the top level, 60 in a sub-menu
 * @param key the key a {@code click} or {@code scancode_*} button sends, at most 128 bytes
 * @param url the page a {@code view} button opens (and a Mini Program button on old clients), at
 *     most 1024 bytes
 * @param appId the Mini Program's AppID, for {@code miniprogram}
 * @param pagePath the Mini Program page, for {@code miniprogram}
 * @param mediaId the permanent medium of a {@code media_id} or {@code view_limited} button
 * @param articleId the article of an {@code article_id} button
 * @param subButtons the sub-buttons of a parent, at most 5; empty otherwise
 */
public record MenuButton(
    String type,
    String name,
    String key,
    String url,
    @Json(name = "appid") String appId,
    @Json(name = "pagepath") String pagePath,
    @Json(name = "media_id") String mediaId,
    @Json(name = "article_id") String articleId,
    @Json(name = "sub_button") List<MenuButton> subButtons) {

  /**
   * Copies {@code subButtons}; null is kept as empty.
   *
   * @param type the type
   * @param name the label
   * @param key the key
   * @param url the URL
   * @param appId the Mini Program's AppID
   * @param pagePath the Mini Program page
   * @param mediaId the medium
   * @param articleId the article
   * @param subButtons the sub-buttons
   */
  public MenuButton {
    subButtons = subButtons == null ? List.of() : List.copyOf(subButtons);
  }

  /**
   * A button that sends {@code key} in a {@code CLICK} event.
   *
   * @param name the label
   * @param key the key
   * @return the button
   */
  public static MenuButton click(String name, String key) {
    return new MenuButton("click", name, key, null, null, null, null, null, null);
  }

  /**
   * A button that opens a web page.
   *
   * @param name the label
   * @param url the page
   * @return the button
   */
  public static MenuButton view(String name, String url) {
    return new MenuButton("view", name, null, url, null, null, null, null, null);
  }

  /**
   * A button that opens a Mini Program page.
   *
   * @param name the label
   * @param fallbackUrl the web page old clients open instead
   * @param page the Mini Program page
   * @return the button
   */
  public static MenuButton miniProgram(String name, String fallbackUrl, MiniProgram page) {
    return new MenuButton(
        "miniprogram", name, null, fallbackUrl, page.appId(), page.pagePath(), null, null, null);
  }

  /**
   * A button of another type that sends a key ({@code scancode_push}, {@code pic_sysphoto}, {@code
   * location_select}...).
   *
   * @param type WeChat's type
   * @param name the label
   * @param key the key
   * @return the button
   */
  public static MenuButton ofType(String type, String name, String key) {
    return new MenuButton(type, name, key, null, null, null, null, null, null);
  }

  /**
   * A button that opens a sub-menu.
   *
   * @param name the label
   * @param subButtons 1 to 5 buttons
   * @return the button
   */
  public static MenuButton parent(String name, MenuButton... subButtons) {
    return new MenuButton(null, name, null, null, null, null, null, null, List.of(subButtons));
  }

  void check(boolean topLevel) {
    int maxName = topLevel ? 16 : 60;
    String where = topLevel ? "a top-level button" : "a sub-button";
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException(where + " needs a name");
    }
    if (bytes(name) > maxName) {
      throw new IllegalArgumentException(
          where + "'s name is at most " + maxName + " bytes (UTF-8): \"" + name + "\"");
    }
    if (!subButtons.isEmpty()) {
      if (!topLevel) {
        throw new IllegalArgumentException("a sub-button cannot have sub-buttons: " + name);
      }
      if (subButtons.size() > 5) {
        throw new IllegalArgumentException(
            "\"" + name + "\" has " + subButtons.size() + " sub-buttons; WeChat allows 5");
      }
      subButtons.forEach(b -> b.check(false));
      return;
    }
    if (type == null || type.isBlank()) {
      throw new IllegalArgumentException(
          "\"" + name + "\" needs a type or sub-buttons; a parent needs 1 to 5 sub-buttons");
    }
    if (key != null && bytes(key) > 128) {
      throw new IllegalArgumentException("\"" + name + "\"'s key is at most 128 bytes");
    }
    if (url != null && bytes(url) > 1024) {
      throw new IllegalArgumentException("\"" + name + "\"'s url is at most 1024 bytes");
    }
    boolean needsKey =
        type.equals("click")
            || type.startsWith("scancode")
            || type.startsWith("pic")
            || type.equals("location_select");
    if (needsKey && (key == null || key.isEmpty())) {
      throw new IllegalArgumentException("\"" + name + "\" (" + type + ") needs a key");
    }
    if ((type.equals("view") || type.equals("miniprogram")) && (url == null || url.isEmpty())) {
      throw new IllegalArgumentException("\"" + name + "\" (" + type + ") needs a url");
    }
  }

  private static int bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }
}
