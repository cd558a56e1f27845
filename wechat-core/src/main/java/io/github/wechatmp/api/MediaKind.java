package io.github.wechatmp.api;

import java.util.Locale;
import java.util.Set;

/**
 * The kinds of temporary media and the limits WeChat documents for each, checked by {@link
 * Media#upload} before any byte is sent. From WeChat's "新增临时素材" (upload temporary media) page, <a
 * href="https://developers.weixin.qq.com/doc/offiaccount/Asset_Management/New_temporary_materials.html">developers.weixin.qq.com/doc/offiaccount/Asset_Management/New_temporary_materials.html</a>:
 * image 10 MB, PNG/JPEG/JPG/GIF; voice 2 MB and at most 60 s, AMR/MP3; video 10 MB, MP4; thumb 64
 * KB, JPG. Temporary media live 3 days.
 */
public enum MediaKind {
  /** An image: at most 10 MB, {@code png}, {@code jpeg}, {@code jpg} or {@code gif}. */
  IMAGE(10L << 20, Set.of("png", "jpeg", "jpg", "gif")),
  /**
   * A voice message: at most 2 MB, {@code amr} or {@code mp3}; WeChat also limits it to 60 s, which
   * the SDK cannot check without decoding it.
   */
  VOICE(2L << 20, Set.of("amr", "mp3")),
  /** A video: at most 10 MB, {@code mp4}. */
  VIDEO(10L << 20, Set.of("mp4")),
  /** A thumbnail (for video and music messages): at most 64 KB, {@code jpg}. */
  THUMB(64L << 10, Set.of("jpg", "jpeg"));

  private final long maxBytes;
  private final Set<String> extensions;

  MediaKind(long maxBytes, Set<String> extensions) {
    this.maxBytes = maxBytes;
    this.extensions = extensions;
  }

  /**
   * Returns the largest file WeChat accepts of this kind.
   *
   * @return the limit in bytes
   */
  public long maxBytes() {
    return maxBytes;
  }

  /**
   * Returns the file name extensions WeChat accepts for this kind, in lower case.
   *
   * @return an immutable set
   */
  public Set<String> extensions() {
    return extensions;
  }

  /**
   * Returns WeChat's name for this kind, as in {@code type=image}.
   *
   * @return the lower-case name
   */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Checks {@code file} against this kind's limits.
   *
   * @param file the file to upload
   * @throws IllegalArgumentException naming the limit, if the file is empty, too large or of a
   *     format WeChat refuses for this kind
   */
  public void check(MediaFile file) {
    if (file.size() == 0) {
      throw new IllegalArgumentException(
          file.filename() + " is empty; WeChat refuses empty media (44001)");
    }
    if (file.size() > maxBytes) {
      throw new IllegalArgumentException(
          file.filename()
              + " has "
              + file.size()
              + " bytes; WeChat accepts at most "
              + maxBytes
              + " bytes for "
              + wireName()
              + " (40006)");
    }
    if (!extensions.contains(file.extension())) {
      throw new IllegalArgumentException(
          file.filename()
              + " is not a format WeChat accepts for "
              + wireName()
              + " "
              + extensions.stream().sorted().toList()
              + " (40005)");
    }
  }
}
