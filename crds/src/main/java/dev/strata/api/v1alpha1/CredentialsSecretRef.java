package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * The Secret that holds a store's S3 access keys (and a session token, for temporary ones), and
 * their keys.
 */
public record CredentialsSecretRef(
    @Required
        @Size(max = Cel.NAME_MAX)
        @ValidationRule(value = Cel.OBJECT_NAME, message = Cel.OBJECT_NAME_MESSAGE)
        @JsonPropertyDescription("Name of the Secret, in the same namespace.")
        String name,
    @Default("AWS_ACCESS_KEY_ID")
        @Size(max = Cel.NAME_MAX)
        @ValidationRule(value = Cel.SECRET_KEY, message = Cel.SECRET_KEY_MESSAGE)
        @JsonPropertyDescription("Key of the access key id.")
        String accessKeyIdKey,
    @Default("AWS_SECRET_ACCESS_KEY")
        @Size(max = Cel.NAME_MAX)
        @ValidationRule(value = Cel.SECRET_KEY, message = Cel.SECRET_KEY_MESSAGE)
        @JsonPropertyDescription("Key of the secret access key.")
        String secretAccessKeyKey,
    @Size(max = Cel.NAME_MAX)
        @ValidationRule(value = Cel.SECRET_KEY, message = Cel.SECRET_KEY_MESSAGE)
        @JsonPropertyDescription(
            "Key of the session token of temporary keys. Empty: AWS_SESSION_TOKEN when the Secret has"
                + " it; named: the Secret must have it.")
        String sessionTokenKey) {

  /**
   * A reference without a session token key (the Secret's AWS_SESSION_TOKEN is used when present).
   */
  public CredentialsSecretRef(String name, String accessKeyIdKey, String secretAccessKeyKey) {
    this(name, accessKeyIdKey, secretAccessKeyKey, null);
  }

  public static final String DEFAULT_SESSION_TOKEN_KEY = "AWS_SESSION_TOKEN";

  /**
   * The key of the session token, and whether the Secret must hold it (when named) or may (by
   * default).
   */
  public String sessionTokenKeyOrDefault() {
    return sessionTokenKey == null ? DEFAULT_SESSION_TOKEN_KEY : sessionTokenKey;
  }

  public boolean sessionTokenRequired() {
    return sessionTokenKey != null;
  }

  public String accessKeyIdKeyOrDefault() {
    return accessKeyIdKey == null ? "AWS_ACCESS_KEY_ID" : accessKeyIdKey;
  }

  public String secretAccessKeyKeyOrDefault() {
    return secretAccessKeyKey == null ? "AWS_SECRET_ACCESS_KEY" : secretAccessKeyKey;
  }
}
