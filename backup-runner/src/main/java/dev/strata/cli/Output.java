package dev.strata.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.strata.engine.index.IndexCodec;
import java.io.PrintWriter;
import java.util.Locale;

/** What commands print: results to stdout (JSON with --json), everything else to stderr. */
final class Output {

  private Output() {}

  static void json(PrintWriter out, Object value) {
    try {
      out.println(IndexCodec.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static String compactJson(Object value) {
    try {
      return IndexCodec.mapper().writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static String bytes(long n) {
    return dev.strata.engine.Sizes.human(n);
  }

  private static final java.time.format.DateTimeFormatter TIME =
      java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
          .withZone(java.time.ZoneOffset.UTC);

  /** A time in a table: UTC to the second, always 19 characters wide. */
  static String time(java.time.Instant t) {
    return t == null ? "-" : TIME.format(t);
  }

  /**
   * Prints rows as columns two spaces apart, each as wide as its widest cell; {@code right} says
   * which columns align right (numbers). The last column is not padded.
   */
  static void table(PrintWriter out, java.util.List<String[]> rows, boolean... right) {
    if (rows.isEmpty()) {
      return;
    }
    int n = rows.get(0).length;
    int[] width = new int[n];
    for (String[] r : rows) {
      for (int i = 0; i < n; i++) {
        width[i] = Math.max(width[i], r[i].codePointCount(0, r[i].length()));
      }
    }
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < n; i++) {
        String cell = r[i];
        String pad = " ".repeat(width[i] - cell.codePointCount(0, cell.length()));
        boolean alignRight = i < right.length && right[i];
        if (i == n - 1 && !alignRight) {
          line.append(cell);
        } else {
          line.append(alignRight ? pad + cell : cell + pad);
        }
        if (i < n - 1) {
          line.append("  ");
        }
      }
      out.println(line.toString().stripTrailing());
    }
  }

  static String rate(double bytesPerSecond) {
    return String.format(Locale.ROOT, "%.0f MB/s", bytesPerSecond / 1e6);
  }
}
