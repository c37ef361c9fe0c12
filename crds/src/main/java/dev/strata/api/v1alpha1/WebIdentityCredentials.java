package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * A role a store's runners assume with a token of their service account, projected for {@code
 * audience}; the STS exchanges it for temporary keys (AssumeRoleWithWebIdentity), which the runner
 * refreshes before they expire.
 */
@ValidationRule(
    value = "self.roleArn.startsWith('arn:') && !self.roleArn.contains(' ')",
    message =
        "webIdentity.roleArn must be the role's ARN, like arn:aws:iam::123456789012:role/strata-backup")
@ValidationRule(
    value = "!has(self.stsEndpoint) || self.stsEndpoint.matches('^https?://[^/?#@\\\\s]+/?$')",
    message =
        "webIdentity.stsEndpoint must be http(s)://host[:port] with no path, like https://sts.eu-west-1.amazonaws.com"
            + " or http://minio.minio:9000")
@ValidationRule(
    value = "self.serviceAccountName.matches('^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$')",
    message =
        "webIdentity.serviceAccountName must name a ServiceAccount of the store's namespace (lower-case letters,"
            + " digits, '-' and '.')")
@ValidationRule(
    value = "!has(self.audience) || (size(self.audience) > 0 && !self.audience.contains(' '))",
    message = "webIdentity.audience must be one word, like sts.amazonaws.com")
public record WebIdentityCredentials(
    @Required
        @Size(max = 2048)
        @JsonPropertyDescription(
            "The role to assume, e.g. arn:aws:iam::123456789012:role/strata-backup.")
        String roleArn,
    @Required
        @Size(max = 253)
        @JsonPropertyDescription(
            "The ServiceAccount, in the store's namespace, whose token runner pods present:"
                + " the one the role's trust policy names. Runner pods get only this token, projected for the audience.")
        String serviceAccountName,
    @Default("sts.amazonaws.com")
        @Size(max = 256)
        @JsonPropertyDescription(
            "The token's audience: what the STS expects (AWS:"
                + " sts.amazonaws.com; MinIO: its OpenID client id).")
        String audience,
    @Size(max = 2048)
        @JsonPropertyDescription(
            "The STS to ask, http(s)://host[:port]. Empty: AWS STS in spec.region (the global"
                + " endpoint when no region is set). MinIO serves its STS at its S3 endpoint.")
        String stsEndpoint) {

  public static final String DEFAULT_AUDIENCE = "sts.amazonaws.com";

  public String audienceOrDefault() {
    return audience == null || audience.isBlank() ? DEFAULT_AUDIENCE : audience;
  }
}
