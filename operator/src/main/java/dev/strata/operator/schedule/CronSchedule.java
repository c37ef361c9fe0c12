package dev.strata.operator.schedule;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A standard 5-field cron expression (minute, hour, day of month, month, day of week; lists,
 * ranges, steps, month and day names, {@code 7} for Sunday) or a macro ({@code @hourly},
 * {@code @daily}/{@code @midnight}, {@code @weekly}, {@code @monthly},
 * {@code @yearly}/{@code @annually}), read in a time zone. When both day fields are restricted, a
 * day matching either fires (as in Vixie cron). Each local time fires at most once: a time skipped
 * by a daylight-saving jump fires at the same offset after the jump, and a time that occurs twice
 * fires the first time only.
 */
public final class CronSchedule {

  private static final Map<String, String> MACROS =
      Map.of(
          "@yearly",
          "0 0 1 1 *",
          "@annually",
          "0 0 1 1 *",
          "@monthly",
          "0 0 1 * *",
          "@weekly",
          "0 0 * * 0",
          "@daily",
          "0 0 * * *",
          "@midnight",
          "0 0 * * *",
          "@hourly",
          "0 * * * *");
  private static final String[] MONTHS = {
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"
  };
  private static final String[] DAYS = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

  /** Four years and a day: every valid expression fires within that (29 February included). */
  private static final long SEARCH_DAYS = 4 * 366 + 1;

  private final String text;
  private final BitSet minutes;
  private final BitSet hours;
  private final BitSet daysOfMonth;
  private final BitSet months;
  private final BitSet daysOfWeek;
  private final boolean domRestricted;
  private final boolean dowRestricted;
  private final ZoneId zone;

  private CronSchedule(String text, String[] f, ZoneId zone) {
    this.text = text;
    this.minutes = field(f[0], 0, 59, null, "minute");
    this.hours = field(f[1], 0, 23, null, "hour");
    this.daysOfMonth = field(f[2], 1, 31, null, "day of month");
    this.months = field(f[3], 1, 12, MONTHS, "month");
    BitSet dow = field(f[4], 0, 7, DAYS, "day of week");
    if (dow.get(7)) {
      dow.set(0);
    }
    this.daysOfWeek = dow;
    this.domRestricted = !isStar(f[2]);
    this.dowRestricted = !isStar(f[4]);
    this.zone = zone;
  }

