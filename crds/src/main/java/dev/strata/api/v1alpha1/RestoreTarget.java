package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Where to restore: an existing PVC or one created from a template, and a path inside its volume;
 * by default the PVC (same name, same namespace) the snapshot was taken of, in this or a new
 * cluster.
 */
@ValidationRule(
    value = "has(self.pvcName) != has(self.claimTemplate)",
    message =
        "target needs exactly one of pvcName (an existing PVC) or claimTemplate (a PVC to create)")
@ValidationRule(
    value =
        "!has(self.path) || (!self.path.startsWith('/') && !self.path.matches('(^|/)\\\\.\\\\.(/|$)'))",
    message = "target.path must be relative to the volume's root and must not contain '..'")
public record RestoreTarget(
    @Size(max = Cel.NAME_MAX)
        @ValidationRule(value = Cel.OBJECT_NAME, message = Cel.OBJECT_NAME_MESSAGE)
        @JsonPropertyDescription("An existing PVC in this namespace.")
        String pvcName,
    @JsonPropertyDescription("A PVC for the operator to create.") ClaimTemplate claimTemplate,
    @JsonPropertyDescription("Directory inside the volume to restore into (default: its root).")
        String path,
    @JsonPropertyDescription(
            "Restoring into a PVC other than the one the snapshot was taken of (another name, or another namespace) is"
                + " an explicit choice: name here the PVC (and namespace) it was taken of. Without it, such a restore fails and says what to write.")
        SourceVolume insteadOf) {

  public RestoreTarget(String pvcName, ClaimTemplate claimTemplate, String path) {
    this(pvcName, claimTemplate, path, null);
  }

  public String pvc() {
    return pvcName != null ? pvcName : claimTemplate.name();
  }

  public String normalizedPath() {
    return new SnapshotSource("x", path).normalizedPath();
  }
}
