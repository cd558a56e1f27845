package io.github.wechatmp.api;

import com.squareup.moshi.Json;
import java.util.List;

/**
 * A custom menu: WeChat's JSON for {@code cgi-bin/menu/create}, and a menu as {@code
 * cgi-bin/menu/get} answers it. {@link Menus} checks WeChat's limits before sending: 1 to 3
 * top-level buttons, each a button or a parent of 1 to 5 sub-buttons, names at most 16 bytes (60 in
 * a sub-menu).
 *
 * @param buttons the top-level buttons
 * @param menuId WeChat's ID of the menu when read back, or null
 */
public record Menu(
    @Json(name = "button") List<MenuButton> buttons, @Json(name = "menuid") String menuId) {

  /**
   * Copies {@code buttons}; null is kept as empty.
   *
   * @param buttons the top-level buttons
   * @param menuId WeChat's ID, or null
   */
  public Menu {
    buttons = buttons == null ? List.of() : List.copyOf(buttons);
  }

  /**
   * A menu of these top-level buttons.
   *
   * @param buttons 1 to 3 buttons
   * @return the menu
   */
  public static Menu of(MenuButton... buttons) {
    return new Menu(List.of(buttons), null);
  }

  /**
   * Checks WeChat's limits.
   *
   * @throws IllegalArgumentException naming the first limit broken
   */
  public void check() {
    if (buttons.isEmpty() || buttons.size() > 3) {
      throw new IllegalArgumentException(
          "a menu has 1 to 3 top-level buttons, not " + buttons.size());
    }
    buttons.forEach(b -> b.check(true));
  }
}
