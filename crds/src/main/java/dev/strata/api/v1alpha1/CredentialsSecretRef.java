package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** The Secret that holds a store's S3 credentials, and the keys under which it holds them. */
public record CredentialsSecretRef(
    @Required @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$") @JsonPropertyDescription("Name of the Secret, in the same namespace.")
        String name,
    @Default("AWS_ACCESS_KEY_ID") @Pattern("^[-._a-zA-Z0-9]+$") @JsonPropertyDescription("Key of the access key id.")
        String accessKeyIdKey,
    @Default("AWS_SECRET_ACCESS_KEY") @Pattern("^[-._a-zA-Z0-9]+$") @JsonPropertyDescription("Key of the secret access key.")
        String secretAccessKeyKey) {

  public String accessKeyIdKeyOrDefault() {
    return accessKeyIdKey == null ? "AWS_ACCESS_KEY_ID" : accessKeyIdKey;
  }

  public String secretAccessKeyKeyOrDefault() {
    return secretAccessKeyKey == null ? "AWS_SECRET_ACCESS_KEY" : secretAccessKeyKey;
  }
}
