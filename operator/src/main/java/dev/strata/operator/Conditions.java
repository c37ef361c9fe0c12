package dev.strata.operator;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Kubernetes-style conditions: setting one keeps its lastTransitionTime while its status does not
 * change.
 */
public final class Conditions {

  public static final String READY = "Ready";
  public static final String TRUE = "True";
  public static final String FALSE = "False";
  public static final String UNKNOWN = "Unknown";

  private Conditions() {}

  public static List<Condition> set(
      List<Condition> existing,
      String type,
      String status,
      String reason,
      String message,
      Long generation,
      Instant now) {
    List<Condition> out = new ArrayList<>();
    String transition = now.toString();
    if (existing != null) {
      for (Condition c : existing) {
        if (c.getType().equals(type)) {
          if (status.equals(c.getStatus()) && c.getLastTransitionTime() != null) {
            transition = c.getLastTransitionTime();
          }
        } else {
          out.add(c);
        }
      }
    }
    out.add(
        new ConditionBuilder()
            .withType(type)
            .withStatus(status)
            .withReason(reason)
            .withMessage(message == null ? "" : message)
            .withObservedGeneration(generation)
            .withLastTransitionTime(transition)
            .build());
    out.sort((a, b) -> a.getType().compareTo(b.getType()));
    return out;
  }

  public static Optional<Condition> find(List<Condition> conditions, String type) {
    return conditions == null
        ? Optional.empty()
        : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  public static boolean isTrue(List<Condition> conditions, String type) {
    return find(conditions, type).map(c -> TRUE.equals(c.getStatus())).orElse(false);
  }
}
