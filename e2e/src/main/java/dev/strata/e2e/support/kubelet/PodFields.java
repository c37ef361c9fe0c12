package dev.strata.e2e.support.kubelet;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ObjectFieldSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceFieldSelector;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The downward API: pod fields and container resources, as env values or files. */
public final class PodFields {

  private static final Pattern MAP_KEY =
      Pattern.compile("metadata\\.(labels|annotations)\\['(.+)'\\]");

  private PodFields() {}

  public static String field(Pod pod, ObjectFieldSelector selector, String hostIp)
      throws ContainerConfigException {
    String path = selector.getFieldPath();
    switch (path) {
      case "metadata.name":
        return pod.getMetadata().getName();
      case "metadata.namespace":
        return pod.getMetadata().getNamespace();
      case "metadata.uid":
        return pod.getMetadata().getUid();
      case "spec.nodeName":
        return nullToEmpty(pod.getSpec().getNodeName());
      case "spec.serviceAccountName":
        return nullToEmpty(pod.getSpec().getServiceAccountName());
      case "status.hostIP":
      case "status.hostIPs":
      case "status.podIP":
      case "status.podIPs":
        return hostIp;
      case "metadata.labels":
        return formatMap(pod.getMetadata().getLabels());
      case "metadata.annotations":
        return formatMap(pod.getMetadata().getAnnotations());
      default:
        Matcher matcher = MAP_KEY.matcher(path);
        if (matcher.matches()) {
          Map<String, String> map =
              "labels".equals(matcher.group(1))
                  ? pod.getMetadata().getLabels()
                  : pod.getMetadata().getAnnotations();
          return map == null ? "" : nullToEmpty(map.get(matcher.group(2)));
        }
        throw new ContainerConfigException("unsupported fieldPath " + path);
    }
  }

  /** limits/requests of cpu, memory or ephemeral-storage, divided by the divisor and rounded up. */
  public static String resource(
      Container container, ResourceFieldSelector selector, Map<String, Quantity> nodeAllocatable)
      throws ContainerConfigException {
    String resource = selector.getResource();
    int dot = resource.indexOf('.');
    if (dot < 0) {
      throw new ContainerConfigException("unsupported resource " + resource);
    }
    String kind = resource.substring(0, dot);
    String name = resource.substring(dot + 1);
    Map<String, Quantity> values =
        container.getResources() == null
            ? null
            : "limits".equals(kind)
                ? container.getResources().getLimits()
                : container.getResources().getRequests();
    Quantity quantity = values == null ? null : values.get(name);
    if (quantity == null && "limits".equals(kind)) {
      quantity = nodeAllocatable.get(name); // kubelet: no limit means the node's allocatable
    }
    if (quantity == null) {
      return "0";
    }
    BigDecimal amount = quantity.getNumericalAmount();
    BigDecimal divisor =
        selector.getDivisor() == null ? BigDecimal.ONE : selector.getDivisor().getNumericalAmount();
    if (divisor.signum() == 0) {
      divisor = BigDecimal.ONE;
    }
    return amount.divide(divisor, 0, RoundingMode.CEILING).toPlainString();
  }

  private static String formatMap(Map<String, String> map) {
    if (map == null) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    map.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e ->
                out.append(e.getKey())
                    .append("=\"")
                    .append(e.getValue().replace("\"", "\\\""))
                    .append("\"\n"));
    return out.toString().stripTrailing();
  }

  private static String nullToEmpty(String value) {
    return value == null ? "" : value;
  }
}
