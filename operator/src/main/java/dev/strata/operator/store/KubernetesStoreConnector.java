package dev.strata.operator.store;

import dev.strata.api.v1alpha1.CaBundleRef;
import dev.strata.api.v1alpha1.CredentialsSecretRef;
import dev.strata.api.v1alpha1.EncryptionSpec;
import dev.strata.api.v1alpha1.SecretKeyRef;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.SnapshotStoreSpec;
import dev.strata.api.v1alpha1.WebIdentityCredentials;
import dev.strata.engine.Hashing;
import dev.strata.engine.format.UserKey;
import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.RetryPolicy;
import dev.strata.engine.store.RetryingBlobStoreManager;
import dev.strata.engine.store.S3BlobStoreManager;
import dev.strata.engine.store.S3Credentials;
import dev.strata.engine.store.S3StoreConfig;
import dev.strata.engine.store.StsEndpoints;
import dev.strata.operator.ApiRetry;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

/**
 * Opens a SnapshotStore's bucket with its credentials (and its CA bundle, written to a private
 * temporary file that the S3 client reads): access keys read from its Secret now, or its web
 * identity's role assumed with the operator's own token (see {@link OperatorTokens}). The
 * operator's requests retry briefly: it should report a broken store within seconds, not wait
 * minutes the way a runner does. So do its reads of the Secret: one API hiccup (right after a
 * restart, say) must not make a store not ready, and fail the runs that need it.
 */
public final class KubernetesStoreConnector implements StoreConnector {

  static final Duration OPERATOR_DEADLINE = Duration.ofSeconds(20);

  static final RetryPolicy OPERATOR_RETRIES =
      RetryPolicy.defaults().withMaxAttempts(3).withDeadline(OPERATOR_DEADLINE);

  private final KubernetesClient client;
  private final OperatorTokens tokens;
  private final ApiRetry retry;
  private final Path caDir;

  public KubernetesStoreConnector(KubernetesClient client) {
    this(client, OperatorTokens.fromEnv(System.getenv()));
  }

  public KubernetesStoreConnector(KubernetesClient client, OperatorTokens tokens) {
    this(client, tokens, ApiRetry.DEFAULT);
  }

  public KubernetesStoreConnector(KubernetesClient client, OperatorTokens tokens, ApiRetry retry) {
    this.client = client;
    this.tokens = tokens;
    this.retry = retry;
    try {
      this.caDir = Files.createTempDirectory("strata-ca");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a directory for CA bundles", e);
    }
  }

  @Override
  public BlobStoreManager open(SnapshotStore store) {
    // No request waits on the store longer than its retries may take: retries cannot cut short an
    // attempt, so with the runner's 2 minutes a store that accepts connections and never answers
    // would hold its check (and with it the store's status: a run's end, Ready) for 2 minutes.
    return new RetryingBlobStoreManager(
        new S3BlobStoreManager(config(store), 8, OPERATOR_DEADLINE), OPERATOR_RETRIES);
  }

  /**
   * Where the store is and how the operator signs its requests, read now from the spec, its Secret
   * and token.
   */
  S3StoreConfig config(SnapshotStore store) {
    String ns = store.getMetadata().getNamespace();
    SnapshotStoreSpec spec = store.getSpec();
    S3Credentials credentials =
        spec.webIdentityOrNull() != null ? webIdentity(ns, spec) : accessKeys(ns, spec);
    Path ca = caBundle(ns, spec.caBundle());
    S3StoreConfig config;
    try {
      config =
          new S3StoreConfig(
              spec.endpoint(),
              spec.bucket(),
              spec.prefix(),
              spec.region(),
              spec.pathStyleOrDefault(),
              credentials,
              ca);
    } catch (IllegalArgumentException e) {
      throw new StoreAccessException("InvalidSpec", e.getMessage());
    }
    return config;
  }

  private S3Credentials accessKeys(String ns, SnapshotStoreSpec spec) {
    CredentialsSecretRef ref = spec.secretRefOrNull();
    String field =
        spec.credentials() != null ? "spec.credentials.secretRef" : "spec.credentialsSecretRef";
    Secret secret = secret(ns, ref.name());
    if (secret == null) {
      throw new StoreAccessException(
          "SecretNotFound",
          "Secret " + ref.name() + " (" + field + ".name) does not exist in namespace " + ns);
    }
    String accessKey = value(secret, ref.accessKeyIdKeyOrDefault(), field + ".accessKeyIdKey");
    String secretKey =
        value(secret, ref.secretAccessKeyKeyOrDefault(), field + ".secretAccessKeyKey");
    String sessionToken =
        ref.sessionTokenRequired() || has(secret, ref.sessionTokenKeyOrDefault())
            ? value(secret, ref.sessionTokenKeyOrDefault(), field + ".sessionTokenKey")
            : null;
    return new S3Credentials.AccessKeys(accessKey, secretKey, sessionToken);
  }