  /**
   * @throws IllegalArgumentException saying which field is wrong and how to write it
   */
  public static CronSchedule parse(String expression, String timeZone) {
    ZoneId zone;
    try {
      zone = ZoneId.of(timeZone == null || timeZone.isBlank() ? "UTC" : timeZone);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "unknown time zone '" + timeZone + "': use an IANA name such as Europe/Berlin or UTC");
    }
    String text = expression == null ? "" : expression.trim();
    String expanded = MACROS.getOrDefault(text.toLowerCase(Locale.ROOT), text);
    String[] f = expanded.split("\\s+");
    if (f.length != 5) {
      throw new IllegalArgumentException(
          "schedule '"
              + text
              + "' has "
              + f.length
              + " fields; write minute hour day-of-month month day-of-week, e.g. '0 3 * * *', or a macro such as @daily");
    }
    CronSchedule s = new CronSchedule(text, f, zone);
    if (s.next(ZonedDateTime.now(zone)).isEmpty()) {
      throw new IllegalArgumentException("schedule '" + text + "' never fires (e.g. 30 February)");
    }
    return s;
  }

  public ZoneId zone() {
    return zone;
  }

  /**
   * The first fire time strictly after {@code after}, or empty when there is none within four
   * years.
   */
  public Optional<ZonedDateTime> next(ZonedDateTime after) {
    ZonedDateTime from = after.withZoneSameInstant(zone);
    LocalDateTime t = from.toLocalDateTime().truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
    LocalDate limit = t.toLocalDate().plusDays(SEARCH_DAYS);
    while (t.toLocalDate().isBefore(limit)) {
      if (!months.get(t.getMonthValue())) {
        t = t.withDayOfMonth(1).plusMonths(1).truncatedTo(ChronoUnit.DAYS);
      } else if (!dayMatches(t.toLocalDate())) {
        t = t.plusDays(1).truncatedTo(ChronoUnit.DAYS);
      } else if (!hours.get(t.getHour())) {
        t = t.plusHours(1).truncatedTo(ChronoUnit.HOURS);
      } else if (!minutes.get(t.getMinute())) {
        t = t.plusMinutes(1);
      } else {
        ZonedDateTime z = ZonedDateTime.ofLocal(t, zone, null);
        if (z.toInstant().isAfter(after.toInstant())) {
          return Optional.of(z);
        }
        t = t.plusMinutes(1); // a local time moved forward by a DST gap onto one already past
      }
    }
    return Optional.empty();
  }

  /**
   * The latest fire time in ({@code from}, {@code until}], or empty. Searches backward from {@code
   * until}, so its cost does not grow with the length of the interval: an every-minute schedule
   * whose operator was down (or whose clock jumped) for a year finds its newest missed run as fast
   * as a nightly one.
   */
  public Optional<ZonedDateTime> latestBetween(ZonedDateTime from, ZonedDateTime until) {
    Optional<ZonedDateTime> candidate = latestAtOrBefore(until);
    if (candidate.isEmpty()) {
      return Optional.empty();
    }
    // A daylight-saving gap moves a local time forward past later local times; step forward with
    // next() (the
    // definition of a fire time) to the last one not after until.
    ZonedDateTime latest = candidate.get();
    for (Optional<ZonedDateTime> n = next(latest);
        n.isPresent() && !n.get().toInstant().isAfter(until.toInstant());
        n = next(n.get())) {
      latest = n.get();
    }
    return latest.toInstant().isAfter(from.toInstant()) ? Optional.of(latest) : Optional.empty();
  }

  /**
   * A fire time at or before {@code until} with no fire of a later local time before it, or empty
   * within four years.
   */
  private Optional<ZonedDateTime> latestAtOrBefore(ZonedDateTime until) {
    LocalDateTime t =
        until.withZoneSameInstant(zone).toLocalDateTime().truncatedTo(ChronoUnit.MINUTES);
    LocalDate limit = t.toLocalDate().minusDays(SEARCH_DAYS);
    while (t.toLocalDate().isAfter(limit)) {
      if (!months.get(t.getMonthValue())) {
        t = t.withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS).minusMinutes(1);
      } else if (!dayMatches(t.toLocalDate())) {
        t = t.truncatedTo(ChronoUnit.DAYS).minusMinutes(1);
      } else if (!hours.get(t.getHour())) {
        t = t.truncatedTo(ChronoUnit.HOURS).minusMinutes(1);
      } else if (!minutes.get(t.getMinute())) {
        t = t.minusMinutes(1);
      } else {
        ZonedDateTime z = ZonedDateTime.ofLocal(t, zone, null);
        if (!z.toInstant().isAfter(until.toInstant())) {
          return Optional.of(z);
        }
        t = t.minusMinutes(1); // a local time moved past until by a DST gap
      }
    }
    return Optional.empty();
  }

  private boolean dayMatches(LocalDate d) {
    boolean dom = daysOfMonth.get(d.getDayOfMonth());
    boolean dow = daysOfWeek.get(d.getDayOfWeek().getValue() % 7);
    if (domRestricted && dowRestricted) {
      return dom || dow;
    }
    return dom && dow;
  }

  private static boolean isStar(String f) {
    return f.equals("*") || f.equals("?");
  }

  private static BitSet field(String spec, int min, int max, String[] names, String what) {
    BitSet bits = new BitSet(max + 1);
    for (String part : spec.split(",")) {
      try {
        int step = 1;
        String range = part;
        int slash = part.indexOf('/');
        if (slash >= 0) {
          step = Integer.parseInt(part.substring(slash + 1));
          range = part.substring(0, slash);
          if (step < 1) {
            throw new IllegalArgumentException("step must be at least 1");
          }
        }
        int lo;
        int hi;
        if (range.equals("*") || range.equals("?")) {
          lo = min;
          hi = max;
        } else if (range.contains("-")) {
          String[] ends = range.split("-", 2);
          lo = value(ends[0], names, min);
          hi = value(ends[1], names, min);
        } else {
          lo = value(range, names, min);
          hi = slash >= 0 ? max : lo;
        }
        if (lo < min || hi > max || lo > hi) {
          throw new IllegalArgumentException("out of range " + min + "-" + max);
        }
        for (int v = lo; v <= hi; v += step) {
          bits.set(v);
        }
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            "the "
                + what
                + " field '"
                + spec
                + "' is not valid ("
                + e.getMessage()
                + "): use numbers "
                + min
                + "-"
                + max
                + (names == null ? "" : " or names")
                + ", lists (1,5), ranges (1-5) and steps (*/15)");
      }
    }
    return bits;
  }

  private static int value(String token, String[] names, int min) {
    if (names != null) {
      String upper = token.toUpperCase(Locale.ROOT);
      for (int i = 0; i < names.length; i++) {
        if (names[i].equals(upper)) {
          return i + min;
        }
      }
    }
    return Integer.parseInt(token);
  }

  @Override
  public String toString() {
    return text + " (" + zone + ")";
  }
}
