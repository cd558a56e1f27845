package io.github.wechatmp.internal.callback;

import java.util.AbstractMap;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The unmodifiable fields of a message. Only the SDK makes them (this package is not exported), so
 * a record given one knows nobody holds a mutable view of it and need not copy it; any other map is
 * copied.
 */
public final class Fields extends AbstractMap<String, String> {
  private final Map<String, String> map;

  private Fields(Map<String, String> map) {
    this.map = map;
  }

  /** Wraps {@code owned}, which the caller hands over and never touches again. */
  public static Fields own(Map<String, String> owned) {
    return new Fields(Collections.unmodifiableMap(owned));
  }

  public static Fields copyOf(Map<String, String> any) {
    return any instanceof Fields f ? f : own(new LinkedHashMap<>(any));
  }

  @Override
  public String get(Object key) {
    return map.get(key);
  }

  @Override
  public boolean containsKey(Object key) {
    return map.containsKey(key);
  }

  @Override
  public int size() {
    return map.size();
  }

  @Override
  public Set<Entry<String, String>> entrySet() {
    return map.entrySet();
  }
}
