package io.github.wechatmp.api;

import com.squareup.moshi.Json;
import io.github.wechatmp.internal.Secrets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import okhttp3.HttpUrl;

/**
 * QR codes with a scene ({@code cgi-bin/qrcode/create}) and their images ({@code
 * mp.weixin.qq.com/cgi-bin/showqrcode}). A temporary code lives up to 30 days and carries a
 * non-zero 32-bit scene ID or a scene string; a permanent one lives forever and carries a scene ID
 * of 1 to 100,000 or a string; a scene string has 1 to 64 characters. Made by {@link
 * WeChatApi#qrCodes()}; thread-safe.
 */
public final class QrCodes {
  /** The longest life of a temporary QR code: 30 days, as WeChat documents. */
  public static final Duration MAX_EXPIRY = Duration.ofDays(30);

  /** The largest permanent scene ID, as WeChat documents. */
  public static final int MAX_PERMANENT_SCENE_ID = 100_000;

  static final HttpUrl WECHAT_IMAGE_BASE_URL = HttpUrl.get("https://mp.weixin.qq.com/");

  private final WeChatApi api;
  private final HttpUrl imageBase;

  QrCodes(WeChatApi api, HttpUrl imageBase) {
    this.api = Objects.requireNonNull(api, "api");
    this.imageBase = imageBase;
  }

  /**
   * Creates a temporary QR code with a scene ID.
   *
   * @param expiry how long it lives: 1 second to 30 days
   * @param sceneId a non-zero 32-bit number
   * @return the ticket
   * @throws IllegalArgumentException if an argument is out of WeChat's bounds (nothing is sent)
   */
  public QrCodeTicket temporary(Duration expiry, int sceneId) {
    if (sceneId == 0) {
      throw new IllegalArgumentException("a temporary QR code's scene ID must not be 0");
    }
    return create("QR_SCENE", seconds(expiry), Map.of("scene_id", sceneId));
  }

  /**
   * Creates a temporary QR code with a scene string.
   *
   * @param expiry how long it lives: 1 second to 30 days
   * @param scene 1 to 64 characters
   * @return the ticket
   * @throws IllegalArgumentException if an argument is out of WeChat's bounds (nothing is sent)
   */
  public QrCodeTicket temporary(Duration expiry, String scene) {
    return create("QR_STR_SCENE", seconds(expiry), Map.of("scene_str", checkScene(scene)));
  }

  /**
   * Creates a permanent QR code with a scene ID.
   *
   * @param sceneId 1 to {@value #MAX_PERMANENT_SCENE_ID}
   * @return the ticket
   * @throws IllegalArgumentException if the ID is out of WeChat's bounds (nothing is sent)
   */
  public QrCodeTicket permanent(int sceneId) {
    if (sceneId < 1 || sceneId > MAX_PERMANENT_SCENE_ID) {
      throw new IllegalArgumentException(
          "a permanent QR code's scene ID is 1 to " + MAX_PERMANENT_SCENE_ID + ": " + sceneId);
    }
    return create("QR_LIMIT_SCENE", 0, Map.of("scene_id", sceneId));
  }

  /**
   * Creates a permanent QR code with a scene string.
   *
   * @param scene 1 to 64 characters
   * @return the ticket
   * @throws IllegalArgumentException if the string is out of WeChat's bounds (nothing is sent)
   */
  public QrCodeTicket permanent(String scene) {
    return create("QR_LIMIT_STR_SCENE", 0, Map.of("scene_str", checkScene(scene)));
  }

  /**
   * Returns the URL of the ticket's image, which anyone may fetch without a token.
   *
   * @param ticket the ticket
   * @return {@code https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=...}
   */
  public String imageUrl(QrCodeTicket ticket) {
    return imageBase
        .newBuilder()
        .addPathSegments("cgi-bin/showqrcode")
        .addQueryParameter("ticket", Objects.requireNonNull(ticket, "ticket").ticket())
        .build()
        .toString();
  }

  /**
   * Opens the ticket's image (a JPEG) for reading.
   *
   * @param ticket the ticket
   * @return the open download; close it
   * @throws io.github.wechatmp.WeChatTransportException if the image could not be fetched
   */
  public WeChatApi.Download openImage(QrCodeTicket ticket) {
    return api.download(imageUrl(ticket), Map.of());
  }

  /**
   * Downloads the ticket's image to {@code target}, streaming it.
   *
   * @param ticket the ticket
   * @param target where to write it; replaced if it exists
   * @return the number of bytes written
   * @throws io.github.wechatmp.WeChatTransportException if the image could not be fetched
   * @throws java.io.UncheckedIOException if {@code target} cannot be written
   */
  public long downloadImage(QrCodeTicket ticket, Path target) {
    Objects.requireNonNull(target, "target");
    try (WeChatApi.Download d = openImage(ticket)) {
      return Media.copy(d.stream(), target);
    }
  }

  private QrCodeTicket create(String action, long expireSeconds, Map<String, Object> scene) {
    Map<String, Object> body = new LinkedHashMap<>();
    if (expireSeconds > 0) {
      body.put("expire_seconds", expireSeconds);
    }
    body.put("action_name", action);
    body.put("action_info", Map.of("scene", scene));
    return api.post("cgi-bin/qrcode/create", body, QrCodeTicket.class);
  }

  private static long seconds(Duration expiry) {
    Objects.requireNonNull(expiry, "expiry");
    if (expiry.compareTo(Duration.ofSeconds(1)) < 0 || expiry.compareTo(MAX_EXPIRY) > 0) {
      throw new IllegalArgumentException(
          "a temporary QR code lives 1 second to 30 days, not " + expiry);
    }
    return expiry.toSeconds();
  }

  private static String checkScene(String scene) {
    if (scene == null || scene.isEmpty() || scene.length() > 64) {
      throw new IllegalArgumentException("a QR code's scene string has 1 to 64 characters");
    }
    return scene;
  }

  /**
   * A QR code WeChat made.
   *
   * @param ticket the ticket, which fetches the image
   * @param expireSeconds its life in seconds; null for a permanent code
   * @param url the URL the image encodes, for making the image oneself
   */
  public record QrCodeTicket(
      String ticket, @Json(name = "expire_seconds") Long expireSeconds, String url) {
    /**
     * Shows the ticket masked, as every credential the SDK prints.
     *
     * @return the masked ticket and the expiry
     */
    @Override
    public String toString() {
      return "QrCodeTicket{" + Secrets.mask(ticket) + ", expireSeconds=" + expireSeconds + '}';
    }
  }
}
