package io.github.wechatmp.api;

import com.squareup.moshi.Json;
import io.github.wechatmp.WeChatTransportException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The custom menu ({@code cgi-bin/menu/create}, {@code get}, {@code delete}) and conditional menus
 * ({@code cgi-bin/menu/addconditional}, {@code delconditional}). Limits are checked before anything
 * is sent. Made by {@link WeChatApi#menus()}; thread-safe.
 */
public final class Menus {
  private final WeChatApi api;

  Menus(WeChatApi api) {
    this.api = Objects.requireNonNull(api, "api");
  }

  /**
   * Replaces the default menu.
   *
   * @param menu the menu
   * @throws IllegalArgumentException if it breaks WeChat's limits (nothing is sent)
   * @throws io.github.wechatmp.WeChatApiException if WeChat refused it
   * @throws io.github.wechatmp.WeChatTransportException if WeChat could not be reached
   */
  public void create(Menu menu) {
    Objects.requireNonNull(menu, "menu").check();
    api.post("cgi-bin/menu/create", Map.of("button", menu.buttons()), Map.class);
  }

  /**
   * Reads the default menu and the conditional menus.
   *
   * @return the menus; WeChat answers 46003 when there is no menu
   * @throws io.github.wechatmp.WeChatApiException if WeChat refused (46003: no menu)
   * @throws io.github.wechatmp.WeChatTransportException if WeChat could not be reached
   */
  public MenuSettings get() {
    return api.get("cgi-bin/menu/get", Map.of(), MenuSettings.class);
  }

  /**
   * Deletes the default menu and every conditional menu.
   *
   * @throws io.github.wechatmp.WeChatApiException if WeChat refused
   * @throws io.github.wechatmp.WeChatTransportException if WeChat could not be reached
   */
  public void delete() {
    api.get("cgi-bin/menu/delete", Map.of(), Map.class);
  }

  /**
   * Adds a menu that the users matching {@code rule} see instead of the default one.
   *
   * @param menu the menu
   * @param rule who sees it; at least one criterion
   * @return WeChat's menu ID
   * @throws IllegalArgumentException if the menu breaks WeChat's limits or the rule is empty
   * @throws io.github.wechatmp.WeChatApiException if WeChat refused
   * @throws io.github.wechatmp.WeChatTransportException if WeChat could not be reached
   */
  public String addConditional(Menu menu, MatchRule rule) {
    Objects.requireNonNull(menu, "menu").check();
    Objects.requireNonNull(rule, "rule").check();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("button", menu.buttons());
    body.put("matchrule", rule);
    Map<?, ?> answer = api.post("cgi-bin/menu/addconditional", body, Map.class);
    Object id = answer.get("menuid");
    if (id == null) {
      throw new WeChatTransportException(
          "cgi-bin/menu/addconditional answered without a menuid", 200);
    }
    return id instanceof Number n ? Long.toString(n.longValue()) : id.toString();
  }

  /**
   * Deletes a conditional menu.
   *
   * @param menuId the ID {@link #addConditional} returned
   * @throws io.github.wechatmp.WeChatApiException if WeChat refused
   * @throws io.github.wechatmp.WeChatTransportException if WeChat could not be reached
   */
  public void deleteConditional(String menuId) {
    if (menuId == null || menuId.isBlank()) {
      throw new IllegalArgumentException("menuId must not be blank");
    }
    api.post("cgi-bin/menu/delconditional", Map.of("menuid", menuId), Map.class);
  }

  /**
   * Who sees a conditional menu: every criterion given must match; null ones are ignored.
   *
   * @param tagId a user tag's ID
   * @param sex 1 male, 2 female
   * @param country the country, as in user information
   * @param province the province
   * @param city the city
   * @param clientPlatformType 1 iOS, 2 Android, 3 others
   * @param language such as {@code zh_CN}
   */
  public record MatchRule(
      @Json(name = "tag_id") String tagId,
      String sex,
      String country,
      String province,
      String city,
      @Json(name = "client_platform_type") String clientPlatformType,
      String language) {

    /**
     * A rule matching the users with a tag.
     *
     * @param tagId the tag's ID
     * @return the rule
     */
    public static MatchRule tag(int tagId) {
      return new MatchRule(Integer.toString(tagId), null, null, null, null, null, null);
    }

    void check() {
      if (tagId == null
          && sex == null
          && country == null
          && province == null
          && city == null
          && clientPlatformType == null
          && language == null) {
        throw new IllegalArgumentException("a match rule needs at least one criterion");
      }
    }
  }

  /**
   * A conditional menu as WeChat answers it.
   *
   * @param buttons its buttons
   * @param matchRule who sees it
   * @param menuId WeChat's ID
   */
  public record ConditionalMenu(
      @Json(name = "button") List<MenuButton> buttons,
      @Json(name = "matchrule") MatchRule matchRule,
      @Json(name = "menuid") String menuId) {}

  /**
   * The menus of the account, as {@code cgi-bin/menu/get} answers.
   *
   * @param menu the default menu
   * @param conditionalMenus the conditional menus; may be null when there are none
   */
  public record MenuSettings(
      Menu menu, @Json(name = "conditionalmenu") List<ConditionalMenu> conditionalMenus) {}
}
