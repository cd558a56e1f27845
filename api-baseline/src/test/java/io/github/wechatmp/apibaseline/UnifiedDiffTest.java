package io.github.wechatmp.apibaseline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The diff a failing baseline check prints. */
class UnifiedDiffTest {
  private static String lines(int from, int to) {
    List<String> out = new ArrayList<>();
    for (int i = from; i <= to; i++) {
      out.add("line " + i);
    }
    return String.join("\n", out) + "\n";
  }

  @Test
  void equalTextsGiveNoDiff() {
    assertEquals("", UnifiedDiff.of("a", lines(1, 5), "b", lines(1, 5)));
  }

  @Test
  void aChangedLineIsShownWithThreeLinesOfContextAndItsPositionsInBothTexts() {
    String before = lines(1, 20);
    String after = before.replace("line 10\n", "line ten\n").replace("line 18\n", "");
    assertEquals(
        "--- a/x.api\n"
            + "+++ b/x.api\n"
            + "@@ -7,7 +7,7 @@\n"
            + " line 7\n"
            + " line 8\n"
            + " line 9\n"
            + "-line 10\n"
            + "+line ten\n"
            + " line 11\n"
            + " line 12\n"
            + " line 13\n"
            + "@@ -15,6 +15,5 @@\n"
            + " line 15\n"
            + " line 16\n"
            + " line 17\n"
            + "-line 18\n"
            + " line 19\n"
            + " line 20\n",
        UnifiedDiff.of("a/x.api", before, "b/x.api", after));
  }

  @Test
  void changesCloseTogetherShareOneHunkAndAnAddedFileStartsAtLineZero() {
    String before = lines(1, 6);
    String after = before.replace("line 2\n", "line 2\nnew\n").replace("line 5\n", "");
    assertEquals(
        "--- a\n+++ b\n@@ -1,6 +1,6 @@\n line 1\n line 2\n+new\n line 3\n line 4\n-line 5\n line 6\n",
        UnifiedDiff.of("a", before, "b", after));
    assertEquals("--- a\n+++ b\n@@ -0,0 +1,1 @@\n+only\n", UnifiedDiff.of("a", "", "b", "only\n"));
  }
}
