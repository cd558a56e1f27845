package io.github.wechatmp.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import okhttp3.MediaType;
import okhttp3.RequestBody;

/**
 * A file to upload: its name and content type (which WeChat needs to accept it) and its bytes, on
 * disk or in memory. A file on disk is streamed when sent, never read into memory whole. Immutable.
 */
public final class MediaFile {
  private final String filename;
  private final String contentType;
  private final long size;
  private final Path path;
  private final byte[] bytes;

  private MediaFile(String filename, String contentType, long size, Path path, byte[] bytes) {
    this.filename = filename;
    this.contentType = contentType;
    this.size = size;
    this.path = path;
    this.bytes = bytes;
  }

  /**
   * A file on disk, named and typed after its file name's extension.
   *
   * @param path a readable regular file
   * @return the file
   * @throws IllegalArgumentException if it is not a readable regular file
   * @throws UncheckedIOException if its size cannot be read
   */
  public static MediaFile of(Path path) {
    Objects.requireNonNull(path, "path");
    if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
      throw new IllegalArgumentException("not a readable regular file: " + path);
    }
    Path name = path.getFileName();
    String filename = checkName(name == null ? "" : name.toString());
    try {
      return new MediaFile(filename, contentTypeOf(filename), Files.size(path), path, null);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the size of " + path, e);
    }
  }

  /**
   * Bytes in memory under a file name, typed after its extension. For small files (a thumb, an
   * image); use {@link #of(Path)} for video.
   *
   * @param filename the name WeChat sees, with its extension, such as {@code logo.png}
   * @param content the bytes; copied
   * @return the file
   * @throws IllegalArgumentException if the name is blank or has no extension
   */
  public static MediaFile of(String filename, byte[] content) {
    Objects.requireNonNull(content, "content");
    String name = checkName(filename);
    return new MediaFile(name, contentTypeOf(name), content.length, null, content.clone());
  }

  private static String checkName(String filename) {
    String name = filename == null ? "" : filename.strip();
    int dot = name.lastIndexOf('.');
    if (dot <= 0 || dot == name.length() - 1 || name.contains("\"") || name.contains("/")) {
      throw new IllegalArgumentException(
          "a media file needs a plain file name with an extension (WeChat reads the format from it,"
              + " and answers 40005 or 40113 without one): "
              + filename);
    }
    return name;
  }

  /**
   * Returns the file name WeChat sees.
   *
   * @return the name, with its extension
   */
  public String filename() {
    return filename;
  }

  /**
   * Returns the file name's extension in lower case.
   *
   * @return such as {@code jpg}
   */
  public String extension() {
    return filename.substring(filename.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
  }

  /**
   * Returns the content type sent with the file, from its extension.
   *
   * @return such as {@code image/jpeg}; {@code application/octet-stream} for unknown extensions
   */
  public String contentType() {
    return contentType;
  }

  /**
   * Returns the file's size.
   *
   * @return the size in bytes, as read when this was made
   */
  public long size() {
    return size;
  }

  RequestBody requestBody() {
    MediaType type = MediaType.get(contentType);
    return path != null ? RequestBody.create(path.toFile(), type) : RequestBody.create(bytes, type);
  }

  private static String contentTypeOf(String filename) {
    String ext = filename.substring(filename.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
    return switch (ext) {
      case "jpg", "jpeg" -> "image/jpeg";
      case "png" -> "image/png";
      case "gif" -> "image/gif";
      case "bmp" -> "image/bmp";
      case "amr" -> "audio/amr";
      case "mp3" -> "audio/mpeg";
      case "mp4" -> "video/mp4";
      default -> "application/octet-stream";
    };
  }

  @Override
  public String toString() {
    return "MediaFile{" + filename + ", " + contentType + ", " + size + " bytes}";
  }
}
