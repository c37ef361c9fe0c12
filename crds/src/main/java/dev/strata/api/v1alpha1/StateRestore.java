package dev.strata.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * One restore, usually created with kubectl: a snapshot into a PVC, with the snapshot it resolved
 * to pinned in status.
 */
@Group(StrataGroup.GROUP)
@Version(StrataGroup.VERSION)
@ShortNames("srestore")
@Categories("strata")
@AdditionalPrinterColumn(
    name = "Phase",
    jsonPath = ".status.phase",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Snapshot",
    jsonPath = ".status.resolvedSnapshot.snapshotName",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Target",
    jsonPath = ".status.targetPvc",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Progress",
    jsonPath = ".status.progressSummary",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class StateRestore extends CustomResource<StateRestoreSpec, StateRestoreStatus>
    implements Namespaced {

  @Override
  @ValidationRule(
      value = "self == oldSelf",
      message = "a StateRestore's spec is immutable: create a new StateRestore instead")
  public StateRestoreSpec getSpec() {
    return super.getSpec();
  }
}