  /**
   * The store's role, assumed with the operator's own token for the store's audience. The runners'
   * ServiceAccount is checked here too: without it no runner pod could even be created, and the
   * store would look ready while every run waited for its deadline.
   */
  private S3Credentials webIdentity(String ns, SnapshotStoreSpec spec) {
    WebIdentityCredentials identity = spec.webIdentityOrNull();
    if (retry.call(
            "read ServiceAccount " + ns + "/" + identity.serviceAccountName(),
            () ->
                client
                    .serviceAccounts()
                    .inNamespace(ns)
                    .withName(identity.serviceAccountName())
                    .get())
        == null) {
      throw new StoreAccessException(
          "ServiceAccountNotFound",
          "ServiceAccount "
              + identity.serviceAccountName()
              + " (spec.credentials.webIdentity.serviceAccountName) does not exist in namespace "
              + ns
              + ": create it; runner pods present its token to the STS");
    }
    Path token =
        tokens
            .tokenFile(identity.audienceOrDefault())
            .orElseThrow(
                () ->
                    new StoreAccessException(
                        "WebIdentityTokenMissing",
                        "the operator has no token for audience "
                            + identity.audienceOrDefault()
                            + " (spec.credentials.webIdentity.audience): list it in the chart's webIdentity.audiences, and let the role's"
                            + " trust policy name the operator's ServiceAccount too"));
    String sts =
        identity.stsEndpoint() == null || identity.stsEndpoint().isBlank()
            ? StsEndpoints.aws(spec.region())
            : identity.stsEndpoint();
    try {
      return new S3Credentials.WebIdentity(
          identity.roleArn(), token, sts, OperatorTokens.SESSION_NAME);
    } catch (IllegalArgumentException e) {
      throw new StoreAccessException(
          "InvalidSpec", "spec.credentials.webIdentity: " + e.getMessage());
    }
  }

  /**
   * A Secret as it is now, or null; a transient API failure is retried briefly (see {@link
   * ApiRetry}).
   */
  private Secret secret(String ns, String name) {
    return retry.call(
        "read Secret " + ns + "/" + name,
        () -> client.secrets().inNamespace(ns).withName(name).get());
  }

  private static boolean has(Secret secret, String key) {
    return secret.getData() != null
        && secret.getData().get(key) != null
        && !secret.getData().get(key).isEmpty();
  }

  @Override
  public UserKey key(SnapshotStore store) {
    EncryptionSpec encryption = store.getSpec().encryption();
    if (encryption == null || encryption.keySecretRef() == null) {
      return null;
    }
    String ns = store.getMetadata().getNamespace();
    SecretKeyRef ref = encryption.keySecretRef();
    Secret secret = secret(ns, ref.name());
    String encoded =
        secret == null || secret.getData() == null ? null : secret.getData().get(ref.key());
    if (encoded == null || encoded.isEmpty()) {
      throw new StoreAccessException(
          "KeySecretNotFound",
          "Secret "
              + ref.name()
              + " with key "
              + ref.key()
              + " (spec.encryption.keySecretRef) does not exist in namespace "
              + ns);
    }
    // The bytes as they are, as runners get them (STRATA_KEY): a key is never trimmed.
    return UserKey.of(
        new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8),
        "Secret " + ns + "/" + ref.name() + " key " + ref.key());
  }

  private static String value(Secret secret, String key, String field) {
    Map<String, String> data = secret.getData();
    String encoded = data == null ? null : data.get(key);
    if (encoded == null || encoded.isEmpty()) {
      throw new StoreAccessException(
          "SecretKeyMissing",
          "Secret " + secret.getMetadata().getName() + " has no key " + key + " (" + field + ")");
    }
    return new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8).strip();
  }

  private Path caBundle(String ns, CaBundleRef ca) {
    if (ca == null) {
      return null;
    }
    String pem;
    if (ca.secretRef() != null) {
      SecretKeyRef r = ca.secretRef();
      Secret s = secret(ns, r.name());
      String encoded = s == null || s.getData() == null ? null : s.getData().get(r.key());
      if (encoded == null) {
        throw new StoreAccessException(
            "CABundleNotFound",
            "Secret "
                + r.name()
                + " with key "
                + r.key()
                + " (spec.caBundle.secretRef) does not exist");
      }
      pem = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
    } else {
      SecretKeyRef r = ca.configMapRef();
      ConfigMap cm =
          retry.call(
              "read ConfigMap " + ns + "/" + r.name(),
              () -> client.configMaps().inNamespace(ns).withName(r.name()).get());
      pem = cm == null || cm.getData() == null ? null : cm.getData().get(r.key());
      if (pem == null) {
        throw new StoreAccessException(
            "CABundleNotFound",
            "ConfigMap "
                + r.name()
                + " with key "
                + r.key()
                + " (spec.caBundle.configMapRef) does not exist");
      }
    }
    // Named by content, so an unchanged bundle is written once and a changed one gets a new file.
    Path file =
        caDir.resolve(Hashing.hex(Hashing.sha256(pem.getBytes(StandardCharsets.UTF_8))) + ".pem");
    try {
      if (!Files.exists(file)) {
        Path tmp = Files.createTempFile(caDir, "ca", ".tmp");
        Files.writeString(tmp, pem);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the CA bundle for " + ns, e);
    }
    return file;
  }
}
