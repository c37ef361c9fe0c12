package dev.strata.operator.snapshot;

import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.api.v1alpha1.StateSnapshotStatus;
import dev.strata.operator.DurationText;
import java.time.Instant;
import java.util.Optional;

/**
 * A StateSnapshot's TTL ({@code spec.ttl}): it expires that long after it was created, and is
 * deleted once its run has ended (one still running is not cut short; it goes when it ends). Its
 * deletionPolicy then does the rest. Pure.
 */
final class Expiry {

  private Expiry() {}

  /** When the snapshot expires, if it has a TTL. */
  static Optional<Instant> expiresAt(StateSnapshot s) {
    String ttl = s.getSpec().ttl();
    if (ttl == null || ttl.isBlank() || s.getMetadata().getCreationTimestamp() == null) {
      return Optional.empty();
    }
    return Optional.of(
        Instant.parse(s.getMetadata().getCreationTimestamp()).plus(DurationText.parse(ttl)));
  }

  /** The status with its expiry time, as the status shows it. */
  static StateSnapshotStatus withExpiry(StateSnapshot s, StateSnapshotStatus status) {
    String at = expiresAt(s).map(Instant::toString).orElse(null);
    if (status == null || java.util.Objects.equals(at, status.expiresAt())) {
      return status;
    }
    return new StateSnapshotStatus(
        status.phase(),
        status.sourceId(),
        status.jobName(),
        status.startTime(),
        status.completionTime(),
        status.progress(),
        status.snapshotIndex(),
        status.size(),
        status.uploaded(),
        status.conditions(),
        status.observedGeneration(),
        status.message(),
        status.hooks(),
        status.fileChanges(),
        at);
  }

  /** Whether to delete it now: expired, ended, and not being deleted already. */
  static boolean due(StateSnapshot s, StateSnapshotStatus status, Instant now) {
    SnapshotPhase phase = status == null ? null : status.phase();
    boolean ended = phase == SnapshotPhase.Succeeded || phase == SnapshotPhase.Failed;
    return ended
        && s.getMetadata().getDeletionTimestamp() == null
        && expiresAt(s).map(t -> !now.isBefore(t)).orElse(false);
  }
}
