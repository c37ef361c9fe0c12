package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** The PVC a snapshot was taken of, named where a restore writes elsewhere on purpose. */
public record SourceVolume(
    @Size(max = Cel.LABEL_MAX)
        @ValidationRule(value = Cel.DNS_LABEL, message = Cel.DNS_LABEL_MESSAGE)
        @JsonPropertyDescription(
            "The namespace of the PVC the snapshot was taken of; default: this StateRestore's namespace.")
        String namespace,
    @Required
        @Size(max = Cel.NAME_MAX)
        @ValidationRule(value = Cel.OBJECT_NAME, message = Cel.OBJECT_NAME_MESSAGE)
        @JsonPropertyDescription("The PVC the snapshot was taken of.")
        String pvcName) {}
