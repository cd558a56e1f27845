package io.github.wechatmp.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the vendored test vectors in the repository's {@code test-vectors/} folder (copies of the
 * project's shared vectors; see its README). Never looks outside the clone.
 */
public final class SharedVectors {
  private SharedVectors() {}

  /**
   * Returns the path of {@code test-vectors/<name>}, walking up from the working directory to the
   * repository root (the folder holding {@code mvnw}).
   */
  public static Path file(String name) {
    Path dir = Path.of("").toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      Path candidate = d.resolve("test-vectors").resolve(name);
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
      if (Files.isRegularFile(d.resolve("mvnw"))) {
        break; // the repository root: nothing above it is ours to read
      }
    }
    throw new IllegalStateException(
        "test-vectors/" + name + " not found between " + dir + " and the repository root");
  }
}
