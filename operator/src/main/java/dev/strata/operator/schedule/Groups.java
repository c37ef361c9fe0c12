package dev.strata.operator.schedule;

import dev.strata.api.v1alpha1.SnapshotGroupStatus;
import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.engine.Hashing;
import dev.strata.operator.Labels;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Groups: the StateSnapshots one run of a grouped schedule made, one per PVC, sharing the label
 * strata.dev/group. A group is whole (Succeeded) when as many members succeeded as its
 * strata.dev/group-size says; a member that failed, or one missing (a failed member never reaches
 * the bucket, so an imported group can only count), makes it PartiallyFailed, or Failed when none
 * succeeded. Pure.
 */
public final class Groups {

  public static final String RUNNING = "Running";
  public static final String SUCCEEDED = "Succeeded";
  public static final String PARTIALLY_FAILED = "PartiallyFailed";
  public static final String FAILED = "Failed";

  /** Label values are at most 63 characters. */
  static final int MAX_LABEL = 63;

  private Groups() {}

  /**
   * {@code <schedule>-<yyyyMMdd-HHmm>} (UTC), shortened with a hash of the schedule's name when it
   * would not fit a label.
   */
  public static String groupId(String schedule, Instant scheduled) {
    String plain = ScheduleDecider.snapshotName(schedule, scheduled);
    if (plain.length() <= MAX_LABEL) {
      return plain;
    }
    String tail = plain.substring(schedule.length());
    String hash =
        Hashing.hex(Hashing.sha256(schedule.getBytes(StandardCharsets.UTF_8))).substring(0, 8);
    String head =
        schedule
            .substring(0, MAX_LABEL - tail.length() - hash.length() - 1)
            .replaceAll("[-.]+$", "");
    return head + "-" + hash + tail;
  }

  /**
   * A member's StateSnapshot name: {@code <group>-<pvc>}, shortened with a hash when longer than an
   * object name may be.
   */
  public static String memberName(String group, String pvc) {
    String plain = group + "-" + pvc;
    if (plain.length() <= 253) {
      return plain;
    }
    String hash = Hashing.hex(Hashing.sha256(pvc.getBytes(StandardCharsets.UTF_8))).substring(0, 8);
    return (group + "-" + pvc.substring(0, 253 - group.length() - hash.length() - 2))
            .replaceAll("[-.]+$", "")
        + "-"
        + hash;
  }

  public static Optional<String> groupOf(StateSnapshot s) {
    Map<String, String> labels = s.getMetadata().getLabels();
    return Optional.ofNullable(labels == null ? null : labels.get(Labels.GROUP));
  }

  /** The snapshots by group (those of no group left out), groups in name order. */
  public static Map<String, List<StateSnapshot>> byGroup(List<StateSnapshot> snapshots) {
    Map<String, List<StateSnapshot>> out = new TreeMap<>();
    for (StateSnapshot s : snapshots) {
      groupOf(s).ifPresent(g -> out.computeIfAbsent(g, k -> new ArrayList<>()).add(s));
    }
    return out;
  }

  /** What one group's members say about it. */
  public static SnapshotGroupStatus summarize(String group, List<StateSnapshot> members) {
    int succeeded = 0;
    int failed = 0;
    int running = 0;
    Integer size = null;
    Instant time = null;
    for (StateSnapshot s : members) {
      SnapshotPhase p = s.getStatus() == null ? null : s.getStatus().phase();
      if (p == SnapshotPhase.Succeeded) {
        succeeded++;
      } else if (p == SnapshotPhase.Failed) {
        failed++;
      } else {
        running++;
      }
      size = size != null ? size : size(s);
      Instant t = ScheduleDecider.scheduledTime(s);
      time = time == null || t.isBefore(time) ? t : time;
    }
    int expected = size == null ? members.size() : Math.max(size, members.size());
    // Members the group should have but does not (never created, or failed before reaching the
    // bucket) count as failed.
    int absent = running > 0 ? 0 : expected - members.size();
    String phase =
        running > 0
            ? RUNNING
            : succeeded == expected ? SUCCEEDED : succeeded == 0 ? FAILED : PARTIALLY_FAILED;
    List<String> names = members.stream().map(s -> s.getMetadata().getName()).sorted().toList();
    return new SnapshotGroupStatus(
        group,
        time == null ? null : time.toString(),
        phase,
        names,
        expected,
        succeeded,
        failed + absent,
        running);
  }

  /** The newest group (by scheduled time, then name), if any. */
  public static Optional<SnapshotGroupStatus> newest(List<StateSnapshot> snapshots) {
    return summaries(snapshots).stream().max(newestLast());
  }

  /** The newest group whose members all succeeded, if any. */
  public static Optional<SnapshotGroupStatus> newestWhole(List<StateSnapshot> snapshots) {
    return summaries(snapshots).stream().filter(g -> SUCCEEDED.equals(g.phase())).max(newestLast());
  }

  public static List<SnapshotGroupStatus> summaries(List<StateSnapshot> snapshots) {
    return byGroup(snapshots).entrySet().stream()
        .map(e -> summarize(e.getKey(), e.getValue()))
        .toList();
  }

  static Comparator<SnapshotGroupStatus> newestLast() {
    return Comparator.comparing(
            (SnapshotGroupStatus g) -> g.scheduledTime() == null ? "" : g.scheduledTime())
        .thenComparing(SnapshotGroupStatus::name);
  }

  static Integer size(StateSnapshot s) {
    Map<String, String> labels = s.getMetadata().getLabels();
    String v = labels == null ? null : labels.get(Labels.GROUP_SIZE);
    try {
      return v == null ? null : Integer.valueOf(v);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
