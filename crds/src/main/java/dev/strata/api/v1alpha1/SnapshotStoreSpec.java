package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** An S3 or MinIO bucket and prefix where snapshots live. */
@ValidationRule(
    value = "!has(self.caBundle) || (has(self.endpoint) && self.endpoint.startsWith('https://'))",
    message =
        "caBundle is only used with an https:// endpoint: set spec.endpoint to https://… or remove spec.caBundle")
@ValidationRule(
    value = "has(self.credentials) != has(self.credentialsSecretRef)",
    message =
        "give the store's credentials once: spec.credentials (secretRef or webIdentity), or the older"
            + " spec.credentialsSecretRef; not both, not neither")
public record SnapshotStoreSpec(
    @Size(max = 2048)
        @ValidationRule(
            value = "self.matches('^https?://[^[:space:]/]+(/.*)?$')",
            message =
                "must be an http:// or https:// URL, like https://s3.eu-west-1.amazonaws.com or http://minio.minio:9000")
        @JsonPropertyDescription(
            "S3 endpoint URL, e.g. http://minio.storage:9000. Empty means AWS S3.")
        String endpoint,
    @Required
        @Size(max = 63)
        @ValidationRule(
            value = "self.matches('^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$')",
            message =
                "must be an S3 bucket name: 3-63 lower-case letters, digits, '.' and '-', starting and ending with a letter or digit, like strata-backups")
        @JsonPropertyDescription("Bucket name (3-63 lower-case letters, digits, dots and hyphens).")
        String bucket,
    @Size(max = 1024)
        @ValidationRule(
            value =
                "self.matches('^([A-Za-z0-9!_.*()-]|\\\\x27)+(/([A-Za-z0-9!_.*()-]|\\\\x27)+)*$')",
            message =
                "must be a key prefix like backups/prod: letters, digits and !_.*'()- in segments joined by single '/', with no '/' at either end")
        @JsonPropertyDescription("Key prefix inside the bucket, without leading or trailing slash.")
        String prefix,
    @JsonPropertyDescription("S3 region; empty means us-east-1.") String region,
    @Default("false")
        @JsonPropertyDescription("Address the bucket in the URL path, as MinIO needs.")
        Boolean pathStyle,
    @JsonPropertyDescription(
            "The Secret with the S3 access keys; spec.credentials.secretRef says the same, and spec.credentials"
                + " offers other kinds. Give one of the two.")
        CredentialsSecretRef credentialsSecretRef,
    @JsonPropertyDescription("CA certificates to trust for an https endpoint with a private CA.")
        CaBundleRef caBundle,
    @JsonPropertyDescription("Garbage collection of blobs no snapshot references.")
        GarbageCollectionSpec gc,
    @ValidationRule(value = "self in ['auto', 'off', 'max']", message = "must be auto, off or max")
        @JsonPropertyDescription(
            "How backups compress new data (zstd): auto (compress what shrinks, the default), off, or max.")
        String compression,
    @JsonPropertyDescription(
            "Client-side encryption (AES-256-GCM): the Secret holding the store's key. Absent: no client-side encryption.")
        EncryptionSpec encryption,
    @JsonPropertyDescription(
            "Defaults for every runner pod of this store (backups, restores, garbage collection, verification):"
                + " profile, tolerations, nodeSelector, priorityClassName, labels, annotations, imagePullSecrets, resources."
                + " A StateSnapshot's or StateRestore's spec.runner overrides them.")
        RunnerSpec runner,
    @JsonPropertyDescription(
            "How the operator and the runners sign their requests: access keys from a Secret"
                + " (secretRef) or a role assumed with a service account token (webIdentity).")
        StoreCredentials credentials,
    @JsonPropertyDescription(
            "Reading the bucket's snapshots into the cluster (imported StateSnapshots); on unless enabled: false.")
        CatalogSpec catalog,
    @JsonPropertyDescription(
            "Scheduled verification of every snapshot in the store; none without it.")
        VerificationSpec verification) {

  /**
   * A store whose access keys are in the Secret {@code credentialsSecretRef} names, without
   * compression or encryption settings (the defaults), the catalog's defaults and no scheduled
   * verification.
   */
  public SnapshotStoreSpec(
      String endpoint,
      String bucket,
      String prefix,
      String region,
      Boolean pathStyle,
      CredentialsSecretRef credentialsSecretRef,
      CaBundleRef caBundle,
      GarbageCollectionSpec gc,
      RunnerSpec runner) {
    this(
        endpoint,
        bucket,
        prefix,
        region,
        pathStyle,
        credentialsSecretRef,
        caBundle,
        gc,
        null,
        null,
        runner,
        null,
        null,
        null);
  }

  /**
   * A store with its compression, encryption and credentials; the catalog's defaults, no scheduled
   * verification.
   */
  public SnapshotStoreSpec(
      String endpoint,
      String bucket,
      String prefix,
      String region,
      Boolean pathStyle,
      CredentialsSecretRef credentialsSecretRef,
      CaBundleRef caBundle,
      GarbageCollectionSpec gc,
      String compression,
      EncryptionSpec encryption,
      RunnerSpec runner,
      StoreCredentials credentials) {
    this(
        endpoint,
        bucket,
        prefix,
        region,
        pathStyle,
        credentialsSecretRef,
        caBundle,
        gc,
        compression,
        encryption,
        runner,
        credentials,
        null,
        null);
  }

  /**
   * The credentials, whichever of the two fields gives them (spec.credentials, or the older
   * credentialsSecretRef).
   */
  public StoreCredentials credentialsOrDefault() {
    return credentials != null ? credentials : new StoreCredentials(credentialsSecretRef, null);
  }

  /**
   * The Secret of the store's access keys, or null when the store signs otherwise (a web identity).
   */
  public CredentialsSecretRef secretRefOrNull() {
    return credentialsOrDefault().secretRef();
  }

  /** The store's web identity, or null when it signs with access keys. */
  public WebIdentityCredentials webIdentityOrNull() {
    return credentialsOrDefault().webIdentity();
  }

  public boolean pathStyleOrDefault() {
    return Boolean.TRUE.equals(pathStyle);
  }

  /** The store URI the runner takes: {@code s3://bucket[/prefix]}. */
  public String storeUri() {
    return "s3://" + bucket + (prefix == null || prefix.isEmpty() ? "" : "/" + prefix);
  }
}
