package dev.strata.operator.retention;

import static dev.strata.operator.retention.RetentionEvaluator.Outcome.FAILED;
import static dev.strata.operator.retention.RetentionEvaluator.Outcome.IN_PROGRESS;
import static dev.strata.operator.retention.RetentionEvaluator.Outcome.SUCCEEDED;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.operator.retention.RetentionEvaluator.Candidate;
import dev.strata.operator.retention.RetentionEvaluator.Outcome;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Table-driven: snapshots (name@time), rules, and the names that must expire. */
class RetentionEvaluatorTest {

  static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");

  static RetentionRules rules(
      Integer last,
      Integer hourly,
      Integer daily,
      Integer weekly,
      Integer monthly,
      Integer yearly,
      String maxAge,
      int minKeep,
      int keepFailed,
      String zone) {
    return new RetentionRules(
        last,
        hourly,
        daily,
        weekly,
        monthly,
        yearly,
        maxAge == null ? null : dev.strata.operator.DurationText.parse(maxAge),
        minKeep,
        keepFailed,
        ZoneId.of(zone));
  }

  /** "a@2026-11-26T10:00Z" succeeded, "!b@..." failed, "~c@..." in progress. */
  static List<Candidate> snaps(String... specs) {
    List<Candidate> out = new ArrayList<>();
    for (String s : specs) {
      Outcome o = s.startsWith("!") ? FAILED : s.startsWith("~") ? IN_PROGRESS : SUCCEEDED;
      String body = s.replaceFirst("^[!~]", "");
      String[] parts = body.split("@");
      out.add(new Candidate(parts[0], Instant.parse(parts[1]), o));
    }
    return out;
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(
            "no rules keep everything",
            snaps("a@2026-11-20T00:00:00Z", "b@2026-11-21T00:00:00Z"),
            rules(null, null, null, null, null, null, null, 1, 1, "UTC"),
            List.of()),
        Arguments.of(
            "keepLast 2 of 4",
            snaps(
                "a@2026-11-23T00:00:00Z",
                "b@2026-11-24T00:00:00Z",
                "c@2026-11-25T00:00:00Z",
                "d@2026-11-26T00:00:00Z"),
            rules(2, null, null, null, null, null, null, 1, 1, "UTC"),
            List.of("a", "b")),
        Arguments.of(
            "ties in the same hour: keepHourly keeps the newest of the hour",
            snaps(
                "a@2026-11-26T10:05:00Z",
                "b@2026-11-26T10:35:00Z",
                "c@2026-11-26T10:59:00Z",
                "d@2026-11-26T11:10:00Z"),
            rules(null, 2, null, null, null, null, null, 1, 1, "UTC"),
            List.of("a", "b")),
        Arguments.of(
            "equal times: the name breaks the tie, deterministically",
            snaps("x@2026-11-26T10:00:00Z", "y@2026-11-26T10:00:00Z"),
            rules(null, 1, null, null, null, null, null, 1, 1, "UTC"),
            List.of("x")),
        Arguments.of(
            "keepDaily counts days that have snapshots, not calendar days",
            snaps(
                "a@2026-11-01T08:00:00Z",
                "b@2026-11-10T08:00:00Z",
                "c@2026-11-10T20:00:00Z",
                "d@2026-11-25T08:00:00Z"),
            rules(null, null, 2, null, null, null, null, 1, 1, "UTC"),
            List.of("a", "b")),
        Arguments.of(
            "days are counted in the policy's time zone",
            // 22:30 and 23:30 UTC on the 25th are the 26th in Tokyo: one day there, two in UTC.
            snaps("a@2026-11-25T14:00:00Z", "b@2026-11-25T22:30:00Z", "c@2026-11-25T23:30:00Z"),
            rules(null, null, 1, null, null, null, null, 1, 1, "Asia/Tokyo"),
            List.of("a", "b")),
        Arguments.of(
            "the same snapshots in UTC",
            snaps("a@2026-11-25T14:00:00Z", "b@2026-11-25T22:30:00Z", "c@2026-11-25T23:30:00Z"),
            rules(null, null, 1, null, null, null, null, 1, 1, "UTC"),
            List.of("a", "b")),
        Arguments.of(
            "DST fall back: the repeated hour is one hourly bucket per wall-clock hour",
            // Europe/Berlin: 00:30Z and 01:30Z on 2026-10-25 are 02:30 CEST and 02:30 CET.
            snaps("a@2026-10-25T00:30:00Z", "b@2026-10-25T01:30:00Z", "c@2026-10-25T03:00:00Z"),
            rules(null, 2, null, null, null, null, null, 1, 1, "Europe/Berlin"),
            List.of("a")),
        Arguments.of(
            "weekly uses ISO weeks (Monday first)",
            snaps("a@2026-11-16T10:00:00Z", "b@2026-11-22T10:00:00Z", "c@2026-11-23T10:00:00Z"),
            rules(null, null, null, 2, null, null, null, 1, 1, "UTC"),
            List.of("a")),
        Arguments.of(
            "monthly and yearly combine with daily; a snapshot kept by any rule stays",
            snaps(
                "y1@2024-06-01T00:00:00Z",
                "y2@2025-06-01T00:00:00Z",
                "m1@2026-09-15T00:00:00Z",
                "m2@2026-10-15T00:00:00Z",
                "d1@2026-11-24T00:00:00Z",
                "d2@2026-11-25T00:00:00Z"),
            rules(null, null, 1, null, 2, 3, null, 1, 1, "UTC"),
            List.of("m1", "d1")),
        Arguments.of(
            "maxAge caps the keep rules",
            snaps(
                "old@2026-10-01T00:00:00Z", "mid@2026-11-20T00:00:00Z", "new@2026-11-26T00:00:00Z"),
            rules(10, null, null, null, null, null, "7d", 1, 1, "UTC"),
            List.of("old")),
        Arguments.of(
            "maxAge alone keeps what is younger",
            snaps(
                "old@2026-10-01T00:00:00Z", "mid@2026-11-20T00:00:00Z", "new@2026-11-26T00:00:00Z"),
            rules(null, null, null, null, null, null, "14d", 1, 1, "UTC"),
            List.of("old")),
        Arguments.of(
            "the newest successful snapshot is never expired, even past maxAge",
            snaps("a@2026-01-01T00:00:00Z", "b@2026-02-01T00:00:00Z"),
            rules(null, null, null, null, null, null, "1d", 1, 1, "UTC"),
            List.of("a")),
        Arguments.of(
            "minKeep is a floor",
            snaps("a@2026-01-01T00:00:00Z", "b@2026-02-01T00:00:00Z", "c@2026-03-01T00:00:00Z"),
            rules(null, null, null, null, null, null, "1d", 2, 1, "UTC"),
            List.of("a")),
        Arguments.of(
            "keepFailed keeps the newest failures; failures do not count as successes",
            snaps(
                "ok@2026-11-20T00:00:00Z",
                "!f1@2026-11-21T00:00:00Z",
                "!f2@2026-11-22T00:00:00Z",
                "!f3@2026-11-23T00:00:00Z"),
            rules(1, null, null, null, null, null, null, 1, 2, "UTC"),
            List.of("f1")),
        Arguments.of(
            "keepFailed 0 expires every failure",
            snaps("ok@2026-11-20T00:00:00Z", "!f@2026-11-21T00:00:00Z"),
            rules(1, null, null, null, null, null, null, 1, 0, "UTC"),
            List.of("f")),
        Arguments.of(
            "snapshots still running are never touched",
            snaps("a@2026-11-20T00:00:00Z", "b@2026-11-21T00:00:00Z", "~c@2026-11-22T00:00:00Z"),
            rules(1, null, null, null, null, null, null, 1, 1, "UTC"),
            List.of("a")),
        Arguments.of(
            "a source with only failures keeps keepFailed of them",
            snaps("!f1@2026-11-21T00:00:00Z", "!f2@2026-11-22T00:00:00Z"),
            rules(1, null, null, null, null, null, null, 1, 1, "UTC"),
            List.of("f1")),
        Arguments.of(
            "restic's worked example: keepLast 3 keepDaily 2",
            snaps(
                "s1@2026-11-20T09:00:00Z",
                "s2@2026-11-24T09:00:00Z",
                "s3@2026-11-24T21:00:00Z",
                "s4@2026-11-25T09:00:00Z",
                "s5@2026-11-25T21:00:00Z",
                "s6@2026-11-26T09:00:00Z"),
            rules(3, null, 2, null, null, null, null, 1, 1, "UTC"),
            List.of("s1", "s2", "s3")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void expiresExactly(
      String name, List<Candidate> snapshots, RetentionRules rules, List<String> expected) {
    RetentionEvaluator.Verdict v = RetentionEvaluator.evaluate(snapshots, rules, NOW);
    assertThat(v.expire())
        .as(name + " (kept: " + v.kept() + ")")
        .containsExactlyElementsOf(expected);
    assertThat(v.kept().keySet()).noneMatch(v.expire()::contains);
  }

  @org.junit.jupiter.api.Test
  void keptSnapshotsSayWhichRulesKeepThem() {
    RetentionEvaluator.Verdict v =
        RetentionEvaluator.evaluate(
            snaps("a@2026-11-25T00:00:00Z", "b@2026-11-26T00:00:00Z"),
            rules(1, null, 2, null, null, null, null, 1, 1, "UTC"),
            NOW);
    assertThat(v.kept().get("b")).contains("last", "daily", "newest");
    assertThat(v.kept().get("a")).containsExactly("daily");
  }
}
