package dev.strata.operator.restorepolicy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.List;
import java.util.Map;

/**
 * What a RestorePolicy adds to a pod: the restore init container (first), its volumes, a label and
 * annotations, and the secrets to pull the runner image with (those the pod does not list already).
 */
public record RestoreInjection(
    Container initContainer,
    List<Volume> volumes,
    Map<String, String> labels,
    Map<String, String> annotations,
    List<LocalObjectReference> imagePullSecrets) {

  public RestoreInjection(
      Container initContainer,
      List<Volume> volumes,
      Map<String, String> labels,
      Map<String, String> annotations) {
    this(initContainer, volumes, labels, annotations, List.of());
  }
}
