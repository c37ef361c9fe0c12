package dev.strata.e2e.support.kubelet;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelector;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a pod may run on a node, as the scheduler decides it for the parts that matter to Strata:
 * {@code spec.nodeName}, {@code nodeSelector}, required node affinity, and a bound volume's node
 * affinity. Taints, resources and preferred affinity are not considered.
 */
public final class NodePlacement {

  private NodePlacement() {}

  /** The reason {@code pod} cannot run on {@code node}, or empty when it can. */
  public static Optional<String> misfit(Pod pod, Node node) {
    String nodeName = node.getMetadata().getName();
    Map<String, String> labels = labels(node);
    String requested = pod.getSpec().getNodeName();
    if (requested != null && !requested.isEmpty() && !requested.equals(nodeName)) {
      return Optional.of("spec.nodeName is " + requested);
    }
    Map<String, String> selector = pod.getSpec().getNodeSelector();
    if (selector != null) {
      for (Map.Entry<String, String> entry : selector.entrySet()) {
        if (!entry.getValue().equals(labels.get(entry.getKey()))) {
          return Optional.of(
              "node(s) didn't match Pod's node selector "
                  + entry.getKey()
                  + "="
                  + entry.getValue());
        }
      }
    }
    NodeSelector required = requiredAffinity(pod.getSpec().getAffinity());
    if (required != null && !matches(required, nodeName, labels)) {
      return Optional.of("node(s) didn't match Pod's node affinity/selector");
    }
    return Optional.empty();
  }

  /**
   * Whether a volume's required node affinity admits {@code node} (no affinity admits every node).
   */
  public static boolean admits(PersistentVolume volume, Node node) {
    if (volume.getSpec().getNodeAffinity() == null
        || volume.getSpec().getNodeAffinity().getRequired() == null) {
      return true;
    }
    return matches(
        volume.getSpec().getNodeAffinity().getRequired(),
        node.getMetadata().getName(),
        labels(node));
  }

  /** The terms are ORed; an empty term list matches nothing, as in Kubernetes. */
  public static boolean matches(
      NodeSelector selector, String nodeName, Map<String, String> labels) {
    List<NodeSelectorTerm> terms = selector.getNodeSelectorTerms();
    if (terms == null) {
      return false;
    }
    return terms.stream().anyMatch(term -> matches(term, nodeName, labels));
  }

  /** Expressions and fields are ANDed; a term with neither matches nothing. */
  public static boolean matches(
      NodeSelectorTerm term, String nodeName, Map<String, String> labels) {
    List<NodeSelectorRequirement> expressions = orEmpty(term.getMatchExpressions());
    List<NodeSelectorRequirement> fields = orEmpty(term.getMatchFields());
    if (expressions.isEmpty() && fields.isEmpty()) {
      return false;
    }
    for (NodeSelectorRequirement requirement : expressions) {
      if (!matches(requirement, labels)) {
        return false;
      }
    }
    for (NodeSelectorRequirement requirement : fields) {
      // metadata.name is the only field Kubernetes supports in matchFields.
      if (!"metadata.name".equals(requirement.getKey())
          || !matches(requirement, Map.of("metadata.name", nodeName))) {
        return false;
      }
    }
    return true;
  }

  /** One requirement against a label map: In, NotIn, Exists, DoesNotExist, Gt, Lt. */
  public static boolean matches(NodeSelectorRequirement requirement, Map<String, String> labels) {
    String value = labels.get(requirement.getKey());
    List<String> values = orEmpty(requirement.getValues());
    switch (requirement.getOperator()) {
      case "In":
        return value != null && values.contains(value);
      case "NotIn":
        return value == null || !values.contains(value);
      case "Exists":
        return value != null;
      case "DoesNotExist":
        return value == null;
      case "Gt":
      case "Lt":
        if (value == null || values.size() != 1) {
          return false;
        }
        try {
          long actual = Long.parseLong(value);
          long bound = Long.parseLong(values.get(0));
          return "Gt".equals(requirement.getOperator()) ? actual > bound : actual < bound;
        } catch (NumberFormatException e) {
          return false;
        }
      default:
        return false;
    }
  }

  private static NodeSelector requiredAffinity(Affinity affinity) {
    if (affinity == null || affinity.getNodeAffinity() == null) {
      return null;
    }
    return affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
  }

  private static Map<String, String> labels(Node node) {
    Map<String, String> labels = node.getMetadata().getLabels();
    return labels == null ? Map.of() : labels;
  }

  private static <T> List<T> orEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }
}
