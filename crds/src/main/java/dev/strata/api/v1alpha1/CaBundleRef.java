package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * PEM CA certificates to trust for the store's endpoint, from a Secret or a ConfigMap (exactly
 * one).
 */
@ValidationRule(
    value = "has(self.secretRef) != has(self.configMapRef)",
    message = "caBundle needs exactly one of secretRef or configMapRef")
public record CaBundleRef(
    @JsonPropertyDescription("A key of a Secret holding PEM certificates.") SecretKeyRef secretRef,
    @JsonPropertyDescription("A key of a ConfigMap holding PEM certificates.")
        SecretKeyRef configMapRef) {}
