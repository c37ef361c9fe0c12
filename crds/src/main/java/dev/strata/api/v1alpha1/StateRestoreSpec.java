package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** One restore of one snapshot into one PVC. */
@ValidationRule(
    value = "!has(self.source.fromStore) || has(self.storeRef)",
    message =
        "source.fromStore is read from the catalog of a SnapshotStore: set spec.storeRef.name")
@ValidationRule(
    value = "has(self.source.group) != has(self.target)",
    message =
        "spec.target is required, except with source.group, which restores each member into the PVC of its own name: then"
            + " leave spec.target out")
public record StateRestoreSpec(
    @Required @JsonPropertyDescription("Which snapshot to restore.") RestoreSource source,
    @JsonPropertyDescription(
            "The SnapshotStore to look in; default: the store of the snapshot or schedule named in source (required with source.fromStore).")
        LocalObjectRef storeRef,
    @JsonPropertyDescription("Where to restore (required, except for a group: source.group).")
        RestoreTarget target,
    @Default("IfEmpty")
        @JsonPropertyDescription(
            "IfEmpty refuses a non-empty target; Overwrite replaces files; Sync makes the target equal the snapshot, fetching only what differs.")
        RestoreMode mode,
    @Default("true")
        @JsonPropertyDescription(
            "In Sync mode, hash local files before keeping them instead of trusting size and mtime. Downloaded bytes are always verified.")
        Boolean verify,
    @Default("8")
        @Min(1)
        @Max(64)
        @JsonPropertyDescription("Chunks fetched, verified and written at once.")
        Integer parallelism,
    @Default("false")
        @JsonPropertyDescription(
            "Restore into a PVC a running pod uses. Off by default: the pod would see files change under it.")
        Boolean allowTargetInUse,
    @Default("3600") @Min(60) @Max(86400) @JsonPropertyDescription("Seconds the runner may take.")
        Long activeDeadlineSeconds,
    @JsonPropertyDescription(
            "The runner pod: profile, user, resources and pod settings; overrides the store's spec.runner.")
        RunnerSpec runner) {}
