package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LabelSelector;

/**
 * Which pods restore their state before they start, from which volume and path, and from which
 * store. Each pod's source is its own PVC: {@code namespace/claimName/sourcePath}, so replica 0
 * restores replica 0's snapshots.
 */
@ValidationRule(
    value =
        "!has(self.path) || (!self.path.startsWith('/') && !self.path.matches('(^|/)\\\\.\\\\.(/|$)'))",
    message = "path must be relative to the volume's root and must not contain '..'")
@ValidationRule(
    value =
        "!has(self.sourcePath) || (!self.sourcePath.startsWith('/') && !self.sourcePath.matches('(^|/)\\\\.\\\\.(/|$)'))",
    message = "sourcePath must be relative to the volume's root and must not contain '..'")
@ValidationRule(
    value = "!has(self.mode) || self.mode == 'Sync'",
    message =
        "a RestorePolicy restores in Sync mode only: the volume is made equal to the snapshot, fetching only what differs")
public record RestorePolicySpec(
    @Required
        @JsonPropertyDescription(
            "The pods to restore, by label (matchLabels and matchExpressions). An empty selector selects every pod of the namespace that has the volume.")
        LabelSelector podSelector,
    @Required
        @Size(max = Cel.LABEL_MAX)
        @ValidationRule(value = Cel.DNS_LABEL, message = Cel.DNS_LABEL_MESSAGE)
        @JsonPropertyDescription(
            "The pod volume that holds the state; it must be a persistentVolumeClaim volume.")
        String volumeName,
    @JsonPropertyDescription(
            "Directory inside the volume to restore into, relative to its root (default: the whole volume).")
        String path,
    @Required @JsonPropertyDescription("The SnapshotStore to restore from, in the same namespace.")
        LocalObjectRef storeRef,
    @JsonPropertyDescription(
            "The path inside the source volume the snapshots were taken of (default: path).")
        String sourcePath,
    @Default("Sync")
        @JsonPropertyDescription(
            "Sync: keep files that match the snapshot, fetch only what differs, remove what it lacks.")
        RestoreMode mode,
    @Default("8")
        @Min(1)
        @Max(64)
        @JsonPropertyDescription("Chunks fetched, verified and written at once.")
        Integer parallelism,
    @Default("Fail")
        @JsonPropertyDescription(
            "Fail: the pod does not start while its restore fails (the init container is retried). Continue: the failure is recorded and the pod starts with the volume as it was.")
        RestoreFailurePolicy failurePolicy,
    @JsonPropertyDescription(
            "The restore init container's profile, resources, user and image pull secrets, over the"
                + " store's spec.runner (the user defaults to the pod's own runAsUser; pull secrets are added to the pod's). The"
                + " pod's scheduling (tolerations, nodeSelector, priority class) and metadata stay the app's.")
        RunnerSpec runner) {

  /** The directory inside the volume that is restored, normalised ("" for the whole volume). */
  public String normalizedPath() {
    return new SnapshotSource("x", path).normalizedPath();
  }

  /**
   * The path inside the source volume whose snapshots are restored, normalised; defaults to {@link
   * #path}.
   */
  public String normalizedSourcePath() {
    return new SnapshotSource("x", sourcePath != null ? sourcePath : path).normalizedPath();
  }

  public int parallelismOrDefault() {
    return parallelism == null ? 8 : parallelism;
  }

  public RestoreFailurePolicy failurePolicyOrDefault() {
    return failurePolicy == null ? RestoreFailurePolicy.Fail : failurePolicy;
  }
}
