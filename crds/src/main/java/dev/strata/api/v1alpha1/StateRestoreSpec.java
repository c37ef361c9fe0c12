package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** One restore of one snapshot into one PVC, or of a group, each volume into its counterpart. */
@ValidationRule(
    value = "has(self.target) || has(self.source.group)",
    message = "spec.target is required: where to restore (only a group restore, source.group, may leave it out)")
@ValidationRule(
    value = "has(self.source.group) || !has(self.target) || !has(self.target.claimTemplate) || has(self.target.claimTemplate.name)",
    message = "target.claimTemplate.name is required: the name of the PVC to create")
@ValidationRule(
    value = "!has(self.source.group) || !has(self.target) || (!has(self.target.pvcName)"
        + " && (!has(self.target.claimTemplate) || !has(self.target.claimTemplate.name)))",
    message = "a group restores each volume into the PVC of its own name: remove target.pvcName and target.claimTemplate.name"
        + " (target.claimTemplate without a name creates the PVCs that do not exist)")
public record StateRestoreSpec(
    @Required @JsonPropertyDescription("Which snapshot to restore.") RestoreSource source,
    @JsonPropertyDescription("The SnapshotStore to look in; default: the store of the snapshot or schedule named in source.") LocalObjectRef storeRef,
    @JsonPropertyDescription("Where to restore (a group restore: optional; target.claimTemplate without a name creates the volumes' PVCs"
        + " that do not exist).") RestoreTarget target,
    @Default("IfEmpty") @JsonPropertyDescription("IfEmpty refuses a non-empty target; Overwrite replaces files; Sync makes the target equal the snapshot, fetching only what differs.")
        RestoreMode mode,
    @Default("true") @JsonPropertyDescription("In Sync mode, hash local files before keeping them instead of trusting size and mtime. Downloaded bytes are always verified.")
        Boolean verify,
    @Default("8") @Min(1) @Max(64) @JsonPropertyDescription("Chunks fetched, verified and written at once.") Integer parallelism,
    @Default("false") @JsonPropertyDescription("Restore into a PVC a running pod uses. Off by default: the pod would see files change under it.")
        Boolean allowTargetInUse,
    @Default("3600") @Min(60) @Max(86400) @JsonPropertyDescription("Seconds the runner may take.") Long activeDeadlineSeconds,
    @JsonPropertyDescription("The runner pod: profile, user, resources and pod settings; overrides the store's spec.runner.") RunnerSpec runner) {}
