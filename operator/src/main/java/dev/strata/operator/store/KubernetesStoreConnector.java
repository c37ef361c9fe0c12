package dev.strata.operator.store;

import dev.strata.api.v1alpha1.CaBundleRef;
import dev.strata.api.v1alpha1.CredentialsSecretRef;
import dev.strata.api.v1alpha1.SecretKeyRef;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.SnapshotStoreSpec;
import dev.strata.engine.Hashing;
import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.RetryPolicy;
import dev.strata.engine.store.RetryingBlobStoreManager;
import dev.strata.engine.store.S3BlobStoreManager;
import dev.strata.engine.store.S3StoreConfig;
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
 * Opens a SnapshotStore's bucket with the credentials from its Secret (and its CA bundle, written to a private temporary
 * file that the S3 client reads). The operator's requests retry briefly: it should report a broken store within
 * seconds, not wait minutes the way a runner does.
 */
public final class KubernetesStoreConnector implements StoreConnector {

  static final RetryPolicy OPERATOR_RETRIES = RetryPolicy.defaults().withMaxAttempts(3).withDeadline(Duration.ofSeconds(20));

  private final KubernetesClient client;
  private final Path caDir;

  public KubernetesStoreConnector(KubernetesClient client) {
    this.client = client;
    try {
      this.caDir = Files.createTempDirectory("strata-ca");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a directory for CA bundles", e);
    }
  }

  @Override
  public BlobStoreManager open(SnapshotStore store) {
    String ns = store.getMetadata().getNamespace();
    SnapshotStoreSpec spec = store.getSpec();
    CredentialsSecretRef ref = spec.credentialsSecretRef();
    Secret secret = client.secrets().inNamespace(ns).withName(ref.name()).get();
    if (secret == null) {
      throw new StoreAccessException(
          "SecretNotFound", "Secret " + ref.name() + " (spec.credentialsSecretRef.name) does not exist in namespace " + ns);
    }
    String accessKey = value(secret, ref.accessKeyIdKeyOrDefault(), "spec.credentialsSecretRef.accessKeyIdKey");
    String secretKey = value(secret, ref.secretAccessKeyKeyOrDefault(), "spec.credentialsSecretRef.secretAccessKeyKey");
    Path ca = caBundle(ns, spec.caBundle());
    S3StoreConfig config;
    try {
      config = new S3StoreConfig(spec.endpoint(), spec.bucket(), spec.prefix(), spec.region(), spec.pathStyleOrDefault(), accessKey, secretKey, ca);
    } catch (IllegalArgumentException e) {
      throw new StoreAccessException("InvalidSpec", e.getMessage());
    }
    return new RetryingBlobStoreManager(new S3BlobStoreManager(config, 8), OPERATOR_RETRIES);
  }

  private static String value(Secret secret, String key, String field) {
    Map<String, String> data = secret.getData();
    String encoded = data == null ? null : data.get(key);
    if (encoded == null || encoded.isEmpty()) {
      throw new StoreAccessException(
          "SecretKeyMissing", "Secret " + secret.getMetadata().getName() + " has no key " + key + " (" + field + ")");
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
      Secret s = client.secrets().inNamespace(ns).withName(r.name()).get();
      String encoded = s == null || s.getData() == null ? null : s.getData().get(r.key());
      if (encoded == null) {
        throw new StoreAccessException("CABundleNotFound", "Secret " + r.name() + " with key " + r.key() + " (spec.caBundle.secretRef) does not exist");
      }
      pem = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
    } else {
      SecretKeyRef r = ca.configMapRef();
      ConfigMap cm = client.configMaps().inNamespace(ns).withName(r.name()).get();
      pem = cm == null || cm.getData() == null ? null : cm.getData().get(r.key());
      if (pem == null) {
        throw new StoreAccessException("CABundleNotFound", "ConfigMap " + r.name() + " with key " + r.key() + " (spec.caBundle.configMapRef) does not exist");
      }
    }
    // Named by content, so an unchanged bundle is written once and a changed one gets a new file.
    Path file = caDir.resolve(Hashing.hex(Hashing.sha256(pem.getBytes(StandardCharsets.UTF_8))) + ".pem");
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
