package dev.strata.operator.restorepolicy;

import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.List;
import java.util.Optional;

/**
 * The webhook's answer for one pod: allowed (always, unless a Fail policy cannot be honoured) with
 * an optional JSON Patch and warnings that kubectl shows the person who created the pod.
 *
 * @param policy the RestorePolicy that applied, if one did
 * @param sourceId the source the pod restores, if one applied
 */
public record PodMutation(
    boolean allowed,
    Optional<ArrayNode> patch,
    List<String> warnings,
    String denial,
    String policy,
    String sourceId) {

  public static PodMutation unchanged(List<String> warnings) {
    return new PodMutation(true, Optional.empty(), List.copyOf(warnings), null, null, null);
  }

  public static PodMutation patched(
      ArrayNode patch, List<String> warnings, String policy, String sourceId) {
    return new PodMutation(true, Optional.of(patch), List.copyOf(warnings), null, policy, sourceId);
  }

  public static PodMutation denied(String message, List<String> warnings, String policy) {
    return new PodMutation(false, Optional.empty(), List.copyOf(warnings), message, policy, null);
  }
}
