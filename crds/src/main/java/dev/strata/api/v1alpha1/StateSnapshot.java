package dev.strata.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/** One snapshot of one source (a PVC and a path inside it) into a SnapshotStore. */
@Group(StrataGroup.GROUP)
@Version(StrataGroup.VERSION)
@ShortNames({"ssnap", "snap"})
@Categories("strata")
@AdditionalPrinterColumn(
    name = "Phase",
    jsonPath = ".status.phase",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Source",
    jsonPath = ".spec.source.pvcName",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Size",
    jsonPath = ".status.size",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Uploaded",
    jsonPath = ".status.uploaded",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Taken",
    jsonPath = ".status.completionTime",
    type = AdditionalPrinterColumn.Type.DATE,
    priority = 1)
@AdditionalPrinterColumn(
    name = "Expires",
    jsonPath = ".status.expiresAt",
    type = AdditionalPrinterColumn.Type.STRING,
    priority = 1)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class StateSnapshot extends CustomResource<StateSnapshotSpec, StateSnapshotStatus>
    implements Namespaced {

  @Override
  @ValidationRule(
      value = "self == oldSelf",
      message = "a StateSnapshot's spec is immutable: create a new StateSnapshot instead")
  @ValidationRule(
      value = "has(self.source.pvcName)",
      message = "spec.source.pvcName is required: the PVC to snapshot")
  public StateSnapshotSpec getSpec() {
    return super.getSpec();
  }
}
