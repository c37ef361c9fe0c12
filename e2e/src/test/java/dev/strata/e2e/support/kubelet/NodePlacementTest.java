package dev.strata.e2e.support.kubelet;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.NodeSelectorTermBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodePlacementTest {

  private final Node nodeA =
      node("node-a", Map.of("kubernetes.io/hostname", "node-a", "zone", "z1", "disk", "5"));
  private final Node nodeB =
      node("node-b", Map.of("kubernetes.io/hostname", "node-b", "zone", "z2"));

  @Test
  void aPodWithoutConstraintsFitsEveryNode() {
    Pod pod = pod().build();
    assertThat(NodePlacement.misfit(pod, nodeA)).isEmpty();
    assertThat(NodePlacement.misfit(pod, nodeB)).isEmpty();
  }

  @Test
  void nodeNameRestrictsToThatNode() {
    Pod pod = pod().editSpec().withNodeName("node-b").endSpec().build();
    assertThat(NodePlacement.misfit(pod, nodeA))
        .hasValueSatisfying(r -> assertThat(r).contains("node-b"));
    assertThat(NodePlacement.misfit(pod, nodeB)).isEmpty();
  }

  @Test
  void nodeSelectorNeedsEveryLabel() {
    Pod pod =
        pod()
            .editSpec()
            .withNodeSelector(Map.of("zone", "z1", "kubernetes.io/hostname", "node-a"))
            .endSpec()
            .build();
    assertThat(NodePlacement.misfit(pod, nodeA)).isEmpty();
    assertThat(NodePlacement.misfit(pod, nodeB)).isPresent();
    Pod missingLabel = pod().editSpec().withNodeSelector(Map.of("gpu", "yes")).endSpec().build();
    assertThat(NodePlacement.misfit(missingLabel, nodeA)).isPresent();
  }

  @Test
  void requiredAffinityTermsAreOredAndExpressionsAnded() {
    Pod pod =
        withAffinity(
            term(List.of(req("zone", "In", "z9"))),
            term(
                List.of(
                    req("zone", "In", "z2"), req("kubernetes.io/hostname", "NotIn", "node-a"))));
    assertThat(NodePlacement.misfit(pod, nodeA)).isPresent();
    assertThat(NodePlacement.misfit(pod, nodeB)).isEmpty();
  }

  @Test
  void operatorsFollowKubernetesSemantics() {
    Map<String, String> labels = Map.of("disk", "5", "zone", "z1");
    assertThat(NodePlacement.matches(req("zone", "In", "z1", "z2"), labels)).isTrue();
    assertThat(NodePlacement.matches(req("zone", "In", "z2"), labels)).isFalse();
    assertThat(NodePlacement.matches(req("zone", "NotIn", "z2"), labels)).isTrue();
    assertThat(NodePlacement.matches(req("absent", "NotIn", "x"), labels)).isTrue();
    assertThat(NodePlacement.matches(req("zone", "Exists"), labels)).isTrue();
    assertThat(NodePlacement.matches(req("absent", "Exists"), labels)).isFalse();
    assertThat(NodePlacement.matches(req("absent", "DoesNotExist"), labels)).isTrue();
    assertThat(NodePlacement.matches(req("disk", "Gt", "4"), labels)).isTrue();
    assertThat(NodePlacement.matches(req("disk", "Gt", "5"), labels)).isFalse();
    assertThat(NodePlacement.matches(req("disk", "Lt", "6"), labels)).isTrue();
    assertThat(NodePlacement.matches(req("zone", "Gt", "1"), labels)).isFalse();
    assertThat(NodePlacement.matches(req("zone", "Bogus", "z1"), labels)).isFalse();
  }

  @Test
  void matchFieldsSelectsByNodeName() {
    NodeSelectorTerm byName =
        new NodeSelectorTermBuilder().withMatchFields(req("metadata.name", "In", "node-a")).build();
    Pod pod = withAffinity(byName);
    assertThat(NodePlacement.misfit(pod, nodeA)).isEmpty();
    assertThat(NodePlacement.misfit(pod, nodeB)).isPresent();
    NodeSelectorTerm otherField =
        new NodeSelectorTermBuilder()
            .withMatchFields(req("metadata.labels", "In", "node-a"))
            .build();
    assertThat(NodePlacement.misfit(withAffinity(otherField), nodeA)).isPresent();
  }

  @Test
  void emptyTermsMatchNothing() {
    assertThat(NodePlacement.misfit(withAffinity(new NodeSelectorTerm()), nodeA)).isPresent();
    assertThat(NodePlacement.misfit(withAffinity(), nodeA)).isPresent();
  }

  @Test
  void volumeNodeAffinityIsHonoured() {
    PersistentVolume pinned =
        new PersistentVolumeBuilder()
            .withNewMetadata()
            .withName("pv")
            .endMetadata()
            .withNewSpec()
            .withNewNodeAffinity()
            .withNewRequired()
            .withNodeSelectorTerms(term(List.of(req("kubernetes.io/hostname", "In", "node-b"))))
            .endRequired()
            .endNodeAffinity()
            .endSpec()
            .build();
    PersistentVolume free =
        new PersistentVolumeBuilder()
            .withNewMetadata()
            .withName("free")
            .endMetadata()
            .withNewSpec()
            .endSpec()
            .build();
    assertThat(NodePlacement.admits(pinned, nodeA)).isFalse();
    assertThat(NodePlacement.admits(pinned, nodeB)).isTrue();
    assertThat(NodePlacement.admits(free, nodeA)).isTrue();
  }

  private static Pod withAffinity(NodeSelectorTerm... terms) {
    return pod()
        .editSpec()
        .withNewAffinity()
        .withNewNodeAffinity()
        .withNewRequiredDuringSchedulingIgnoredDuringExecution()
        .withNodeSelectorTerms(terms)
        .endRequiredDuringSchedulingIgnoredDuringExecution()
        .endNodeAffinity()
        .endAffinity()
        .endSpec()
        .build();
  }

  private static NodeSelectorTerm term(List<NodeSelectorRequirement> expressions) {
    return new NodeSelectorTermBuilder().withMatchExpressions(expressions).build();
  }

  private static NodeSelectorRequirement req(String key, String operator, String... values) {
    return new NodeSelectorRequirementBuilder()
        .withKey(key)
        .withOperator(operator)
        .withValues(values)
        .build();
  }

  private static PodBuilder pod() {
    return new PodBuilder()
        .withNewMetadata()
        .withName("p")
        .withNamespace("ns")
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("c")
        .withImage("busybox")
        .endContainer()
        .endSpec();
  }

  private static Node node(String name, Map<String, String> labels) {
    return new NodeBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(labels)
        .endMetadata()
        .build();
  }
}
