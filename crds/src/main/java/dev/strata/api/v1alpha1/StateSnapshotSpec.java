package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** One snapshot of one source into one store. Immutable once created. */
public record StateSnapshotSpec(
    @Required
        @JsonPropertyDescription(
            "The PVC and path to snapshot (with snapshotId: the ones that snapshot was taken of).")
        SnapshotSource source,
    @Required @JsonPropertyDescription("The SnapshotStore to write to, in the same namespace.")
        LocalObjectRef storeRef,
    @Default("8")
        @Min(1)
        @Max(64)
        @JsonPropertyDescription("Chunks read, hashed and uploaded at once.")
        Integer parallelism,
    @Default("Delete")
        @JsonPropertyDescription(
            "Delete removes the snapshot from the store when this object is deleted; Retain keeps it.")
        DeletionPolicy deletionPolicy,
    @Default("false")
        @JsonPropertyDescription("Hash every file instead of trusting unchanged size and mtime.")
        Boolean fullCheck,
    @Default("3600")
        @Min(60)
        @Max(86400)
        @JsonPropertyDescription(
            "Seconds the runner may take before it is stopped and the snapshot fails.")
        Long activeDeadlineSeconds,
    @JsonPropertyDescription(
            "The runner pod: profile, user, resources and pod settings; overrides the store's spec.runner.")
        RunnerSpec runner,
    @JsonPropertyDescription(
            "Commands run in the pod that uses the PVC before and after the backup (e.g. a RocksDB checkpoint, fsfreeze),"
                + " through pods/exec.")
        SnapshotHooks hooks,
    @Default("Fail")
        @JsonPropertyDescription(
            "A file still changing after fileChangeRetries re-reads: Fail fails the backup naming it (nothing is"
                + " committed); Record commits its last read, marks it changed in the index and lists it in status.fileChanges.")
        OnFileChange onFileChange,
    @Default("3")
        @Min(0)
        @Max(100)
        @JsonPropertyDescription(
            "How many times a file that changed while it was read is read again.")
        Integer fileChangeRetries,
    @Size(max = 64)
        @ValidationRule(value = Cel.DURATION, message = Cel.DURATION_MESSAGE)
        @JsonPropertyDescription(
            "Delete this StateSnapshot this long after it was created (e.g. 12h, 7d, 2w), once its run has ended; its"
                + " deletionPolicy then decides what happens in the store (Delete: the snapshot goes, and the store's garbage collection"
                + " reclaims its blobs). For manual and scheduled snapshots alike; empty: kept until deleted or expired by a retention policy.")
        String ttl,
    @Size(max = 64)
        @ValidationRule(
            value = "self.matches('^[0-9]{8}T[0-9]{6}[.][0-9]{3}Z-[0-9a-f]{6}$')",
            message =
                "must be a snapshot id as `strata snapshots` prints it, like 20261201T030000.000Z-1a2b3c")
        @JsonPropertyDescription(
            "An existing snapshot in the store (its id) that this object stands for: no backup runs, and the"
                + " status is read from the snapshot's index. spec.source must name the PVC and path it was taken of. The operator sets it"
                + " on the StateSnapshots it imports from a store's catalog (label strata.dev/imported).")
        String snapshotId) {

  /**
   * A snapshot spec as most callers build it: no hooks, default file-change policy, no TTL, a new
   * backup.
   */
  public StateSnapshotSpec(
      SnapshotSource source,
      LocalObjectRef storeRef,
      Integer parallelism,
      DeletionPolicy deletionPolicy,
      Boolean fullCheck,
      Long activeDeadlineSeconds,
      RunnerSpec runner) {
    this(
        source,
        storeRef,
        parallelism,
        deletionPolicy,
        fullCheck,
        activeDeadlineSeconds,
        runner,
        null,
        null,
        null,
        null,
        null);
  }

  /** With a TTL, or standing for an existing snapshot; no hooks. */
  public StateSnapshotSpec(
      SnapshotSource source,
      LocalObjectRef storeRef,
      Integer parallelism,
      DeletionPolicy deletionPolicy,
      Boolean fullCheck,
      Long activeDeadlineSeconds,
      RunnerSpec runner,
      String ttl,
      String snapshotId) {
    this(
        source,
        storeRef,
        parallelism,
        deletionPolicy,
        fullCheck,
        activeDeadlineSeconds,
        runner,
        null,
        null,
        null,
        ttl,
        snapshotId);
  }

  /** With hooks and a file-change policy; no TTL, a new backup. */
  public StateSnapshotSpec(
      SnapshotSource source,
      LocalObjectRef storeRef,
      Integer parallelism,
      DeletionPolicy deletionPolicy,
      Boolean fullCheck,
      Long activeDeadlineSeconds,
      RunnerSpec runner,
      SnapshotHooks hooks,
      OnFileChange onFileChange,
      Integer fileChangeRetries) {
    this(
        source,
        storeRef,
        parallelism,
        deletionPolicy,
        fullCheck,
        activeDeadlineSeconds,
        runner,
        hooks,
        onFileChange,
        fileChangeRetries,
        null,
        null);
  }

  /**
   * The same spec for another PVC (a grouped schedule's template, for one of the PVCs it selected),
   * at the same path.
   */
  public StateSnapshotSpec withPvc(String pvc) {
    return new StateSnapshotSpec(
        new SnapshotSource(pvc, source == null ? null : source.path()),
        storeRef,
        parallelism,
        deletionPolicy,
        fullCheck,
        activeDeadlineSeconds,
        runner,
        hooks,
        onFileChange,
        fileChangeRetries,
        ttl,
        snapshotId);
  }

  public OnFileChange onFileChangeOrDefault() {
    return onFileChange == null ? OnFileChange.Fail : onFileChange;
  }

  public boolean hasHooks() {
    return hooks != null && !hooks.none();
  }

  public int parallelismOrDefault() {
    return parallelism == null ? 8 : parallelism;
  }

  public DeletionPolicy deletionPolicyOrDefault() {
    return deletionPolicy == null ? DeletionPolicy.Delete : deletionPolicy;
  }

  public long activeDeadlineSecondsOrDefault() {
    return activeDeadlineSeconds == null ? 3600 : activeDeadlineSeconds;
  }

  /**
   * Whether this object stands for an existing snapshot (imported, or named by spec.snapshotId)
   * instead of taking one.
   */
  public boolean existing() {
    return snapshotId != null;
  }
}
