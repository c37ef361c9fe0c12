package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * How the operator and a store's runners sign their requests: access keys from a Secret, or a role
 * assumed with a service account's token (web identity). Exactly one.
 */
@ValidationRule(
    value = "[has(self.secretRef), has(self.webIdentity)].exists_one(x, x)",
    message =
        "credentials needs exactly one of secretRef (access keys in a Secret) or webIdentity (a role assumed"
            + " with a service account's token)")
public record StoreCredentials(
    @JsonPropertyDescription(
            "Access keys in a Secret: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, and"
                + " AWS_SESSION_TOKEN for temporary keys.")
        CredentialsSecretRef secretRef,
    @JsonPropertyDescription(
            "A role assumed with a projected service account token (AssumeRoleWithWebIdentity):"
                + " IRSA on EKS, or any STS that trusts the cluster's service account issuer.")
        WebIdentityCredentials webIdentity) {}
