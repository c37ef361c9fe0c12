package dev.strata.engine;

import java.util.Locale;

/** Byte counts as people read them: 512 B, 4.0 KiB, 2.0 GiB. */
public final class Sizes {
  private Sizes() {}

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
