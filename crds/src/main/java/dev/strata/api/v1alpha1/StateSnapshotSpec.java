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
    @JsonPropertyDescription("The runner pod: profile, user, resources and pod settings; overrides the store's spec.runner.") RunnerSpec runner) {

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
