package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;

/** Where to restore: an existing PVC or one created from a template, and a path inside its volume. */
@ValidationRule(
    value = "has(self.pvcName) != has(self.claimTemplate)",
    message = "target needs exactly one of pvcName (an existing PVC) or claimTemplate (a PVC to create)")
@ValidationRule(
    value = "!has(self.path) || (!self.path.startsWith('/') && !self.path.matches('(^|/)\\\\.\\\\.(/|$)'))",
    message = "target.path must be relative to the volume's root and must not contain '..'")
public record RestoreTarget(
    @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$") @JsonPropertyDescription("An existing PVC in this namespace.") String pvcName,
    @JsonPropertyDescription("A PVC for the operator to create.") ClaimTemplate claimTemplate,
    @JsonPropertyDescription("Directory inside the volume to restore into (default: its root).") String path) {

  public String pvc() {
    return pvcName != null ? pvcName : claimTemplate.name();
  }

  public String normalizedPath() {
    return new SnapshotSource("x", path).normalizedPath();
  }
}
