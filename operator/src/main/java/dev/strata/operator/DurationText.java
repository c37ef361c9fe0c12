package dev.strata.operator;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them in YAML: {@code 90s}, {@code 30m}, {@code 6h}, {@code 7d}, {@code
 * 1w2d}.
 */
public final class DurationText {

  private static final Pattern WHOLE = Pattern.compile("([0-9]+(s|m|h|d|w))+");
  private static final Pattern PART = Pattern.compile("([0-9]+)(s|m|h|d|w)");

  private DurationText() {}

  public static Duration parse(String text) {
    if (text == null || !WHOLE.matcher(text).matches()) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration: write it like 90s, 30m, 6h, 7d or 1w2d");
    }
    Duration total = Duration.ZERO;
    Matcher m = PART.matcher(text);
    while (m.find()) {
      long n = Long.parseLong(m.group(1));
      total =
          total.plus(
              switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofDays(7 * n);
              });
    }
    return total;
  }
}
