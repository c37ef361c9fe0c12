package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/**
 * Commands run in the pod that uses the PVC, one after another: {@code pre} before the runner
 * starts, {@code post} after it ended (whether it succeeded or failed), and also after a pre hook
 * failed, so that what the pre hooks did (a checkpoint, a frozen file system) is always undone. The
 * operator runs them through {@code pods/exec}: install the chart with {@code hooks.enabled=true}
 * (docs/hooks.md).
 */
public record SnapshotHooks(
    @Size(max = 8)
        @JsonPropertyDescription(
            "Run in order before the backup starts; the backup starts when all have succeeded (or failed"
                + " with onError: Continue).")
        List<Hook> pre,
    @Size(max = 8)
        @JsonPropertyDescription("Run in order after the backup ended, or after a pre hook failed.")
        List<Hook> post) {

  public List<Hook> preOrEmpty() {
    return pre == null ? List.of() : pre;
  }

  public List<Hook> postOrEmpty() {
    return post == null ? List.of() : post;
  }

  /**
   * Whether no hook is given (not isEmpty(): Jackson would write that as a field "empty", which no
   * reader knows).
   */
  public boolean none() {
    return preOrEmpty().isEmpty() && postOrEmpty().isEmpty();
  }
}
