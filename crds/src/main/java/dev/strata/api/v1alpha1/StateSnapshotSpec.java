package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;

/** One snapshot of one source into one store. Immutable once created. */
public record StateSnapshotSpec(
    @Required @JsonPropertyDescription("The PVC and path to snapshot.") SnapshotSource source,
    @Required @JsonPropertyDescription("The SnapshotStore to write to, in the same namespace.") LocalObjectRef storeRef,
    @Default("8") @Min(1) @Max(64) @JsonPropertyDescription("Chunks read, hashed and uploaded at once.") Integer parallelism,
    @Default("Delete")
        @JsonPropertyDescription("Delete removes the snapshot from the store when this object is deleted; Retain keeps it.")
        DeletionPolicy deletionPolicy,
    @Default("false") @JsonPropertyDescription("Hash every file instead of trusting unchanged size and mtime.") Boolean fullCheck,
    @Default("3600") @Min(60) @Max(86400) @JsonPropertyDescription("Seconds the runner may take before it is stopped and the snapshot fails.")
        Long activeDeadlineSeconds,
    @JsonPropertyDescription("The runner pod: profile, user, resources and pod settings; overrides the store's spec.runner.") RunnerSpec runner,
    @JsonPropertyDescription("Commands run in the pod that uses the PVC before and after the backup (e.g. a RocksDB checkpoint, fsfreeze),"
        + " through pods/exec.") SnapshotHooks hooks,
    @Default("Fail")
        @JsonPropertyDescription("A file still changing after fileChangeRetries re-reads: Fail fails the backup naming it (nothing is"
            + " committed); Record commits its last read, marks it changed in the index and lists it in status.fileChanges.")
        OnFileChange onFileChange,
    @Default("3") @Min(0) @Max(100) @JsonPropertyDescription("How many times a file that changed while it was read is read again.")
        Integer fileChangeRetries) {

  /** A snapshot spec as most callers build it: no hooks, and the default policy for files that change. */
  public StateSnapshotSpec(SnapshotSource source, LocalObjectRef storeRef, Integer parallelism, DeletionPolicy deletionPolicy,
      Boolean fullCheck, Long activeDeadlineSeconds, RunnerSpec runner) {
    this(source, storeRef, parallelism, deletionPolicy, fullCheck, activeDeadlineSeconds, runner, null, null, null);
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
}
