package io.github.wechatmp.apibaseline;

import java.util.ArrayList;
import java.util.List;

/** A unified-style line diff, as {@code diff -u} prints it, with three lines of context. */
final class UnifiedDiff {
  private static final int CONTEXT = 3;

  private UnifiedDiff() {}

  /** The diff from {@code a} to {@code b}; empty when they are equal. */
  static String of(String nameA, String a, String nameB, String b) {
    List<String> x = a.lines().toList();
    List<String> y = b.lines().toList();
    // ops: ' ' kept, '-' only in x, '+' only in y; a common prefix and suffix are cut first so
    // that the quadratic table covers only the changed middle.
    int prefix = 0;
    while (prefix < x.size() && prefix < y.size() && x.get(prefix).equals(y.get(prefix))) {
      prefix++;
    }
    int suffix = 0;
    while (suffix < x.size() - prefix
        && suffix < y.size() - prefix
        && x.get(x.size() - 1 - suffix).equals(y.get(y.size() - 1 - suffix))) {
      suffix++;
    }
    List<String> xm = x.subList(prefix, x.size() - suffix);
    List<String> ym = y.subList(prefix, y.size() - suffix);
    int[][] lcs = new int[xm.size() + 1][ym.size() + 1];
    for (int i = xm.size() - 1; i >= 0; i--) {
      for (int j = ym.size() - 1; j >= 0; j--) {
        lcs[i][j] =
            xm.get(i).equals(ym.get(j))
                ? lcs[i + 1][j + 1] + 1
                : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    StringBuilder ops = new StringBuilder(); // one op per line of lines
    List<String> lines = new ArrayList<>();
    for (int k = 0; k < prefix; k++) {
      ops.append(' ');
      lines.add(x.get(k));
    }
    int i = 0;
    int j = 0;
    while (i < xm.size() || j < ym.size()) {
      if (i < xm.size() && j < ym.size() && xm.get(i).equals(ym.get(j))) {
        ops.append(' ');
        lines.add(xm.get(i));
        i++;
        j++;
      } else if (i < xm.size() && (j == ym.size() || lcs[i + 1][j] >= lcs[i][j + 1])) {
        ops.append('-');
        lines.add(xm.get(i++));
      } else {
        ops.append('+');
        lines.add(ym.get(j++));
      }
    }
    for (int k = x.size() - suffix; k < x.size(); k++) {
      ops.append(' ');
      lines.add(x.get(k));
    }

    StringBuilder out = new StringBuilder();
    int n = ops.length();
    int k = 0;
    while (k < n) {
      if (ops.charAt(k) == ' ') {
        k++;
        continue;
      }
      // A hunk: from CONTEXT lines before this change to CONTEXT lines after the last change
      // that lies within 2 * CONTEXT kept lines of the one before it.
      int start = Math.max(0, k - CONTEXT);
      int end = k;
      int last = k;
      while (end < n) {
        if (ops.charAt(end) != ' ') {
          last = end;
        } else if (end - last > 2 * CONTEXT) {
          break;
        }
        end++;
      }
      end = Math.min(n, last + 1 + CONTEXT);
      int lineA = 1;
      int lineB = 1;
      for (int q = 0; q < start; q++) {
        lineA += ops.charAt(q) != '+' ? 1 : 0;
        lineB += ops.charAt(q) != '-' ? 1 : 0;
      }
      int countA = 0;
      int countB = 0;
      StringBuilder body = new StringBuilder();
      for (int q = start; q < end; q++) {
        char op = ops.charAt(q);
        countA += op != '+' ? 1 : 0;
        countB += op != '-' ? 1 : 0;
        body.append(op).append(lines.get(q)).append('\n');
      }
      out.append("@@ -")
          .append(countA == 0 ? lineA - 1 : lineA)
          .append(',')
          .append(countA)
          .append(" +")
          .append(countB == 0 ? lineB - 1 : lineB)
          .append(',')
          .append(countB)
          .append(" @@\n")
          .append(body);
      k = end;
    }
    return out.length() == 0 ? "" : "--- " + nameA + "\n+++ " + nameB + "\n" + out;
  }
}
