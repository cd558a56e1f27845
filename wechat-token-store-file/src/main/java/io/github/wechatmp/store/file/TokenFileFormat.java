package io.github.wechatmp.store.file;

import com.squareup.moshi.JsonEncodingException;
import com.squareup.moshi.JsonReader;
import com.squareup.moshi.JsonWriter;
import io.github.wechatmp.token.AccessToken;
import io.github.wechatmp.token.TokenKey;
import io.github.wechatmp.token.TokenStore;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import okio.Buffer;

/**
 * The token file's JSON layout, version 1:
 *
 * <pre>{@code
 * {
 *   "version": 1,
 *   "tokens": {
 *     "wx0123456789abcdef:access_token": {
 *       "value": "...",
 *       "issuedAt": "2026-11-24T08:00:00.123Z",
 *       "expiresAt": "2026-11-24T10:00:00.123Z"
 *     }
 *   }
 * }
 * }</pre>
 *
 * An optional {@code "holdOffs"} object, keyed as {@code "tokens"}, holds the hold-offs shared
 * after failed refreshes: {@code {"failures": 3, "notBefore": "...", "errcode": 40125, "errmsg":
 * "..."}}; older readers ignore it. Entries are keyed by {@link TokenKey#toString()}; {@code
 * expiresAt} and {@code issuedAt} are ISO-8601 in UTC, exact to the nanosecond. {@code issuedAt} is
 * optional: entries written before it was stored (and by a token that does not know it) have none,
 * and read as tokens of unknown issue time; older readers ignore it, as they ignore every unknown
 * member. Stateless and thread-safe. Parsing never throws: what cannot be used is reported as
 * problems, whose texts name keys and fields but never contain a token value.
 */
final class TokenFileFormat {
  static final int VERSION = 1;

  private TokenFileFormat() {}

  /** What a file holds: the usable entries, and why anything else was ignored. */
  static final class Parsed {
    static final Parsed NO_FILE = new Parsed(Map.of(), List.of());

    final Map<TokenKey, AccessToken> tokens;

    /** The shared hold-offs after failed refreshes; the unusable ones are left out silently. */
    final Map<TokenKey, TokenStore.SharedHoldOff> holdOffs;

    /** Empty if the whole file was usable. */
    final List<String> problems;

    Parsed(Map<TokenKey, AccessToken> tokens, List<String> problems) {
      this(tokens, Map.of(), problems);
    }

    Parsed(
        Map<TokenKey, AccessToken> tokens,
        Map<TokenKey, TokenStore.SharedHoldOff> holdOffs,
        List<String> problems) {
      this.tokens = Collections.unmodifiableMap(tokens);
      this.holdOffs = Collections.unmodifiableMap(holdOffs);
      this.problems = List.copyOf(problems);
    }

    static Parsed unusable(String problem) {
      return new Parsed(Map.of(), List.of(problem));
    }
  }

  static Parsed parse(byte[] bytes) {
    if (bytes.length == 0) {
      return Parsed.unusable("the file is empty");
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      return Parsed.unusable("the file is not UTF-8 text");
    }
    Object root;
    try (JsonReader reader = JsonReader.of(new Buffer().writeUtf8(text))) {
      root = reader.readJsonValue();
      if (reader.peek() != JsonReader.Token.END_DOCUMENT) {
        return Parsed.unusable("the file has content after its JSON document");
      }
    } catch (EOFException e) {
      return Parsed.unusable("the file ends inside its JSON document (truncated)");
    } catch (JsonEncodingException e) {
      // A syntax error's message names a JSON path and what was expected, never the text itself.
      String message =
          String.valueOf(e.getMessage())
              .replace(
                  "Use JsonReader.setLenient(true) to accept malformed JSON", "malformed JSON");
      return Parsed.unusable("the file is not valid JSON: " + message);
    } catch (IOException | RuntimeException e) {
      // Other messages (a duplicate name) may quote values, which may be tokens: leave them out.
      return Parsed.unusable("the file is not valid JSON (" + e.getClass().getSimpleName() + ")");
    }
    if (!(root instanceof Map)) {
      return Parsed.unusable("the file's top level is not a JSON object");
    }
    Map<?, ?> document = (Map<?, ?>) root;
    Object version = document.get("version");
    if (version != null
        && !(version instanceof Number && ((Number) version).doubleValue() == VERSION)) {
      return Parsed.unusable("the file's \"version\" is not " + VERSION);
    }
    Object tokens = document.get("tokens");
    if (!(tokens instanceof Map)) {
      return Parsed.unusable("the file has no \"tokens\" object");
    }
    Map<TokenKey, AccessToken> entries = new TreeMap<>(TokenFileFormat::compareKeys);
    List<String> problems = new ArrayList<>();
    for (Map.Entry<?, ?> e : ((Map<?, ?>) tokens).entrySet()) {
      String name = String.valueOf(e.getKey());
      TokenKey key;
      try {
        key = TokenKey.parse(name);
      } catch (IllegalArgumentException ex) {
        problems.add("an entry's name is not of the form appId:kind");
        continue;
      }
      String problem = entryProblem(e.getValue());
      if (problem != null) {
        problems.add("entry " + key + " " + problem);
        continue;
      }
      Map<?, ?> fields = (Map<?, ?>) e.getValue();
      AccessToken token =
          AccessToken.of(
              (String) fields.get("value"), Instant.parse((String) fields.get("expiresAt")));
      Object issuedAt = fields.get("issuedAt");
      if (issuedAt != null) {
        try {
          token = token.withIssuedAt(Instant.parse((String) issuedAt));
        } catch (RuntimeException ex) {
          // Unusable issue time: the token still is; it is then of unknown lifetime.
          problems.add("entry " + key + " has an \"issuedAt\" that is not a usable instant");
        }
      }
      entries.put(key, token);
    }
    return new Parsed(entries, holdOffs(document.get("holdOffs")), problems);
  }

