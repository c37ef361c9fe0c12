package dev.strata.operator.restore;

import dev.strata.api.v1alpha1.ResolvedSnapshot;
import dev.strata.api.v1alpha1.RestoreSource;
import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.api.v1alpha1.SourceId;
import dev.strata.api.v1alpha1.StateRestore;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.api.v1alpha1.StoreSnapshotRef;
import dev.strata.operator.Labels;
import dev.strata.operator.catalog.Listing;
import dev.strata.operator.schedule.ScheduleDecider;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Resolves a StateRestore's source to one committed snapshot: a StateSnapshot by name, the newest
 * successful snapshot of a schedule or of a source (as of a time, if given), or a snapshot of a
 * store's catalog by id or as the newest of a source. "Latest of a source" compares source
 * identities exactly (cluster, namespace, PVC, path), so it never picks another volume's snapshot,
 * nor another cluster's; this cluster's snapshots from before clusters were named ({@code
 * namespace/pvc/path}) count as its own. Pure.
 */
public final class RestoreResolver {

  /** The outcome: resolved, not yet (wait), or never (fail). */
  public sealed interface Resolution permits Resolved, NotYet, Impossible {}

  public record Resolved(ResolvedSnapshot snapshot) implements Resolution {}

  /**
   * @param needsCatalog whether a fresher reading of the store's catalog could resolve it
   */
  public record NotYet(String reason, String message, boolean needsCatalog) implements Resolution {
    public NotYet(String reason, String message) {
      this(reason, message, false);
    }
  }

  public record Impossible(String reason, String message) implements Resolution {}

  private RestoreResolver() {}

  /**
   * @param cluster this cluster's id
   * @param catalog the last listing of the catalog of the store in spec.storeRef, for
   *     source.fromStore
   */
  public static Resolution resolve(
      StateRestore restore,
      List<StateSnapshot> snapshots,
      String cluster,
      Optional<Listing> catalog) {
    String ns = restore.getMetadata().getNamespace();
    RestoreSource src = restore.getSpec().source();
    if (src.fromStore() != null) {
      return fromStore(restore, src.fromStore(), cluster, catalog);
    }
    if (src.snapshotName() != null) {
      Optional<StateSnapshot> named =
          snapshots.stream()
              .filter(s -> s.getMetadata().getName().equals(src.snapshotName()))
              .findFirst();
      if (named.isEmpty()) {
        return new Impossible(
            "SnapshotNotFound",
            "StateSnapshot " + src.snapshotName() + " does not exist in namespace " + ns);
      }
      SnapshotPhase phase =
          named.get().getStatus() == null ? null : named.get().getStatus().phase();
      if (phase == SnapshotPhase.Failed) {
        return new Impossible(
            "SnapshotFailed",
            "StateSnapshot " + src.snapshotName() + " failed; it cannot be restored");
      }
      if (phase != SnapshotPhase.Succeeded) {
        return new NotYet(
            "SnapshotNotReady", "waiting for StateSnapshot " + src.snapshotName() + " to succeed");
      }
      return new Resolved(resolved(named.get()));
    }
    Instant asOf = asOf(src);
    List<StateSnapshot> candidates;
    String what;
    String hint = "";
    if (src.scheduleName() != null) {
      what = "SnapshotSchedule " + src.scheduleName();
      candidates =
          snapshots.stream()
              .filter(s -> src.scheduleName().equals(label(s, Labels.SCHEDULE)))
              .toList();
      if (candidates.stream().anyMatch(s -> label(s, Labels.GROUP) != null)) {
        return new Impossible(
            "GroupedSchedule",
            what
                + " snapshots several PVCs, a group per run: restore a whole group with"
                + " source.group (the schedule's status.lastSuccessfulGroup), or one PVC's latest snapshot with source.pvc");
      }
    } else {
      SourceId id = SourceId.of(cluster, ns, src.pvc());
      Set<String> ids = Set.of(id.toString(), id.legacy().toString());
      what = "source " + id;
      candidates =
          snapshots.stream()
              .filter(s -> s.getStatus() != null && ids.contains(s.getStatus().sourceId()))
              .toList();
      Set<String> others = new TreeSet<>();
      snapshots.stream()
          .filter(s -> s.getStatus() != null)
          .forEach(
              s ->
                  SourceId.parse(s.getStatus().sourceId())
                      .filter(
                          o ->
                              o.sameVolumeAs(id)
                                  && o.cluster() != null
                                  && !o.cluster().equals(cluster))
                      .ifPresent(o -> others.add(o.cluster())));
      if (!others.isEmpty()) {
        hint =
            "; StateSnapshots of this PVC taken in cluster "
                + String.join(", ", others)
                + " are here: restore one by source.snapshotName,"
                + " or the latest of them with source.fromStore.cluster";
      }
    }
    Optional<StateSnapshot> latest =
        candidates.stream()
            .filter(
                s ->
                    s.getStatus() != null
                        && s.getStatus().phase() == SnapshotPhase.Succeeded
                        && s.getStatus().snapshotIndex() != null)
            .filter(s -> asOf == null || !ScheduleDecider.scheduledTime(s).isAfter(asOf))
            .max(
                Comparator.comparing(ScheduleDecider::scheduledTime)
                    .thenComparing(s -> s.getMetadata().getName()));
    if (latest.isEmpty()) {
      return new Impossible(
          "NoSnapshot",
          what
              + " has no successful snapshot"
              + (asOf == null ? "" : " taken at or before " + src.asOf())
              + " in namespace "
              + ns
              + hint);
    }
    return new Resolved(resolved(latest.get()));
  }

