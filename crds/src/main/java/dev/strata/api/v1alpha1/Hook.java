package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * A command run in a container of the pod that uses the snapshot's PVC, through the API server's
 * {@code pods/exec} (as {@code kubectl exec} does): before the backup (e.g. make a RocksDB
 * checkpoint, freeze the file system) or after it (remove the checkpoint, thaw).
 */
public record Hook(
    @Size(max = Cel.LABEL_MAX)
        @ValidationRule(value = Cel.DNS_LABEL, message = Cel.DNS_LABEL_MESSAGE)
        @JsonPropertyDescription(
            "A name for the status and Events (default: pre-1, pre-2... / post-1...).")
        String name,
    @Size(max = Cel.LABEL_MAX)
        @ValidationRule(value = Cel.DNS_LABEL, message = Cel.DNS_LABEL_MESSAGE)
        @JsonPropertyDescription(
            "The container to run the command in (default: the pod's first container).")
        String container,
    @Required
        @Size(min = 1, max = 64)
        @JsonPropertyDescription(
            "The command and its arguments, run without a shell (write [\"sh\", \"-c\", \"...\"] for one); it"
                + " succeeds when it exits with 0.")
        List<String> command,
    @Default("30")
        @Min(1)
        @Max(3600)
        @JsonPropertyDescription(
            "Seconds to wait for the command to exit; then the hook has TimedOut. Kubernetes cannot stop a"
                + " command it started: one that runs on is the container's to end, so make hooks bound themselves.")
        Long timeoutSeconds,
    @Default("Fail")
        @JsonPropertyDescription(
            "When the hook fails, times out or finds no running pod: Fail fails the snapshot; Continue records a"
                + " Warning and goes on.")
        HookErrorPolicy onError) {

  public long timeoutSecondsOrDefault() {
    return timeoutSeconds == null ? 30 : timeoutSeconds;
  }

  public HookErrorPolicy onErrorOrDefault() {
    return onError == null ? HookErrorPolicy.Fail : onError;
  }
}
