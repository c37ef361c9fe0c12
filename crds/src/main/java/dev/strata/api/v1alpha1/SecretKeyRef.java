package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** A key in a Secret or ConfigMap of the resource's own namespace. */
public record SecretKeyRef(
    @Required
        @Size(max = Cel.NAME_MAX)
        @ValidationRule(value = Cel.OBJECT_NAME, message = Cel.OBJECT_NAME_MESSAGE)
        @JsonPropertyDescription("Name of the object, in the same namespace.")
        String name,
    @Required
        @Size(max = Cel.NAME_MAX)
        @ValidationRule(value = Cel.SECRET_KEY, message = Cel.SECRET_KEY_MESSAGE)
        @JsonPropertyDescription("Key inside the object.")
        String key) {}
