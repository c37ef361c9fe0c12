package dev.strata.e2e.support.kubelet;

import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;

/**
 * Binds unscheduled pods to one of the stand-in's nodes through the Binding subresource: nodes that
 * fit (see {@link NodePlacement}) and whose bound volumes admit them; among those the one running
 * fewest pods. A pod that fits nowhere gets PodScheduled=False/Unschedulable and is retried every
 * two seconds.
 */
final class PodScheduler {

  private final KubernetesClient client;
  private final FakeNodes nodes;
  private final StandInRuntime runtime;
  private final ToIntFunction<String> podsOnNode;
  private final Set<String> queued = ConcurrentHashMap.newKeySet();

  PodScheduler(
      KubernetesClient client,
      FakeNodes nodes,
      StandInRuntime runtime,
      ToIntFunction<String> podsOnNode) {
    this.client = client;
    this.nodes = nodes;
    this.runtime = runtime;
    this.podsOnNode = podsOnNode;
  }

  void enqueue(Pod pod) {
    if (queued.add(pod.getMetadata().getUid())) {
      runtime.control.submit(
          () ->
              attempt(
                  pod.getMetadata().getNamespace(),
                  pod.getMetadata().getName(),
                  pod.getMetadata().getUid()));
    }
  }

  private void attempt(String namespace, String name, String uid) {
    try {
      Pod pod = client.pods().inNamespace(namespace).withName(name).get();
      if (pod == null
          || !uid.equals(pod.getMetadata().getUid())
          || pod.getMetadata().getDeletionTimestamp() != null
          || (pod.getSpec().getNodeName() != null && !pod.getSpec().getNodeName().isEmpty())) {
        queued.remove(uid);
        return;
      }
      if (pod.getSpec().getSchedulerName() != null
          && !"default-scheduler".equals(pod.getSpec().getSchedulerName())) {
        queued.remove(uid); // another scheduler's pod
        return;
      }
      Map<String, String> misfits = new LinkedHashMap<>();
      List<String> fitting = new ArrayList<>();
      for (String nodeName : nodes.names()) {
        Node node = client.nodes().withName(nodeName).get();
        Optional<String> misfit = node == null ? Optional.of("node not found") : misfit(pod, node);
        if (misfit.isPresent()) {
          misfits.put(nodeName, misfit.get());
        } else {
          fitting.add(nodeName);
        }
      }
      if (fitting.isEmpty()) {
        markUnschedulable(pod, misfits);
        runtime.timers.schedule(
            () -> runtime.control.submit(() -> attempt(namespace, name, uid)), 2, TimeUnit.SECONDS);
        return;
      }
      fitting.sort(Comparator.comparingInt(podsOnNode).thenComparing(Comparator.naturalOrder()));
      String chosen = fitting.get(0);
      client
          .bindings()
          .inNamespace(namespace)
          .resource(
              new BindingBuilder()
                  .withNewMetadata()
                  .withName(name)
                  .withNamespace(namespace)
                  .withUid(uid)
                  .endMetadata()
                  .withNewTarget()
                  .withApiVersion("v1")
                  .withKind("Node")
                  .withName(chosen)
                  .endTarget()
                  .build())
          .create();
      queued.remove(uid);
      runtime.events.info(namespace, name, "bound to " + chosen);
    } catch (KubernetesClientException e) {
      queued.remove(uid);
      if (e.getCode() != 404 && e.getCode() != 409) {
        runtime.events.warn(namespace, name, "binding failed: " + e.getMessage());
      }
    }
  }

  /** Why {@code pod} cannot go to {@code node}, volumes included; empty when it can. */
  private Optional<String> misfit(Pod pod, Node node) {
    Optional<String> placement = NodePlacement.misfit(pod, node);
    if (placement.isPresent()) {
      return placement;
    }
    for (Volume volume :
        pod.getSpec().getVolumes() == null ? List.<Volume>of() : pod.getSpec().getVolumes()) {
      if (volume.getPersistentVolumeClaim() == null) {
        continue;
      }
      String claimName = volume.getPersistentVolumeClaim().getClaimName();
      PersistentVolumeClaim claim =
          client
              .persistentVolumeClaims()
              .inNamespace(pod.getMetadata().getNamespace())
              .withName(claimName)
              .get();
      if (claim == null) {
        return Optional.of("persistentvolumeclaim \"" + claimName + "\" not found");
      }
      if (claim.getStatus() == null || !"Bound".equals(claim.getStatus().getPhase())) {
        return Optional.of("pod has unbound immediate PersistentVolumeClaims");
      }
      PersistentVolume pv =
          client.persistentVolumes().withName(claim.getSpec().getVolumeName()).get();
      if (pv != null && !NodePlacement.admits(pv, node)) {
        return Optional.of("node(s) had volume node affinity conflict");
      }
    }
    return Optional.empty();
  }

  private void markUnschedulable(Pod pod, Map<String, String> misfits) {
    String message =
        misfits.size() == 0
            ? "no nodes available"
            : "0/"
                + misfits.size()
                + " nodes are available: "
                + String.join(
                    ", ",
                    misfits.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).toList())
                + ".";
    boolean already =
        pod.getStatus() != null
            && pod.getStatus().getConditions() != null
            && pod.getStatus().getConditions().stream()
                .anyMatch(
                    c ->
                        "PodScheduled".equals(c.getType())
                            && "False".equals(c.getStatus())
                            && message.equals(c.getMessage()));
    if (already) {
      return;
    }
    String patch =
        "{\"status\":{\"conditions\":[{\"type\":\"PodScheduled\",\"status\":\"False\","
            + "\"reason\":\"Unschedulable\",\"message\":"
            + json(message)
            + ",\"lastProbeTime\":null,"
            + "\"lastTransitionTime\":\""
            + PodStatusModel.now()
            + "\"}]}}";
    try {
      client
          .pods()
          .inNamespace(pod.getMetadata().getNamespace())
          .withName(pod.getMetadata().getName())
          .subresource("status")
          .patch(PatchContext.of(PatchType.STRATEGIC_MERGE), patch);
      runtime.events.info(
          pod.getMetadata().getNamespace(),
          pod.getMetadata().getName(),
          "unschedulable: " + message);
    } catch (KubernetesClientException e) {
      // The pod may be gone; the next attempt notices.
    }
  }

  private static String json(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
