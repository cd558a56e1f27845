package io.github.wechatmp.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds {@code shared/vectors}, which sits beside the repository root (at {@code ../shared}). */
public final class SharedVectors {
  private SharedVectors() {}

  /** Returns the path of {@code shared/vectors/<name>}, walking up from the working directory. */
  public static Path file(String name) {
    Path dir = Path.of("").toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      Path candidate = d.resolve("shared").resolve("vectors").resolve(name);
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("shared/vectors/" + name + " not found above " + dir
        + "; the repository must be checked out with shared/ beside it");
  }
}
