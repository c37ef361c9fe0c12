package dev.strata.e2e;

import dev.strata.operator.schedule.ScheduleDecider;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.TemporalAdjusters;

/**
 * The due times of the examples' nightly schedule ({@code 0 2 * * *} in Europe/Berlin), on dates
 * found from the real date a test runs on. The API server stamps a schedule's creation time with
 * the real time and a schedule counts its due times from there, so the operator's injected clock
 * must start after today: never from a date written in a test. Times go through the zone, so a run
 * that spans a daylight-saving change still finds 02:00 local.
 */
final class Nights {

  static final ZoneId ZONE = ZoneId.of("Europe/Berlin");
  static final LocalTime DUE = LocalTime.of(2, 0);

  private Nights() {}

  static LocalDate today() {
    return LocalDate.now(ZONE);
  }

  /**
   * The first Monday at least two days after {@code from} whose month also holds the {@code span -
   * 1} days after it. Retention by day, week and month then sees one calendar shape wherever the
   * test runs: the nights start on a Monday (so the first two are never the newest of their ISO
   * week) and no night is the last of a month.
   */
  static LocalDate firstMondayWithRoom(LocalDate from, int span) {
    LocalDate d = from.plusDays(2).with(TemporalAdjusters.nextOrSame(DayOfWeek.MONDAY));
    while (d.getDayOfMonth() + span > d.lengthOfMonth()) {
      d = d.plusWeeks(1);
    }
    return d;
  }

  /** When the schedule is due on that local date. */
  static Instant due(LocalDate date) {
    return ZonedDateTime.of(date, DUE, ZONE).toInstant();
  }

  /** The StateSnapshot the schedule creates for the run due on that date. */
  static String snapshotName(String schedule, LocalDate date) {
    return ScheduleDecider.snapshotName(schedule, due(date));
  }
}
