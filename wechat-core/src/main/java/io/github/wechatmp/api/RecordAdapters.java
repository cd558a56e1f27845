package io.github.wechatmp.api;

import com.squareup.moshi.Json;
import com.squareup.moshi.JsonAdapter;
import com.squareup.moshi.JsonDataException;
import com.squareup.moshi.JsonReader;
import com.squareup.moshi.JsonWriter;
import com.squareup.moshi.Moshi;
import com.squareup.moshi.Types;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.HashMap;
import java.util.Map;

/**
 * Moshi adapters for records, built once per record type: components named as {@link Json} says
 * (else by their own names), read in any order, unknown members skipped, missing ones null (or zero
 * for primitives), nulls left out when writing; accessors and the constructor are method handles,
 * so no call reflects. Moshi has its own, but only in the multi-release part of its jar, which a
 * shaded (uber) jar without {@code Multi-Release: true} silently loses; records would then fail at
 * the first call.
 */
final class RecordAdapters {
  private RecordAdapters() {}

  static final JsonAdapter.Factory FACTORY =
      (type, annotations, moshi) -> {
        if (!annotations.isEmpty()) {
          return null;
        }
        Class<?> raw = Types.getRawType(type);
        return raw.isRecord() ? create(raw, moshi) : null;
      };

  private static JsonAdapter<Object> create(Class<?> type, Moshi moshi) {
    RecordComponent[] components = type.getRecordComponents();
    Class<?>[] parameterTypes = new Class<?>[components.length];
    String[] names = new String[components.length];
    MethodHandle[] accessors = new MethodHandle[components.length];
    @SuppressWarnings({"unchecked", "rawtypes"}) // Java has no generic array creation
    JsonAdapter<Object>[] adapters = new JsonAdapter[components.length];
    Map<String, Integer> index = new HashMap<>();
    MethodHandles.Lookup lookup = MethodHandles.lookup();
    try {
      for (int i = 0; i < components.length; i++) {
        RecordComponent c = components[i];
        parameterTypes[i] = c.getType();
        Json json = c.getAnnotation(Json.class);
        names[i] = json != null && !json.name().equals(Json.UNSET_NAME) ? json.name() : c.getName();
        Method accessor = c.getAccessor();
        accessor.setAccessible(true); // a record nested in a package-private class, say
        accessors[i] = lookup.unreflect(accessor);
        Type generic = c.getGenericType();
        adapters[i] = moshi.adapter(generic);
        index.put(names[i], i);
      }
      Constructor<?> constructor = type.getDeclaredConstructor(parameterTypes);
      constructor.setAccessible(true);
      MethodHandle create = lookup.unreflectConstructor(constructor);
      return new Adapter(type, names, accessors, adapters, index, create, parameterTypes);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalArgumentException(
          "the record "
              + type.getName()
              + " cannot be read or written: on the module path, open its package to module"
              + " io.github.wechatmp ("
              + e.getMessage()
              + ")",
          e);
    }
  }

  private static final class Adapter extends JsonAdapter<Object> {
    private final Class<?> type;
    private final String[] names;
    private final MethodHandle[] accessors;
    private final JsonAdapter<Object>[] adapters;
    private final Map<String, Integer> index;
    private final MethodHandle create;
    private final Object[] defaults;

    Adapter(
        Class<?> type,
        String[] names,
        MethodHandle[] accessors,
        JsonAdapter<Object>[] adapters,
        Map<String, Integer> index,
        MethodHandle create,
        Class<?>[] parameterTypes) {
      this.type = type;
      this.names = names;
      this.accessors = accessors;
      this.adapters = adapters;
      this.index = index;
      this.create = create.asSpreader(Object[].class, parameterTypes.length);
      this.defaults = new Object[parameterTypes.length];
      for (int i = 0; i < parameterTypes.length; i++) {
        defaults[i] = zero(parameterTypes[i]);
      }
    }

    @Override
    public Object fromJson(JsonReader reader) throws IOException {
      if (reader.peek() == JsonReader.Token.NULL) {
        return reader.nextNull();
      }
      Object[] args = defaults.clone();
      reader.beginObject();
      while (reader.hasNext()) {
        Integer i = index.get(reader.nextName());
        if (i == null) {
          reader.skipValue();
          continue;
        }
        Object value = adapters[i].fromJson(reader);
        if (value != null || defaults[i] == null) {
          args[i] = value;
        }
      }
      reader.endObject();
      try {
        return create.invoke(args);
      } catch (IllegalArgumentException e) {
        throw new JsonDataException(
            type.getSimpleName()
                + " refused the JSON at "
                + reader.getPath()
                + ": "
                + e.getMessage(),
            e);
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable e) {
        throw new JsonDataException("cannot make a " + type.getSimpleName(), e);
      }
    }

    @Override
    public void toJson(JsonWriter writer, Object value) throws IOException {
      if (value == null) {
        writer.nullValue();
        return;
      }
      writer.beginObject();
      for (int i = 0; i < names.length; i++) {
        Object v;
        try {
          v = accessors[i].invoke(value);
        } catch (RuntimeException | Error e) {
          throw e;
        } catch (Throwable e) {
          throw new IllegalStateException("cannot read " + type.getSimpleName(), e);
        }
        if (v != null) {
          writer.name(names[i]);
          adapters[i].toJson(writer, v);
        }
      }
      writer.endObject();
    }

    @Override
    public String toString() {
      return "RecordAdapter(" + type.getName() + ")";
    }

    private static Object zero(Class<?> c) {
      if (!c.isPrimitive()) {
        return null;
      }
      if (c == boolean.class) {
        return false;
      }
      if (c == char.class) {
        return '\0';
      }
      if (c == long.class) {
        return 0L;
      }
      if (c == double.class) {
        return 0d;
      }
      if (c == float.class) {
        return 0f;
      }
      if (c == byte.class) {
        return (byte) 0;
      }
      if (c == short.class) {
        return (short) 0;
      }
      return 0;
    }
  }
}
