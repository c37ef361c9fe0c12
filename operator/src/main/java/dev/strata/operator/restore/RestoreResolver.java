package dev.strata.operator.restore;

import dev.strata.api.v1alpha1.ResolvedSnapshot;
import dev.strata.api.v1alpha1.RestoreSource;
import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.api.v1alpha1.StateRestore;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.operator.Labels;
import dev.strata.operator.schedule.ScheduleDecider;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Resolves a StateRestore's source to one committed snapshot: a StateSnapshot by name, or the newest successful
 * snapshot of a schedule or of a source (as of a time, if given). "Latest of a source" compares source identities
 * (namespace/pvc/path) exactly, so it can never pick another volume's snapshot. Pure.
 */
public final class RestoreResolver {

  /** The outcome: resolved, not yet (wait), or never (fail). */
  public sealed interface Resolution permits Resolved, NotYet, Impossible {}

  public record Resolved(ResolvedSnapshot snapshot) implements Resolution {}

  public record NotYet(String reason, String message) implements Resolution {}

  public record Impossible(String reason, String message) implements Resolution {}

  private RestoreResolver() {}

  public static Resolution resolve(StateRestore restore, List<StateSnapshot> snapshots) {
    String ns = restore.getMetadata().getNamespace();
    RestoreSource src = restore.getSpec().source();
    if (src.snapshotName() != null) {
      Optional<StateSnapshot> named = snapshots.stream().filter(s -> s.getMetadata().getName().equals(src.snapshotName())).findFirst();
      if (named.isEmpty()) {
        return new Impossible("SnapshotNotFound", "StateSnapshot " + src.snapshotName() + " does not exist in namespace " + ns);
      }
      SnapshotPhase phase = named.get().getStatus() == null ? null : named.get().getStatus().phase();
      if (phase == SnapshotPhase.Failed) {
        return new Impossible("SnapshotFailed", "StateSnapshot " + src.snapshotName() + " failed; it cannot be restored");
      }
      if (phase != SnapshotPhase.Succeeded) {
        return new NotYet("SnapshotNotReady", "waiting for StateSnapshot " + src.snapshotName() + " to succeed");
      }
      return new Resolved(resolved(named.get()));
    }
    Instant asOf = src.asOf() == null ? null : java.time.OffsetDateTime.parse(src.asOf()).toInstant();
    List<StateSnapshot> candidates;
    String what;
    if (src.scheduleName() != null) {
      what = "SnapshotSchedule " + src.scheduleName();
      candidates = snapshots.stream().filter(s -> src.scheduleName().equals(label(s, Labels.SCHEDULE))).toList();
    } else {
      String sourceId = src.pvc().sourceId(ns);
      what = "source " + sourceId;
      candidates = snapshots.stream()
          .filter(s -> s.getStatus() != null && sourceId.equals(s.getStatus().sourceId()))
          .toList();
    }
    Optional<StateSnapshot> latest = candidates.stream()
        .filter(s -> s.getStatus() != null && s.getStatus().phase() == SnapshotPhase.Succeeded && s.getStatus().snapshotIndex() != null)
        .filter(s -> asOf == null || !ScheduleDecider.scheduledTime(s).isAfter(asOf))
        .max(Comparator.comparing(ScheduleDecider::scheduledTime).thenComparing(s -> s.getMetadata().getName()));
    if (latest.isEmpty()) {
      return new Impossible("NoSnapshot",
          what + " has no successful snapshot" + (asOf == null ? "" : " taken at or before " + src.asOf()) + " in namespace " + ns);
    }
    return new Resolved(resolved(latest.get()));
  }

  static ResolvedSnapshot resolved(StateSnapshot s) {
    return new ResolvedSnapshot(
        s.getMetadata().getName(),
        s.getStatus().snapshotIndex().id(),
        s.getStatus().sourceId(),
        s.getSpec().storeRef().name(),
        s.getStatus().snapshotIndex().totalBytes(),
        ScheduleDecider.scheduledTime(s).toString());
  }

  private static String label(StateSnapshot s, String key) {
    Map<String, String> labels = s.getMetadata().getLabels();
    return labels == null ? null : labels.get(key);
  }
}
