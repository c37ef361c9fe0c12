package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/** How the runner pod runs. It always runs as non-root, with a read-only root filesystem and no capabilities. */
public record RunnerSpec(
    @JsonPropertyDescription("CPU and memory for the runner container.") ResourceRequirements resources,
    @Min(1)
        @JsonPropertyDescription("User id the runner runs as; set it to the workload's user when its files are not world-readable.")
        Long runAsUser,
    @Min(0) @JsonPropertyDescription("Group id the runner runs as.") Long runAsGroup) {}
