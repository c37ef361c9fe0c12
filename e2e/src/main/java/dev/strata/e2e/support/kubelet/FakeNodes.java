package dev.strata.e2e.support.kubelet;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The stand-in's Nodes: registered Ready, and kept so by renewing their Lease in kube-node-lease
 * (what the node lifecycle controller watches) and refreshing the Ready condition's heartbeat now
 * and then.
 */
final class FakeNodes {

  static final String HOST_IP = "127.0.0.1";
  static final Map<String, Quantity> ALLOCATABLE =
      Map.of(
          "cpu", new Quantity("4"),
          "memory", new Quantity("16Gi"),
          "pods", new Quantity("110"),
          "ephemeral-storage", new Quantity("100Gi"));
  private static final int LEASE_SECONDS = 40;

  private final KubernetesClient client;
  private final List<String> names;
  private final String kubeletVersion;
  private final EventLog events;

  FakeNodes(KubernetesClient client, List<String> names, String kubeletVersion, EventLog events) {
    this.client = client;
    this.names = List.copyOf(names);
    this.kubeletVersion = kubeletVersion;
    this.events = events;
  }

  List<String> names() {
    return names;
  }

  boolean owns(String nodeName) {
    return nodeName != null && names.contains(nodeName);
  }

  void register() {
    for (String name : names) {
      Node node =
          new NodeBuilder()
              .withNewMetadata()
              .withName(name)
              .addToLabels("kubernetes.io/hostname", name)
              .addToLabels("kubernetes.io/os", "linux")
              .addToLabels("kubernetes.io/arch", "amd64")
              .addToLabels("strata.dev/kubelet-stand-in", "true")
              .endMetadata()
              .build();
      if (client.nodes().withName(name).get() == null) {
        client.nodes().resource(node).create();
      }
      patchStatus(name, true);
      renewLease(name);
      events.info(null, "node " + name, "registered Ready");
    }
  }

  /** One heartbeat: leases every call, the status condition when {@code withStatus}. */
  void heartbeat(boolean withStatus) {
    for (String name : names) {
      try {
        renewLease(name);
        if (withStatus) {
          patchStatus(name, false);
        }
      } catch (KubernetesClientException e) {
        events.warn(null, "node " + name, "heartbeat failed: " + e.getMessage());
      }
    }
  }

  private void renewLease(String name) {
    ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
    Lease existing = client.leases().inNamespace("kube-node-lease").withName(name).get();
    if (existing == null) {
      Node node = client.nodes().withName(name).get();
      client
          .leases()
          .inNamespace("kube-node-lease")
          .resource(
              new LeaseBuilder()
                  .withNewMetadata()
                  .withName(name)
                  .withNamespace("kube-node-lease")
                  .addNewOwnerReference()
                  .withApiVersion("v1")
                  .withKind("Node")
                  .withName(name)
                  .withUid(node.getMetadata().getUid())
                  .endOwnerReference()
                  .endMetadata()
                  .withNewSpec()
                  .withHolderIdentity(name)
                  .withLeaseDurationSeconds(LEASE_SECONDS)
                  .withRenewTime(now)
                  .endSpec()
                  .build())
          .create();
    } else {
      existing.getSpec().setRenewTime(now);
      client.leases().inNamespace("kube-node-lease").resource(existing).update();
    }
  }

  private void patchStatus(String name, boolean full) {
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    String transition = full ? now : null; // a heartbeat is not a transition
    List<NodeCondition> conditions = new ArrayList<>();
    conditions.add(
        condition(
            "Ready", "True", "KubeletReady", "kubelet is posting ready status", now, transition));
    conditions.add(
        condition(
            "MemoryPressure",
            "False",
            "KubeletHasSufficientMemory",
            "kubelet has sufficient memory available",
            now,
            transition));
    conditions.add(
        condition(
            "DiskPressure",
            "False",
            "KubeletHasNoDiskPressure",
            "kubelet has no disk pressure",
            now,
            transition));
    conditions.add(
        condition(
            "PIDPressure",
            "False",
            "KubeletHasSufficientPID",
            "kubelet has sufficient PID available",
            now,
            transition));
    Map<String, Object> status = new LinkedHashMap<>();
    status.put("conditions", conditions);
    if (full) {
      status.put("capacity", ALLOCATABLE);
      status.put("allocatable", ALLOCATABLE);
      status.put(
          "addresses",
          List.of(
              Map.of("type", "InternalIP", "address", HOST_IP),
              Map.of("type", "Hostname", "address", name)));
      Map<String, String> info = new LinkedHashMap<>();
      info.put("kubeletVersion", kubeletVersion);
      info.put("kubeProxyVersion", kubeletVersion);
      info.put("containerRuntimeVersion", "strata-stand-in://1");
      info.put("operatingSystem", "linux");
      info.put("architecture", "amd64");
      info.put("osImage", "Strata kubelet stand-in");
      info.put("kernelVersion", System.getProperty("os.version"));
      info.put("machineID", name);
      info.put("systemUUID", name);
      info.put("bootID", name);
      status.put("nodeInfo", info);
      status.put("daemonEndpoints", Map.of("kubeletEndpoint", Map.of("Port", 10250)));
    }
    client
        .nodes()
        .withName(name)
        .subresource("status")
        .patch(
            PatchContext.of(PatchType.STRATEGIC_MERGE),
            Serialization.asJson(Map.of("status", status)));
  }

  private static NodeCondition condition(
      String type, String status, String reason, String message, String now, String transition) {
    return new NodeConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .withLastHeartbeatTime(now)
        .withLastTransitionTime(transition)
        .build();
  }
}
