package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** A PVC the operator creates to restore into. */
public record ClaimTemplate(
    @Required
        @Size(max = Cel.NAME_MAX)
        @ValidationRule(value = Cel.OBJECT_NAME, message = Cel.OBJECT_NAME_MESSAGE)
        @JsonPropertyDescription("Name of the PVC to create.")
        String name,
    @JsonPropertyDescription("Storage class; empty means the cluster's default.")
        String storageClassName,
    @JsonPropertyDescription("Access modes (default ReadWriteOnce).") List<String> accessModes,
    @Size(max = 64)
        @ValidationRule(value = Cel.QUANTITY, message = Cel.QUANTITY_MESSAGE)
        @JsonPropertyDescription(
            "Requested size; default: what the snapshot needs plus 10%, at least 1Gi.")
        String size) {}
