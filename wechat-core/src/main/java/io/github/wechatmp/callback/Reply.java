package io.github.wechatmp.callback;

import io.github.wechatmp.callback.inbound.WeChatEvent;
import io.github.wechatmp.callback.inbound.WeChatMessage;
import java.util.List;
import java.util.Objects;

/**
 * What to answer a message with: a passive reply that WeChat shows the user in the conversation, or
 * {@link #none()}. Made by the static methods; {@link WeChatCallback} writes it as WeChat's XML
 * (addressed back to the sender, from the account, {@code CreateTime} the callback clock's now) and
 * encrypts it when the request was encrypted. Media IDs are those of media uploaded to WeChat
 * beforehand.
 *
 * <p>Immutable and thread-safe. Every value is checked when the reply is made: an argument that is
 * null where required, or holds a character XML cannot carry, throws {@link
 * IllegalArgumentException} (or {@link NullPointerException}) at once rather than when answering.
 * {@link #toString()} shows the type only.
 */
public final class Reply {
  /**
   * The most articles a news reply may hold: WeChat shows at most 8, and only 1 in answer to a
   * message the user sent (as opposed to an event); {@link WeChatCallback} answers a longer news
   * reply to a user's message as a handler failure.
   */
  public static final int MAX_ARTICLES = 8;

  /** The most articles WeChat accepts in answer to a message the user sent. */
  public static final int MAX_ARTICLES_FOR_USER_MESSAGES = 1;

  enum Kind {
    NONE,
    TEXT,
    IMAGE,
    VOICE,
    VIDEO,
    MUSIC,
    NEWS,
    TRANSFER
  }

  private static final Reply NONE = new Reply(Kind.NONE, new String[0], List.of());
  private static final Reply TRANSFER = new Reply(Kind.TRANSFER, new String[0], List.of());

  final Kind kind;

  /** The kind's values in a fixed order (see the factories); null where optional and absent. */
  final String[] values;

  final List<Article> articles;

  private Reply(Kind kind, String[] values, List<Article> articles) {
    this.kind = kind;
    this.values = values;
    this.articles = articles;
  }

  /**
   * One article of a {@linkplain #news news} reply.
   *
   * @param title the title; required
   * @param description the summary, or null
   * @param picUrl the picture's link (WeChat advises 360x200 for the first, 200x200 for others), or
   *     null
   * @param url the link opened on a tap, or null
   */
  public record Article(String title, String description, String picUrl, String url) {
    /**
     * Checks the values.
     *
     * @param title the title; required
     * @param description the summary, or null
     * @param picUrl the picture's link (WeChat advises 360x200 for the first, 200x200 for others),
     *     or null
     * @param url the link opened on a tap, or null
     * @throws NullPointerException if {@code title} is null
     * @throws IllegalArgumentException if a value holds a character XML cannot carry
     */
    public Article {
      XmlOut.checkText("title", Objects.requireNonNull(title, "title"));
      XmlOut.checkText("description", description);
      XmlOut.checkText("picUrl", picUrl);
      XmlOut.checkText("url", url);
    }
  }

  /**
   * No reply: WeChat is answered {@code success} (plain text, in every mode), shows nothing, and
   * does not retry.
   *
   * @return the empty reply
   */
  public static Reply none() {
    return NONE;
  }

  /**
   * A text reply.
   *
   * @param content the text; WeChat accepts up to 2048 bytes; links may be written as {@code <a
   *     href="...">..</a>}
   * @return the reply
   * @throws NullPointerException if {@code content} is null
   * @throws IllegalArgumentException if it holds a character XML cannot carry
   */
  public static Reply text(String content) {
    return of(Kind.TEXT, "content", content);
  }

  /**
   * An image reply.
   *
   * @param mediaId the uploaded image's media ID
   * @return the reply
   * @throws NullPointerException if {@code mediaId} is null
   * @throws IllegalArgumentException if it is blank or holds a character XML cannot carry
   */
  public static Reply image(String mediaId) {
    return of(Kind.IMAGE, "mediaId", requireId(mediaId));
  }

  /**
   * A voice reply.
   *
   * @param mediaId the uploaded voice's media ID
   * @return the reply
   * @throws NullPointerException if {@code mediaId} is null
   * @throws IllegalArgumentException if it is blank or holds a character XML cannot carry
   */
  public static Reply voice(String mediaId) {
    return of(Kind.VOICE, "mediaId", requireId(mediaId));
  }

  /**
   * A video reply.
   *
   * @param mediaId the uploaded video's media ID
   * @param title the title, or null
   * @param description the description, or null
   * @return the reply
   * @throws NullPointerException if {@code mediaId} is null
   * @throws IllegalArgumentException if it is blank, or a value holds a character XML cannot carry
   */
  public static Reply video(String mediaId, String title, String description) {
    requireId(mediaId);
    XmlOut.checkText("title", title);
    XmlOut.checkText("description", description);
    return new Reply(Kind.VIDEO, new String[] {mediaId, title, description}, List.of());
  }

