package dev.strata.operator.retention;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Decides which snapshots of one source a retention policy keeps and which expire. The keep rules
 * mean what restic's {@code forget --keep-*} means: snapshots are taken newest first; keepLast
 * keeps the first N; keepHourly (daily, weekly, monthly, yearly) keeps the newest snapshot of each
 * of the last N hours (days...) that have snapshots. A snapshot any rule keeps is kept. maxAge caps
 * the rules: nothing older is kept by them (with no keep rule, everything younger is kept). Then
 * two floors: the newest successful snapshot is always kept, and never fewer than minKeep. Failed
 * snapshots are counted apart: the newest keepFailed stay. Snapshots still running are never
 * touched. Pure.
 */
public final class RetentionEvaluator {

  /** One snapshot as the evaluator sees it. */
  public record Candidate(String name, Instant time, Outcome outcome) {}

  public enum Outcome {
    SUCCEEDED,
    FAILED,
    IN_PROGRESS
  }

  /**
   * What to do with one source's snapshots: the kept ones with why, and those that expire (oldest
   * first).
   */
  public record Verdict(Map<String, List<String>> kept, List<String> expire) {}

  private RetentionEvaluator() {}

  public static Verdict evaluate(List<Candidate> snapshots, RetentionRules rules, Instant now) {
    Comparator<Candidate> newestFirst =
        Comparator.comparing(Candidate::time).thenComparing(Candidate::name).reversed();
    List<Candidate> ok =
        snapshots.stream()
            .filter(c -> c.outcome() == Outcome.SUCCEEDED)
            .sorted(newestFirst)
            .toList();
    List<Candidate> failed =
        snapshots.stream().filter(c -> c.outcome() == Outcome.FAILED).sorted(newestFirst).toList();

    Map<String, List<String>> kept = new LinkedHashMap<>();
    List<Candidate> eligible =
        rules.maxAge() == null
            ? ok
            : ok.stream().filter(c -> !c.time().isBefore(now.minus(rules.maxAge()))).toList();
    if (!rules.anyKeepRule()) {
      // Without keep rules: keep all (or all younger than maxAge).
      eligible.forEach(
          c -> keep(kept, c, rules.maxAge() == null ? "no keep rule" : "within maxAge"));
    } else {
      if (rules.keepLast() != null) {
        eligible.stream().limit(rules.keepLast()).forEach(c -> keep(kept, c, "last"));
      }
      bucket(
          eligible,
          rules.keepHourly(),
          "hourly",
          t -> t.getYear() + "-" + t.getDayOfYear() + "T" + t.getHour(),
          rules,
          kept);
      bucket(eligible, rules.keepDaily(), "daily", t -> t.toLocalDate().toString(), rules, kept);
      bucket(
          eligible,
          rules.keepWeekly(),
          "weekly",
          t -> t.get(IsoFields.WEEK_BASED_YEAR) + "-W" + t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR),
          rules,
          kept);
      bucket(
          eligible,
          rules.keepMonthly(),
          "monthly",
          t -> t.getYear() + "-" + t.getMonthValue(),
          rules,
          kept);
      bucket(
          eligible, rules.keepYearly(), "yearly", t -> Integer.toString(t.getYear()), rules, kept);
    }
    if (!ok.isEmpty()) {
      keep(kept, ok.get(0), "newest");
    }
    for (Candidate c : ok) {
      if (kept.size() >= rules.minKeep()) {
        break;
      }
      keep(kept, c, "minKeep");
    }
    failed.stream().limit(rules.keepFailed()).forEach(c -> keep(kept, c, "keepFailed"));

    List<String> expire = new ArrayList<>();
    for (Candidate c : snapshots.stream().sorted(newestFirst.reversed()).toList()) {
      if (c.outcome() != Outcome.IN_PROGRESS && !kept.containsKey(c.name())) {
        expire.add(c.name());
      }
    }
    return new Verdict(kept, expire);
  }

  private static void bucket(
      List<Candidate> eligible,
      Integer count,
      String reason,
      Function<ZonedDateTime, String> key,
      RetentionRules rules,
      Map<String, List<String>> kept) {
    if (count == null || count == 0) {
      return;
    }
    Set<String> seen = new HashSet<>();
    for (Candidate c : eligible) {
      if (seen.size() >= count) {
        return;
      }
      if (seen.add(key.apply(c.time().atZone(rules.zone())))) {
        keep(kept, c, reason);
      }
    }
  }

  private static void keep(Map<String, List<String>> kept, Candidate c, String reason) {
    kept.computeIfAbsent(c.name(), n -> new ArrayList<>()).add(reason);
  }
}
