package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** A key in a Secret or ConfigMap of the resource's own namespace. */
public record SecretKeyRef(
    @Required @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$") @JsonPropertyDescription("Name of the object, in the same namespace.")
        String name,
    @Required @Pattern("^[-._a-zA-Z0-9]+$") @JsonPropertyDescription("Key inside the object.") String key) {}
