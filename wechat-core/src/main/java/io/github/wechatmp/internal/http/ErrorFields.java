package io.github.wechatmp.internal.http;

import com.squareup.moshi.JsonReader;
import java.io.IOException;
import okio.BufferedSource;

/**
 * The {@code errcode} and {@code errmsg} of one of WeChat's JSON answers, read without binding the
 * rest: for the API client's check of every answer and the interceptor's look for a rejected token.
 * Internal: not part of the SDK's API.
 *
 * @param code the {@code errcode}, 0 when absent
 * @param message the {@code errmsg}, or null
 * @param wellFormed whether the answer was one whole, well-formed JSON object
 */
public record ErrorFields(long code, String message, boolean wellFormed) {
  /**
   * Reads the fields from {@code source}, which the caller has peeked so nothing is consumed. An
   * answer that is not an object, is malformed or is cut off gives what was read before the fault,
   * with {@code wellFormed} false; it never throws for the answer's content.
   *
   * @param source the answer
   * @return the fields
   */
  public static ErrorFields read(BufferedSource source) {
    long code = 0;
    String message = null;
    try (JsonReader reader = JsonReader.of(source)) {
      if (reader.peek() != JsonReader.Token.BEGIN_OBJECT) {
        return new ErrorFields(0, null, false);
      }
      reader.beginObject();
      while (reader.hasNext()) {
        String name = reader.nextName();
        if (name.equals("errcode") && reader.peek() == JsonReader.Token.NUMBER) {
          code = reader.nextLong();
        } else if (name.equals("errmsg") && reader.peek() == JsonReader.Token.STRING) {
          message = reader.nextString();
        } else {
          reader.skipValue();
        }
      }
      reader.endObject();
      return new ErrorFields(code, message, true);
    } catch (IOException | RuntimeException malformed) {
      return new ErrorFields(code, message, false);
    }
  }
}
