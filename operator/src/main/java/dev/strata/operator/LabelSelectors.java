package dev.strata.operator;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Kubernetes label-selector semantics: matchLabels and matchExpressions ANDed; an empty selector
 * matches all.
 */
public final class LabelSelectors {

  private LabelSelectors() {}

  /** Whether the labels match; an invalid selector matches nothing (see {@link #problem}). */
  public static boolean matches(LabelSelector selector, Map<String, String> labels) {
    if (selector == null || problem(selector).isPresent()) {
      return false;
    }
    Map<String, String> have = labels == null ? Map.of() : labels;
    if (selector.getMatchLabels() != null) {
      for (var e : selector.getMatchLabels().entrySet()) {
        if (!e.getValue().equals(have.get(e.getKey()))) {
          return false;
        }
      }
    }
    for (LabelSelectorRequirement r : orEmpty(selector.getMatchExpressions())) {
      String value = have.get(r.getKey());
      boolean ok =
          switch (r.getOperator()) {
            case "In" -> value != null && r.getValues().contains(value);
            case "NotIn" -> value == null || !r.getValues().contains(value);
            case "Exists" -> have.containsKey(r.getKey());
            case "DoesNotExist" -> !have.containsKey(r.getKey());
            default -> false;
          };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** What is wrong with a selector, in words a person can act on; empty when it is valid. */
  public static Optional<String> problem(LabelSelector selector) {
    return problem(selector, "podSelector");
  }

  /** The same, naming the field the selector is in. */
  public static Optional<String> problem(LabelSelector selector, String field) {
    if (selector == null) {
      return Optional.of(field + " is missing");
    }
    for (LabelSelectorRequirement r : orEmpty(selector.getMatchExpressions())) {
      if (r.getKey() == null || r.getKey().isBlank()) {
        return Optional.of(field + ".matchExpressions: every expression needs a key");
      }
      String op = r.getOperator() == null ? "" : r.getOperator();
      boolean hasValues = r.getValues() != null && !r.getValues().isEmpty();
      switch (op) {
        case "In", "NotIn" -> {
          if (!hasValues) {
            return Optional.of(
                field + ".matchExpressions[" + r.getKey() + "]: operator " + op + " needs values");
          }
        }
        case "Exists", "DoesNotExist" -> {
          if (hasValues) {
            return Optional.of(
                field
                    + ".matchExpressions["
                    + r.getKey()
                    + "]: operator "
                    + op
                    + " takes no values");
          }
        }
        default -> {
          return Optional.of(
              field
                  + ".matchExpressions["
                  + r.getKey()
                  + "]: unknown operator '"
                  + op
                  + "': use In, NotIn, Exists or DoesNotExist");
        }
      }
    }
    return Optional.empty();
  }

  private static <T> List<T> orEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }
}
