package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** The PVC a snapshot was taken of, named where a restore writes elsewhere on purpose. */
public record SourceVolume(
    @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
        @JsonPropertyDescription("The namespace of the PVC the snapshot was taken of; default: this StateRestore's namespace.")
        String namespace,
    @Required @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$") @JsonPropertyDescription("The PVC the snapshot was taken of.")
        String pvcName) {}
