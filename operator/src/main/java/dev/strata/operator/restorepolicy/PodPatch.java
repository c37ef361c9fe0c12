package dev.strata.operator.restorepolicy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.Map;

/**
 * The RFC 6902 JSON Patch that applies a {@link RestoreInjection} to a pod as the API server
 * received it: the init container goes first, volumes and the image pull secrets the pod lacks are
 * appended, and a label and annotations are added (creating the maps when the pod has none, since
 * "add" cannot create a missing parent; "add" of a member that exists replaces it).
 */
public final class PodPatch {

  private static final ObjectMapper JSON = Serialization.jsonMapper();

  private PodPatch() {}

  public static ArrayNode of(Pod pod, RestoreInjection injection) {
    ArrayNode ops = JSON.createArrayNode();
    if (pod.getSpec().getInitContainers() == null || pod.getSpec().getInitContainers().isEmpty()) {
      add(ops, "/spec/initContainers", JSON.valueToTree(List.of(injection.initContainer())));
    } else {
      add(ops, "/spec/initContainers/0", JSON.valueToTree(injection.initContainer()));
    }
    if (pod.getSpec().getVolumes() == null || pod.getSpec().getVolumes().isEmpty()) {
      add(ops, "/spec/volumes", JSON.valueToTree(injection.volumes()));
    } else {
      injection.volumes().forEach(v -> add(ops, "/spec/volumes/-", JSON.valueToTree(v)));
    }
    List<LocalObjectReference> pullSecrets = pod.getSpec().getImagePullSecrets();
    List<LocalObjectReference> missing =
        injection.imagePullSecrets().stream()
            .filter(
                s ->
                    pullSecrets == null
                        || pullSecrets.stream().noneMatch(p -> s.getName().equals(p.getName())))
            .toList();
    if (pullSecrets == null || pullSecrets.isEmpty()) {
      if (!missing.isEmpty()) {
        add(ops, "/spec/imagePullSecrets", JSON.valueToTree(missing));
      }
    } else {
      missing.forEach(s -> add(ops, "/spec/imagePullSecrets/-", JSON.valueToTree(s)));
    }
    addEntries(ops, "/metadata/labels", pod.getMetadata().getLabels(), injection.labels());
    addEntries(
        ops, "/metadata/annotations", pod.getMetadata().getAnnotations(), injection.annotations());
    return ops;
  }

  private static void addEntries(
      ArrayNode ops, String path, Map<String, String> existing, Map<String, String> entries) {
    // An empty map is replaced whole: the pod's JSON may have no such member at all (the model
    // shows it as empty).
    if (existing == null || existing.isEmpty()) {
      add(ops, path, JSON.valueToTree(entries));
    } else {
      entries.forEach(
          (k, v) -> add(ops, path + "/" + escape(k), JSON.getNodeFactory().textNode(v)));
    }
  }

  private static void add(ArrayNode ops, String path, JsonNode value) {
    ObjectNode op = ops.addObject();
    op.put("op", "add");
    op.put("path", path);
    op.set("value", value);
  }

  /** JSON Pointer escaping (RFC 6901): a label key's '/' must not read as a path separator. */
  static String escape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }
}
