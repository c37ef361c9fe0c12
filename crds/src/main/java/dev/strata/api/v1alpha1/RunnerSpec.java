package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/** How the runner pod runs. */
public record RunnerSpec(@JsonPropertyDescription("CPU and memory for the runner container.") ResourceRequirements resources) {}