  /**
   * A music reply.
   *
   * @param title the title, or null
   * @param description the description, or null
   * @param musicUrl the music's link, or null
   * @param hqMusicUrl the high-quality link, used on Wi-Fi, or null
   * @param thumbMediaId the uploaded thumbnail's media ID; required
   * @return the reply
   * @throws NullPointerException if {@code thumbMediaId} is null
   * @throws IllegalArgumentException if it is blank, or a value holds a character XML cannot carry
   */
  public static Reply music(
      String title, String description, String musicUrl, String hqMusicUrl, String thumbMediaId) {
    requireId(thumbMediaId);
    XmlOut.checkText("title", title);
    XmlOut.checkText("description", description);
    XmlOut.checkText("musicUrl", musicUrl);
    XmlOut.checkText("hqMusicUrl", hqMusicUrl);
    return new Reply(
        Kind.MUSIC,
        new String[] {title, description, musicUrl, hqMusicUrl, thumbMediaId},
        List.of());
  }

  /**
   * A news (article) reply. WeChat shows one article in answer to a message the user sent, and at
   * most {@value #MAX_ARTICLES} in answer to an event.
   *
   * @param articles 1 to {@value #MAX_ARTICLES} articles
   * @return the reply
   * @throws NullPointerException if the list or an article is null
   * @throws IllegalArgumentException if there are none or more than {@value #MAX_ARTICLES}
   */
  public static Reply news(List<Article> articles) {
    List<Article> copy = List.copyOf(articles);
    if (copy.isEmpty() || copy.size() > MAX_ARTICLES) {
      throw new IllegalArgumentException(
          "a news reply has 1 to " + MAX_ARTICLES + " articles, not " + copy.size());
    }
    return new Reply(Kind.NEWS, new String[0], copy);
  }

  /**
   * A news reply; see {@link #news(List)}.
   *
   * @param articles 1 to {@value #MAX_ARTICLES} articles
   * @return the reply
   * @throws NullPointerException if an article is null
   * @throws IllegalArgumentException if there are none or more than {@value #MAX_ARTICLES}
   */
  public static Reply news(Article... articles) {
    return news(List.of(articles));
  }

  /**
   * Hands the conversation to the account's customer service staff ({@code
   * transfer_customer_service}): the message goes to them instead of being answered.
   *
   * @return the reply
   */
  public static Reply transferToCustomerService() {
    return TRANSFER;
  }

  /**
   * Returns whether this is {@link #none()}.
   *
   * @return true for no reply
   */
  public boolean isNone() {
    return kind == Kind.NONE;
  }

  private static Reply of(Kind kind, String name, String value) {
    XmlOut.checkText(name, Objects.requireNonNull(value, name));
    return new Reply(kind, new String[] {value}, List.of());
  }

  private static String requireId(String id) {
    Objects.requireNonNull(id, "mediaId");
    if (id.isBlank()) {
      throw new IllegalArgumentException("a media ID must not be blank");
    }
    XmlOut.checkText("mediaId", id);
    return id;
  }

  /**
   * The passive reply's XML; {@code null} for {@link #none()}.
   *
   * @throws IllegalStateException for a news reply with more articles than WeChat accepts in answer
   *     to {@code message}
   */
  String toXml(WeChatMessage message, long createTime) {
    if (kind == Kind.NONE) {
      return null;
    }
    if (kind == Kind.NEWS
        && !(message instanceof WeChatEvent)
        && articles.size() > MAX_ARTICLES_FOR_USER_MESSAGES) {
      throw new IllegalStateException(
          "WeChat accepts "
              + MAX_ARTICLES_FOR_USER_MESSAGES
              + " article in answer to a user's message; the handler replied with "
              + articles.size());
    }
    XmlOut x = new XmlOut();
    x.cdata("ToUserName", message.fromUser());
    x.cdata("FromUserName", message.toUser());
    x.number("CreateTime", createTime);
    switch (kind) {
      case TEXT:
        x.cdata("MsgType", "text").cdata("Content", values[0]);
        break;
      case IMAGE:
        x.cdata("MsgType", "image").open("Image").cdata("MediaId", values[0]).close("Image");
        break;
      case VOICE:
        x.cdata("MsgType", "voice").open("Voice").cdata("MediaId", values[0]).close("Voice");
        break;
      case VIDEO:
        x.cdata("MsgType", "video").open("Video").cdata("MediaId", values[0]);
        x.optional("Title", values[1]).optional("Description", values[2]).close("Video");
        break;
      case MUSIC:
        x.cdata("MsgType", "music").open("Music");
        x.optional("Title", values[0]).optional("Description", values[1]);
        x.optional("MusicUrl", values[2]).optional("HQMusicUrl", values[3]);
        x.cdata("ThumbMediaId", values[4]).close("Music");
        break;
      case NEWS:
        x.cdata("MsgType", "news").number("ArticleCount", articles.size()).open("Articles");
        for (Article a : articles) {
          x.open("item").cdata("Title", a.title()).optional("Description", a.description());
          x.optional("PicUrl", a.picUrl()).optional("Url", a.url()).close("item");
        }
        x.close("Articles");
        break;
      case TRANSFER:
        x.cdata("MsgType", "transfer_customer_service");
        break;
      default:
        throw new AssertionError(kind);
    }
    return x.finish();
  }

  @Override
  public String toString() {
    return "Reply{" + kind.name().toLowerCase(java.util.Locale.ROOT) + '}';
  }
}
