package dev.strata.operator.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CronScheduleTest {

  @ParameterizedTest(name = "{0} in {1} after {2} -> {3}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      0 3 * * *        | UTC              | 2026-11-26T07:00Z                 | 2026-11-27T03:00Z
      0 3 * * *        | UTC              | 2026-11-26T02:59:59Z              | 2026-11-26T03:00Z
      */15 * * * *     | UTC              | 2026-11-26T07:00Z                 | 2026-11-26T07:15Z
      @hourly          | UTC              | 2026-11-26T07:30Z                 | 2026-11-26T08:00Z
      @daily           | Europe/Berlin    | 2026-11-26T07:30Z                 | 2026-11-26T23:00Z
      @weekly          | UTC              | 2026-11-26T07:30Z                 | 2026-11-29T00:00Z
      @monthly         | UTC              | 2026-11-26T07:30Z                 | 2026-12-01T00:00Z
      @yearly          | UTC              | 2026-11-26T07:30Z                 | 2027-01-01T00:00Z
      0 0 29 2 *       | UTC              | 2026-11-26T00:00Z                 | 2028-02-29T00:00Z
      30 4 1,15 * MON  | UTC              | 2026-11-26T00:00Z                 | 2026-11-30T04:30Z
      0 12 * JAN-MAR SUN-SAT | UTC        | 2026-11-26T00:00Z                 | 2027-01-01T12:00Z
      0 0 * * 7        | UTC              | 2026-11-26T00:00Z                 | 2026-11-29T00:00Z
      5/20 * * * *     | UTC              | 2026-11-26T00:06Z                 | 2026-11-26T00:25Z
      """)
  void nextFireTime(String expr, String zone, String after, String expected) {
    CronSchedule s = CronSchedule.parse(expr.trim(), zone.trim());
    assertThat(s.next(ZonedDateTime.parse(after.trim())).orElseThrow().toInstant())
        .isEqualTo(ZonedDateTime.parse(expected.trim()).toInstant());
  }

  @Test
  void aTimeSkippedBySpringForwardFiresOnceAfterTheJump() {
    // Europe/Berlin jumps from 02:00 to 03:00 on 2026-03-29.
    CronSchedule s = CronSchedule.parse("30 2 * * *", "Europe/Berlin");
    ZonedDateTime fire = s.next(ZonedDateTime.parse("2026-03-28T23:00Z")).orElseThrow();
    assertThat(fire.toInstant())
        .isEqualTo(ZonedDateTime.parse("2026-03-29T01:30Z").toInstant()); // 03:30 CEST
    assertThat(s.next(fire).orElseThrow().toInstant())
        .isEqualTo(ZonedDateTime.parse("2026-03-30T00:30Z").toInstant());
  }

  @Test
  void aTimeThatOccursTwiceOnFallBackFiresOnce() {
    // Europe/Berlin repeats 02:00-03:00 on 2026-10-25.
    CronSchedule s = CronSchedule.parse("30 2 * * *", "Europe/Berlin");
    ZonedDateTime first = s.next(ZonedDateTime.parse("2026-10-24T23:00Z")).orElseThrow();
    assertThat(first.toInstant())
        .isEqualTo(ZonedDateTime.parse("2026-10-25T00:30Z").toInstant()); // 02:30 CEST
    assertThat(s.next(first).orElseThrow().toInstant())
        .isEqualTo(ZonedDateTime.parse("2026-10-26T01:30Z").toInstant());
  }

  @Test
  void latestBetweenFindsOnlyTheNewestMissedRun() {
    CronSchedule s = CronSchedule.parse("0 * * * *", "UTC");
    assertThat(
            s.latestBetween(
                ZonedDateTime.parse("2026-11-26T01:00Z"), ZonedDateTime.parse("2026-11-26T07:30Z")))
        .map(ZonedDateTime::toInstant)
        .contains(ZonedDateTime.parse("2026-11-26T07:00Z").toInstant());
    assertThat(
            s.latestBetween(
                ZonedDateTime.parse("2026-11-26T07:00Z"), ZonedDateTime.parse("2026-11-26T07:30Z")))
        .isEmpty();
  }

  @Test
  void latestBetweenOfAnEveryMinuteScheduleAYearLongIsTheLastMinute() {
    CronSchedule s = CronSchedule.parse("* * * * *", "UTC");
    assertThat(
            s.latestBetween(
                ZonedDateTime.parse("2026-11-26T01:00Z"),
                ZonedDateTime.parse("2027-11-26T07:30:59Z")))
        .map(ZonedDateTime::toInstant)
        .contains(ZonedDateTime.parse("2027-11-26T07:30Z").toInstant());
  }

  /**
   * latestBetween agrees with stepping through next() one fire at a time, across daylight-saving
   * changes.
   */
  @Test
  void latestBetweenAgreesWithNextAroundDaylightSavingChanges() {
    String[] exprs = {
      "30 2 * * *",
      "0,30 1-3 * * *",
      "*/7 * * * *",
      "15 2,3 * * *",
      "0 0 1 * *",
      "45 1 * * SUN",
      "0 3 29 2 *"
    };
    String[] zones = {"Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "UTC"};
    java.util.Random random = new java.util.Random(18);
    ZonedDateTime base = ZonedDateTime.parse("2026-01-01T00:00Z");
    for (int i = 0; i < 3000; i++) {
      CronSchedule s =
          CronSchedule.parse(
              exprs[random.nextInt(exprs.length)], zones[random.nextInt(zones.length)]);
      ZonedDateTime from = base.plusMinutes(random.nextInt(2 * 366 * 24 * 60));
      ZonedDateTime until =
          from.plusMinutes(random.nextInt(3 * 24 * 60)).plusSeconds(random.nextInt(60));
      java.util.Optional<ZonedDateTime> expected = java.util.Optional.empty();
      for (java.util.Optional<ZonedDateTime> n = s.next(from);
          n.isPresent() && !n.get().toInstant().isAfter(until.toInstant());
          n = s.next(n.get())) {
        expected = n;
      }
      assertThat(s.latestBetween(from, until).map(ZonedDateTime::toInstant))
          .as(s + " in (" + from + ", " + until + "]")
          .isEqualTo(expected.map(ZonedDateTime::toInstant));
    }
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      0 3 * *          | UTC          | has 4 fields
      61 * * * *       | UTC          | the minute field '61' is not valid
      0 3 * * FUNDAY   | UTC          | the day of week field 'FUNDAY' is not valid
      0 0 30 2 *       | UTC          | never fires
      0 3 * * *        | Mars/Olympus | unknown time zone 'Mars/Olympus'
      */0 * * * *      | UTC          | step must be at least 1
      """)
  void invalidSchedulesSayWhatIsWrong(String expr, String zone, String message) {
    assertThatThrownBy(() -> CronSchedule.parse(expr.trim(), zone.trim()))
        .hasMessageContaining(message.trim());
  }
}
