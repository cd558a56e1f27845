package io.github.wechatmp.apibaseline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.wechatmp.apibaseline.fixture.Sample;
import io.github.wechatmp.apibaseline.fixture.internal.Hidden;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** How a module's API is read from its class files and written as text. */
class ApiDumpTest {
  @Test
  void anExportedTypeIsWrittenWithItsGenericSignaturesAndOnlyItsPublicAndProtectedMembers()
      throws IOException {
    Map<String, byte[]> files = new TreeMap<>();
    for (String name :
        new String[] {
          "Sample", "Sample$Listener", "Sample$Pair", "Sample$Mode", "Sample$Helper", "Sample$1"
        }) {
      put(files, "io/github/wechatmp/apibaseline/fixture/" + name + ".class");
    }
    put(files, Hidden.class.getName().replace('.', '/') + ".class");

    String p = "io.github.wechatmp.apibaseline.fixture.";
    assertEquals(
        "# no module-info: every package without an 'internal' segment,"
            + " [io.github.wechatmp.apibaseline.fixture]\n"
            + "\n"
            + "public abstract class "
            + p
            + "Sample<K extends java.lang.Comparable<K>, V>"
            + " implements java.util.function.Supplier<V> {\n"
            + "  public static final java.lang.String NAME = \"sa\\\"mple\"\n"
            + "  protected int count\n"
            + "  protected Sample()\n"
            + "  @Deprecated public static int[] legacy()\n"
            + "  public abstract <T extends java.lang.Number & java.lang.Runnable>"
            + " java.util.Map<K, java.util.List<? super T>> lookup(K, java.lang.String...)"
            + " throws java.io.IOException\n"
            + "  protected java.lang.Runnable task()\n"
            + "}\n"
            + "\n"
            + "public interface "
            + p
            + "Sample.Listener {\n"
            + "  public void called("
            + p
            + "Sample<?, ?>)\n"
            + "  public default boolean enabled()\n"
            + "}\n"
            + "\n"
            + "public enum "
            + p
            + "Sample.Mode {\n"
            + "  public static final "
            + p
            + "Sample.Mode OFF\n"
            + "  public static final "
            + p
            + "Sample.Mode ON\n"
            + "  public static "
            + p
            + "Sample.Mode valueOf(java.lang.String)\n"
            + "  public static "
            + p
            + "Sample.Mode[] values()\n"
            + "}\n"
            + "\n"
            + "public record "
            + p
            + "Sample.Pair {\n"
            + "  public Pair(java.lang.String, long)\n"
            + "  public final boolean equals(java.lang.Object)\n"
            + "  public final int hashCode()\n"
            + "  public java.lang.String left()\n"
            + "  public long right()\n"
            + "  public final java.lang.String toString()\n"
            + "}\n",
        ApiDump.of(files));
  }

  @Test
  void aDamagedClassFileIsRefusedNamingIt() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ApiDump.of(Map.of("a/B.class", new byte[] {(byte) 0xCA, (byte) 0xFE, 0, 1})));
    assertTrue(e.getMessage().contains("a/B.class"), e.getMessage());
  }

  private static void put(Map<String, byte[]> files, String resource) throws IOException {
    try (InputStream in = Sample.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException(resource + " is not on the test class path");
      }
      files.put(resource, in.readAllBytes());
    }
  }
}
