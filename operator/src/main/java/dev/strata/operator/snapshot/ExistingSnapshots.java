package dev.strata.operator.snapshot;

import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.SourceId;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.api.v1alpha1.StateSnapshotStatus;
import dev.strata.operator.EventRecorder.Event;
import dev.strata.operator.catalog.CatalogImport;
import dev.strata.operator.catalog.Listing;
import dev.strata.operator.runner.RunDecision;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The status of a StateSnapshot that stands for an existing snapshot ({@code spec.snapshotId}: one
 * a store's catalog imported, or one a user named): read from the store's catalog, with no run.
 * Succeeded once the snapshot is found and is of the PVC and path spec.source names; Failed when a
 * catalog read after the object's creation does not have it. Like a run, it never changes once it
 * has ended. Pure.
 */
public final class ExistingSnapshots {

  static final Duration WAIT = Duration.ofSeconds(15);

  /**
   * @param needsCatalog whether a fresher reading of the store's catalog would let it go on (the
   *     caller asks for one)
   */
  public record Decision(RunDecision<StateSnapshotStatus> run, boolean needsCatalog) {}

  private ExistingSnapshots() {}

  static Decision decide(
      StateSnapshot s,
      Optional<SnapshotStore> store,
      Optional<Listing> listing,
      Instant now,
      String cluster) {
    SnapshotStatuses statuses = new SnapshotStatuses(s, now, cluster);
    SnapshotPhase phase = statuses.phase();
    if (phase == SnapshotPhase.Succeeded || phase == SnapshotPhase.Failed) {
      return new Decision(
          new RunDecision<>(
              s.getStatus(), List.of(), List.of(), Optional.empty(), Optional.empty()),
          false);
    }
    String id = s.getSpec().snapshotId();
    String storeName = s.getSpec().storeRef().name();
    if (store.isEmpty()) {
      return pending(
          statuses,
          "StoreNotFound",
          "SnapshotStore "
              + storeName
              + " does not exist in namespace "
              + s.getMetadata().getNamespace(),
          false);
    }
    Instant created =
        s.getMetadata().getCreationTimestamp() == null
            ? now
            : Instant.parse(s.getMetadata().getCreationTimestamp());
    Optional<Listing.Entry> entry = listing.flatMap(l -> l.get(id));
    if (entry.isEmpty()) {
      if (listing.isPresent() && listing.get().readSince(created)) {
        String message =
            "snapshot "
                + id
                + " is not in SnapshotStore "
                + storeName
                + " ("
                + listing.get().location()
                + "): it was forgotten, or is in another store; kubectl strata ls lists what is";
        return ended(statuses.notUsable("SnapshotNotFound", message), "SnapshotNotFound", message);
      }
      return pending(
          statuses,
          "CatalogNotRead",
          "waiting for SnapshotStore " + storeName + "'s catalog to be read",
          true);
    }
    Optional<SourceId> source = entry.get().source();
    String wantPath = s.getSpec().source().normalizedPath();
    if (source.isEmpty()
        || !source.get().pvc().equals(s.getSpec().source().pvcName())
        || !source.get().path().equals(wantPath)) {
      String message =
          "snapshot "
              + id
              + " was taken of "
              + entry.get().sourceId()
              + ", not of PVC "
              + s.getSpec().source().pvcName()
              + (wantPath.isEmpty() ? "" : " path " + wantPath)
              + ": set spec.source to the PVC and path it was taken of";
      return ended(statuses.notUsable("SourceMismatch", message), "SourceMismatch", message);
    }
    StateSnapshotStatus found = statuses.found(entry.get(), CatalogImport.isImported(s));
    return new Decision(
        new RunDecision<>(found, List.of(), List.of(), Optional.empty(), Optional.empty()), false);
  }

  private static Decision pending(
      SnapshotStatuses statuses, String reason, String message, boolean needsCatalog) {
    return new Decision(
        new RunDecision<>(
            statuses.pending(reason, message),
            List.of(),
            List.of(),
            Optional.of(WAIT),
            Optional.empty()),
        needsCatalog);
  }

  private static Decision ended(StateSnapshotStatus status, String reason, String message) {
    return new Decision(
        new RunDecision<>(
            status,
            List.of(),
            List.of(Event.warning(reason, message)),
            Optional.empty(),
            Optional.empty()),
        false);
  }
}