  private static Resolution fromStore(
      StateRestore restore, StoreSnapshotRef ref, String cluster, Optional<Listing> catalog) {
    String ns = restore.getMetadata().getNamespace();
    String store = restore.getSpec().storeRef().name();
    Instant created =
        restore.getMetadata().getCreationTimestamp() == null
            ? Instant.EPOCH
            : Instant.parse(restore.getMetadata().getCreationTimestamp());
    if (catalog.isEmpty() || !catalog.get().readSince(created)) {
      return new NotYet(
          "CatalogNotRead", "waiting for SnapshotStore " + store + "'s catalog to be read", true);
    }
    Listing listing = catalog.get();
    String wantNamespace = ref.namespace() != null ? ref.namespace() : ns;
    Predicate<SourceId> matches =
        s ->
            (ref.cluster() != null
                    ? ref.cluster().equals(s.cluster())
                    : s.cluster() == null || s.cluster().equals(cluster))
                && (ref.pvcName() == null
                    || (s.namespace().equals(wantNamespace)
                        && s.pvc().equals(ref.pvcName())
                        && s.path().equals(ref.normalizedPath())));
    if (ref.snapshotId() != null) {
      Optional<Listing.Entry> e = listing.get(ref.snapshotId());
      if (e.isEmpty()) {
        return new Impossible(
            "SnapshotNotFound",
            "snapshot "
                + ref.snapshotId()
                + " is not in SnapshotStore "
                + store
                + " ("
                + listing.location()
                + ", read at "
                + listing.readAt()
                + "): kubectl strata ls, or strata snapshots, lists what is");
      }
      boolean named = ref.cluster() != null || ref.pvcName() != null;
      if (named && !e.get().source().map(matches::test).orElse(false)) {
        return new Impossible(
            "SourceMismatch",
            "snapshot "
                + ref.snapshotId()
                + " was taken of "
                + e.get().sourceId()
                + ", which is not the source source.fromStore names: correct the source fields, or leave them out");
      }
      return new Resolved(resolved(e.get(), store));
    }
    Instant asOf = asOf(restore.getSpec().source());
    Optional<Listing.Entry> latest =
        listing.entries().stream()
            .filter(e -> e.source().map(matches::test).orElse(false))
            .filter(e -> asOf == null || !e.takenAt().isAfter(asOf))
            .max(
                Comparator.comparing(Listing.Entry::takenAt)
                    .thenComparing(Listing.Entry::snapshotId));
    if (latest.isPresent()) {
      return new Resolved(resolved(latest.get(), store));
    }
    SourceId wanted =
        new SourceId(
            ref.cluster() != null ? ref.cluster() : cluster,
            wantNamespace,
            ref.pvcName(),
            ref.normalizedPath());
    Set<String> others = new TreeSet<>();
    listing
        .entries()
        .forEach(
            e ->
                e.source()
                    .filter(
                        s ->
                            s.sameVolumeAs(wanted)
                                && s.cluster() != null
                                && !s.cluster().equals(wanted.cluster()))
                    .ifPresent(s -> others.add(s.cluster())));
    return new Impossible(
        "NoSnapshot",
        "SnapshotStore "
            + store
            + " has no snapshot of "
            + wanted
            + (asOf == null ? "" : " taken at or before " + restore.getSpec().source().asOf())
            + (others.isEmpty()
                ? ""
                : "; it has snapshots of that PVC from cluster "
                    + String.join(", ", others)
                    + ": set source.fromStore.cluster"));
  }

  private static Instant asOf(RestoreSource src) {
    return src.asOf() == null ? null : OffsetDateTime.parse(src.asOf()).toInstant();
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

  static ResolvedSnapshot resolved(Listing.Entry e, String store) {
    return new ResolvedSnapshot(
        null,
        e.snapshotId(),
        e.sourceId(),
        store,
        e.summary().stats().totalBytes(),
        e.takenAt().toString());
  }

  private static String label(StateSnapshot s, String key) {
    Map<String, String> labels = s.getMetadata().getLabels();
    return labels == null ? null : labels.get(key);
  }
}
