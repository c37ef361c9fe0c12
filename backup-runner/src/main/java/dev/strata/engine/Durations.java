package dev.strata.engine;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them: {@code 6h}, {@code 30m}, {@code 90s}, {@code 2d}, {@code 1h30m},
 * or ISO-8601 {@code PT6H}.
 */
public final class Durations {

  private static final Pattern PART = Pattern.compile("(\\d{1,12})(ms|d|h|m|s)");
  private static final List<String> UNITS = List.of("d", "h", "m", "s", "ms");

  private Durations() {}

  /**
   * @throws IllegalArgumentException naming the accepted forms
   */
  public static Duration parse(String text) {
    String s = text == null ? "" : text.strip();
    try {
      if (s.startsWith("P") || s.startsWith("p")) {
        return nonNegative(Duration.parse(s), text);
      }
      Matcher m = PART.matcher(s);
      Duration total = Duration.ZERO;
      int end = 0;
      int lastUnit = -1;
      while (m.find() && m.start() == end) {
        int unit = UNITS.indexOf(m.group(2));
        if (unit <= lastUnit) {
          throw invalid(text); // each unit once, largest first
        }
        lastUnit = unit;
        long n = Long.parseLong(m.group(1));
        total =
            total.plus(
                switch (m.group(2)) {
                  case "d" -> Duration.ofDays(n);
                  case "h" -> Duration.ofHours(n);
                  case "m" -> Duration.ofMinutes(n);
                  case "s" -> Duration.ofSeconds(n);
                  default -> Duration.ofMillis(n);
                });
        end = m.end();
      }
      if (end == 0 || end != s.length()) {
        throw invalid(text);
      }
      return total;
    } catch (DateTimeParseException | ArithmeticException e) {
      throw invalid(text);
    }
  }

  /**
   * The shortest form {@link #parse} reads back, e.g. {@code 6h}, {@code 1h30m}, {@code 2s}, {@code
   * 0s}.
   */
  public static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    if (d.isNegative()) {
      return d.toString();
    }
    StringBuilder b = new StringBuilder();
    append(b, d.toDaysPart(), "d");
    append(b, d.toHoursPart(), "h");
    append(b, d.toMinutesPart(), "m");
    append(b, d.toSecondsPart(), "s");
    append(b, d.toMillisPart(), "ms");
    return b.length() == 0 ? d.toString().toLowerCase(Locale.ROOT) : b.toString();
  }

  private static void append(StringBuilder b, long n, String unit) {
    if (n != 0) {
      b.append(n).append(unit);
    }
  }

  private static Duration nonNegative(Duration d, String text) {
    if (d.isNegative()) {
      throw invalid(text);
    }
    return d;
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException(
        "'" + text + "' is not a duration: write it like 6h, 30m, 90s, 2d, 1h30m or PT6H");
  }
}
