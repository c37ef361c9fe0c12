package dev.strata.engine;

import java.util.Locale;

/** Byte counts as people read them: 512 B, 4.0 KiB, 2.0 GiB. */
public final class Sizes {
  private Sizes() {}

  /** A size as people write it: 16777216, 16M, 16MiB, 512K, 1G (powers of 1024). */
  public static long parse(String s) {
    String t = s == null ? "" : s.trim();
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("(\\d+)\\s*([kKmMgG]?)(i?B)?").matcher(t);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + s + "' is not a size (like 16M, 16MiB, 512K or 16777216)");
    }
    long n = Long.parseLong(m.group(1));
    int shift =
        switch (m.group(2).toUpperCase(Locale.ROOT)) {
          case "K" -> 10;
          case "M" -> 20;
          case "G" -> 30;
          default -> 0;
        };
    if (n > (Long.MAX_VALUE >> shift)) {
      throw new IllegalArgumentException("'" + s + "' is too large");
    }
    return n << shift;
  }

  public static String human(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
