package io.github.wechatmp.api;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A customer service message of any type WeChat accepts: text, image, voice, video, music, news
 * (one article with a link), mpnews (a published article by media ID), mpnewsarticle (by article
 * ID), msgmenu (a menu of replies), wxcard (a card) and miniprogrampage. Made by the factories;
 * {@link #asAccount(String)} sends it as a customer service account. Immutable.
 */
public final class CustomerServiceMessage {
  private final String toUser;
  private final String type;
  private final Map<String, Object> content;
  private final String kfAccount;

  private CustomerServiceMessage(
      String toUser, String type, Map<String, Object> content, String kfAccount) {
    if (toUser == null || toUser.isBlank()) {
      throw new IllegalArgumentException("a customer service message needs the recipient's OpenID");
    }
    this.toUser = toUser;
    this.type = type;
    this.content = Collections.unmodifiableMap(content);
    this.kfAccount = kfAccount;
  }

  private static CustomerServiceMessage of(String toUser, String type, Object... pairs) {
    Map<String, Object> content = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      if (pairs[i + 1] != null) {
        content.put((String) pairs[i], pairs[i + 1]);
      }
    }
    return new CustomerServiceMessage(toUser, type, content, null);
  }

  private static String required(String value, String what) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("a customer service message needs " + what);
    }
    return value;
  }

  /**
   * A text message.
   *
   * @param toUser the recipient's OpenID
   * @param content the text; may hold links ({@code <a href="...">})
   * @return the message
   */
  public static CustomerServiceMessage text(String toUser, String content) {
    return of(toUser, "text", "content", required(content, "text"));
  }

  /**
   * An image message.
   *
   * @param toUser the recipient's OpenID
   * @param mediaId the image's media ID
   * @return the message
   */
  public static CustomerServiceMessage image(String toUser, String mediaId) {
    return of(toUser, "image", "media_id", required(mediaId, "a media ID"));
  }

  /**
   * A voice message.
   *
   * @param toUser the recipient's OpenID
   * @param mediaId the voice's media ID
   * @return the message
   */
  public static CustomerServiceMessage voice(String toUser, String mediaId) {
    return of(toUser, "voice", "media_id", required(mediaId, "a media ID"));
  }

  /**
   * A video message.
   *
   * @param toUser the recipient's OpenID
   * @param mediaId the video's media ID
   * @param thumbMediaId its thumbnail's media ID
   * @param title the title, or null
   * @param description the description, or null
   * @return the message
   */
  public static CustomerServiceMessage video(
      String toUser, String mediaId, String thumbMediaId, String title, String description) {
    return of(
        toUser,
        "video",
        "media_id",
        required(mediaId, "a media ID"),
        "thumb_media_id",
        required(thumbMediaId, "a thumbnail's media ID"),
        "title",
        title,
        "description",
        description);
  }

  /**
   * A music message.
   *
   * @param toUser the recipient's OpenID
   * @param title the title, or null
   * @param description the description, or null
   * @param musicUrl the music's URL
   * @param hqMusicUrl the high-quality music's URL (played on Wi-Fi)
   * @param thumbMediaId the thumbnail's media ID
   * @return the message
   */
  public static CustomerServiceMessage music(
      String toUser,
      String title,
      String description,
      String musicUrl,
      String hqMusicUrl,
      String thumbMediaId) {
    return of(
        toUser,
        "music",
        "title",
        title,
        "description",
        description,
        "musicurl",
        required(musicUrl, "a music URL"),
        "hqmusicurl",
        required(hqMusicUrl, "a high-quality music URL"),
        "thumb_media_id",
        required(thumbMediaId, "a thumbnail's media ID"));
  }

  /**
   * A news message: one article linking to a page (WeChat shows only one).
   *
   * @param toUser the recipient's OpenID
   * @param title the title
   * @param description the description, or null
   * @param url the page it opens
   * @param picUrl the picture's URL, or null
   * @return the message
   */
  public static CustomerServiceMessage news(
      String toUser, String title, String description, String url, String picUrl) {
    Map<String, Object> article = new LinkedHashMap<>();
    article.put("title", required(title, "a title"));
    if (description != null) {
      article.put("description", description);
    }
    article.put("url", required(url, "a URL"));
    if (picUrl != null) {
      article.put("picurl", picUrl);
    }
    return of(toUser, "news", "articles", List.of(article));
  }

  /**
   * An mpnews message: an article of the account's, by its media ID.
   *
   * @param toUser the recipient's OpenID
   * @param mediaId the article's media ID
   * @return the message
   */
  public static CustomerServiceMessage mpNews(String toUser, String mediaId) {
    return of(toUser, "mpnews", "media_id", required(mediaId, "a media ID"));
  }

  /**
   * An mpnewsarticle message: a published article, by its article ID.
   *
   * @param toUser the recipient's OpenID
   * @param articleId the article's ID
   * @return the message
   */
  public static CustomerServiceMessage mpNewsArticle(String toUser, String articleId) {
    return of(toUser, "mpnewsarticle", "article_id", required(articleId, "an article ID"));
  }

  /**
   * A menu message: the user taps a reply, which WeChat sends back as a text message.
   *
   * @param toUser the recipient's OpenID
   * @param head the text above the choices, or null
   * @param choices each choice's ID and text, in order
   * @param tail the text below the choices, or null
   * @return the message
   */
  public static CustomerServiceMessage menu(
      String toUser, String head, Map<String, String> choices, String tail) {
    if (choices == null || choices.isEmpty()) {
      throw new IllegalArgumentException("a menu message needs choices");
    }
    List<Map<String, String>> list = new ArrayList<>();
    choices.forEach((id, text) -> list.add(Map.of("id", id, "content", text)));
    return of(toUser, "msgmenu", "head_content", head, "list", list, "tail_content", tail);
  }

  /**
   * A card message.
   *
   * @param toUser the recipient's OpenID
   * @param cardId the card's ID
   * @return the message
   */
  public static CustomerServiceMessage card(String toUser, String cardId) {
    return of(toUser, "wxcard", "card_id", required(cardId, "a card ID"));
  }

  /**
   * A Mini Program page message.
   *
   * @param toUser the recipient's OpenID
   * @param title the title
   * @param page the Mini Program page
   * @param thumbMediaId the card picture's media ID
   * @return the message
   */
  public static CustomerServiceMessage miniProgramPage(
      String toUser, String title, MiniProgram page, String thumbMediaId) {
    return of(
        toUser,
        "miniprogrampage",
        "title",
        required(title, "a title"),
        "appid",
        page.appId(),
        "pagepath",
        required(page.pagePath(), "a page path"),
        "thumb_media_id",
        required(thumbMediaId, "a thumbnail's media ID"));
  }

  /**
   * Returns a copy sent as a given customer service account.
   *
   * @param kfAccount such as {@code test1@kftest}
   * @return the copy
   */
  public CustomerServiceMessage asAccount(String kfAccount) {
    return new CustomerServiceMessage(
        toUser, type, new LinkedHashMap<>(content), required(kfAccount, "an account"));
  }

  /**
   * Returns WeChat's message type.
   *
   * @return such as {@code text}
   */
  public String type() {
    return type;
  }

  /**
   * Returns the recipient.
   *
   * @return the OpenID
   */
  public String toUser() {
    return toUser;
  }

  /**
   * Returns the message as WeChat's JSON object.
   *
   * @return an immutable map, ready for {@link WeChatApi#post}
   */
  public Map<String, Object> toJson() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("touser", toUser);
    out.put("msgtype", type);
    out.put(type, content);
    if (kfAccount != null) {
      out.put("customservice", Map.of("kf_account", kfAccount));
    }
    return Collections.unmodifiableMap(out);
  }

  @Override
  public String toString() {
    return "CustomerServiceMessage{" + type + " to " + toUser + '}';
  }
}
