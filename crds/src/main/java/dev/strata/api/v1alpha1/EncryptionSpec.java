package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/**
 * Client-side encryption of a store: the Secret key holding the store's key (a passphrase or a long
 * random string). The store is created encrypted by its first backup when this is set; a store's
 * encryption cannot change afterwards.
 */
public record EncryptionSpec(
    @Required
        @JsonPropertyDescription(
            "The key of a Secret, in the store's namespace, that holds the store's key. Keep a copy outside the cluster: without it the store cannot be read.")
        SecretKeyRef keySecretRef) {}
