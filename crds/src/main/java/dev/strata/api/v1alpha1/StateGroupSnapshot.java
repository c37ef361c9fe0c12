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
 * One snapshot of a whole workload, now: a StateSnapshot per PVC it selects (a label selector or a StatefulSet's
 * replicas), grouped, as a SnapshotSchedule with {@code spec.volumes} makes at each run. What Velero's Backup and
 * K8up's Backup are to their Schedules, and Kubernetes' VolumeGroupSnapshot to a VolumeSnapshot.
 */
@Group(StrataGroup.GROUP)
@Version(StrataGroup.VERSION)
@ShortNames({"sgsnap", "groupsnap"})
@Categories("strata")
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Volumes", jsonPath = ".status.volumes", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Succeeded", jsonPath = ".status.succeeded", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Failed", jsonPath = ".status.failed", type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class StateGroupSnapshot extends CustomResource<StateGroupSnapshotSpec, StateGroupSnapshotStatus> implements Namespaced {

  @Override
  @ValidationRule(value = "self == oldSelf", message = "a StateGroupSnapshot's spec is immutable: create a new StateGroupSnapshot instead")
  public StateGroupSnapshotSpec getSpec() {
    return super.getSpec();
  }
}