  /** The hold-offs of the optional {@code holdOffs} member; what does not parse is left out. */
  private static Map<TokenKey, TokenStore.SharedHoldOff> holdOffs(Object member) {
    if (!(member instanceof Map)) {
      return Map.of();
    }
    Map<TokenKey, TokenStore.SharedHoldOff> result = new TreeMap<>(TokenFileFormat::compareKeys);
    for (Map.Entry<?, ?> e : ((Map<?, ?>) member).entrySet()) {
      try {
        Map<?, ?> f = (Map<?, ?>) e.getValue();
        result.put(
            TokenKey.parse(String.valueOf(e.getKey())),
            TokenStore.SharedHoldOff.of(
                ((Number) f.get("failures")).intValue(),
                Instant.parse((String) f.get("notBefore")),
                ((Number) f.get("errcode")).intValue(),
                (String) f.get("errmsg")));
      } catch (RuntimeException unusable) {
        // A hold-off is advice: one that cannot be read is as if none were recorded.
      }
    }
    return result;
  }

  /** Returns why {@code entry} is not a usable token, or null if it is. */
  private static String entryProblem(Object entry) {
    if (!(entry instanceof Map)) {
      return "is not a JSON object";
    }
    Map<?, ?> fields = (Map<?, ?>) entry;
    Object value = fields.get("value");
    Object expiresAt = fields.get("expiresAt");
    if (!(value instanceof String)) {
      return value == null ? "has no \"value\"" : "has a \"value\" that is not a string";
    }
    if (!(expiresAt instanceof String)) {
      return expiresAt == null
          ? "has no \"expiresAt\""
          : "has an \"expiresAt\" that is not a string";
    }
    try {
      Instant.parse((String) expiresAt).toEpochMilli(); // providers count in epoch milliseconds
    } catch (DateTimeParseException ex) {
      return "has an \"expiresAt\" that is not an ISO-8601 instant";
    } catch (ArithmeticException ex) {
      return "has an \"expiresAt\" too far from 1970 to count in milliseconds";
    }
    try {
      AccessToken.of((String) value, Instant.EPOCH);
    } catch (IllegalArgumentException ex) {
      return "has a \"value\" that is not a token: " + ex.getMessage();
    }
    return null;
  }

  static byte[] write(Map<TokenKey, AccessToken> tokens) {
    return write(tokens, Map.of());
  }

  static byte[] write(
      Map<TokenKey, AccessToken> tokens, Map<TokenKey, TokenStore.SharedHoldOff> holdOffs) {
    Map<TokenKey, AccessToken> sorted = new TreeMap<>(TokenFileFormat::compareKeys);
    sorted.putAll(tokens);
    Buffer buffer = new Buffer();
    try (JsonWriter writer = JsonWriter.of(buffer)) {
      writer.setIndent("  ");
      writer.beginObject();
      writer.name("version").value(VERSION);
      writer.name("tokens").beginObject();
      for (Map.Entry<TokenKey, AccessToken> e : sorted.entrySet()) {
        writer.name(e.getKey().toString()).beginObject();
        writer.name("value").value(e.getValue().value());
        if (e.getValue().issuedAt().isPresent()) {
          writer.name("issuedAt").value(e.getValue().issuedAt().get().toString());
        }
        writer.name("expiresAt").value(e.getValue().expiresAt().toString());
        writer.endObject();
      }
      writer.endObject();
      if (!holdOffs.isEmpty()) {
        Map<TokenKey, TokenStore.SharedHoldOff> sortedHoldOffs =
            new TreeMap<>(TokenFileFormat::compareKeys);
        sortedHoldOffs.putAll(holdOffs);
        writer.name("holdOffs").beginObject();
        for (Map.Entry<TokenKey, TokenStore.SharedHoldOff> e : sortedHoldOffs.entrySet()) {
          writer.name(e.getKey().toString()).beginObject();
          writer.name("failures").value(e.getValue().failures());
          writer.name("notBefore").value(e.getValue().notBefore().toString());
          writer.name("errcode").value(e.getValue().errorCode());
          writer.name("errmsg").value(e.getValue().errorMessage());
          writer.endObject();
        }
        writer.endObject();
      }
      writer.endObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a Buffer does not fail
    }
    buffer.writeUtf8("\n");
    return buffer.readByteArray();
  }

  static int compareKeys(TokenKey a, TokenKey b) {
    return a.toString().compareTo(b.toString());
  }
}
