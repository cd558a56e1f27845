package io.github.wechatmp.api;

import io.github.wechatmp.WeChatTransportException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * Temporary media ({@code cgi-bin/media/upload}, {@code cgi-bin/media/get}): uploads checked
 * against WeChat's limits ({@link MediaKind}) before any byte is sent and sent with the file name
 * and content type WeChat needs; downloads streamed, never held whole in memory. Made by {@link
 * WeChatApi#media()}; thread-safe.
 */
public final class Media {
  private final WeChatApi api;

  Media(WeChatApi api) {
    this.api = Objects.requireNonNull(api, "api");
  }

  /**
   * Uploads a temporary medium, which WeChat keeps for 3 days.
   *
   * @param kind its kind, whose limits are checked first
   * @param file the file; its name's extension tells WeChat the format
   * @return WeChat's media ID and the upload time
   * @throws IllegalArgumentException if the file breaks the kind's limits (nothing is sent)
   * @throws io.github.wechatmp.WeChatApiException if WeChat refused it
   * @throws io.github.wechatmp.WeChatTransportException if WeChat could not be reached
   */
  public UploadedMedia upload(MediaKind kind, MediaFile file) {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(file, "file");
    kind.check(file);
    Map<?, ?> answer =
        api.upload(
            "cgi-bin/media/upload", Map.of("type", kind.wireName()), "media", file, Map.class);
    Object id = answer.get(kind == MediaKind.THUMB ? "thumb_media_id" : "media_id");
    if (id == null) {
      id = answer.get("media_id");
    }
    if (!(id instanceof String mediaId) || mediaId.isEmpty()) {
      throw new WeChatTransportException(
          "cgi-bin/media/upload answered without a media_id: " + answer.keySet(), 200);
    }
    Object created = answer.get("created_at");
    Instant createdAt =
        created instanceof Number n ? Instant.ofEpochSecond(n.longValue()) : Instant.EPOCH;
    return new UploadedMedia(kind, mediaId, createdAt);
  }

  /**
   * Opens a temporary medium for reading; a video is fetched from the URL WeChat answers with.
   *
   * @param mediaId the media ID
   * @return the open download; close it
   * @throws io.github.wechatmp.WeChatApiException if WeChat refused (40007: unknown or expired)
   * @throws io.github.wechatmp.WeChatTransportException if WeChat could not be reached
   */
  public WeChatApi.Download open(String mediaId) {
    return api.download("cgi-bin/media/get", Map.of("media_id", requireId(mediaId)));
  }

  /**
   * Downloads a temporary medium to {@code target}, streaming it, and replaces the file if it
   * exists.
   *
   * @param mediaId the media ID
   * @param target where to write it
   * @return the number of bytes written
   * @throws io.github.wechatmp.WeChatApiException if WeChat refused (40007: unknown or expired)
   * @throws io.github.wechatmp.WeChatTransportException if WeChat could not be reached or the
   *     transfer broke off
   * @throws UncheckedIOException if {@code target} cannot be written
   */
  public long download(String mediaId, Path target) {
    Objects.requireNonNull(target, "target");
    try (WeChatApi.Download d = open(mediaId)) {
      return copy(d.stream(), target);
    }
  }

  static long copy(InputStream in, Path target) {
    Path partial = target.resolveSibling(target.getFileName() + ".part");
    try {
      try {
        Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException e) {
        Files.deleteIfExists(partial);
        if (Files.isWritable(partial.getParent() == null ? Path.of(".") : partial.getParent())) {
          throw new WeChatTransportException("the download broke off: " + e.getMessage(), e);
        }
        throw e;
      }
      Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
      return Files.size(target);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target, e);
    }
  }

  private static String requireId(String mediaId) {
    if (mediaId == null || mediaId.isBlank()) {
      throw new IllegalArgumentException("mediaId must not be blank");
    }
    return mediaId;
  }

  /**
   * A temporary medium WeChat accepted.
   *
   * @param kind its kind
   * @param mediaId WeChat's ID for it (for a thumb, WeChat's {@code thumb_media_id})
   * @param createdAt when WeChat received it; it expires 3 days later
   */
  public record UploadedMedia(MediaKind kind, String mediaId, Instant createdAt) {}
}
