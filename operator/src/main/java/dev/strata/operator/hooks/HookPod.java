package dev.strata.operator.hooks;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;

/**
 * The pod hooks run in (the one that uses the snapshot's PVC): its name and its containers, in
 * order.
 */
public record HookPod(String name, List<String> containers) {

  public static HookPod of(Pod pod) {
    List<String> containers =
        pod.getSpec() == null || pod.getSpec().getContainers() == null
            ? List.of()
            : pod.getSpec().getContainers().stream().map(Container::getName).toList();
    return new HookPod(pod.getMetadata().getName(), containers);
  }
}
