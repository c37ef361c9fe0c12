package dev.strata.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.strata.api.v1alpha1.CaBundleRef;
import dev.strata.api.v1alpha1.CredentialsSecretRef;
import dev.strata.api.v1alpha1.SecretKeyRef;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.SnapshotStoreSpec;
import dev.strata.e2e.support.ControlPlane;
import dev.strata.e2e.support.ControlPlaneExtension;
import dev.strata.e2e.support.Examples;
import dev.strata.e2e.support.FreePorts;
import dev.strata.e2e.support.ManagedProcess;
import dev.strata.e2e.support.MinioExtension;
import dev.strata.e2e.support.MinioServer;
import dev.strata.e2e.support.OperatorProcess;
import dev.strata.e2e.support.Pki;
import dev.strata.e2e.support.TestNamespace;
import dev.strata.e2e.support.Tools;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15's misclassification, on a real MinIO: each way a store can refuse gets its own reason in
 * the SnapshotStore's Ready condition (the same reasons a runner's failure gets): a wrong secret
 * key or an unknown access key is InvalidCredentials, a valid key whose policy does not allow the
 * bucket is AccessDenied (it was reported as InvalidCredentials), a certificate the store does not
 * trust is UntrustedCertificate (it was a plain StoreError), an endpoint that does not answer is
 * Unreachable, and a missing bucket is BucketNotFound.
 */
@ExtendWith({ControlPlaneExtension.class, MinioExtension.class})
class StoreFailureReasonsTest {

  static OperatorProcess operator;

  @BeforeAll
  static void startOperator(ControlPlane plane, MinioServer minio, @TempDir Path dir) {
    plane.kubectl("apply", "-f", Examples.dir().resolveSibling("crds").toString()).assertSuccess();
    minio.createBucket(Examples.EXAMPLE_BUCKET);
    operator =
        OperatorProcess.start(
            plane.kubeconfig(), dir, Map.of("STRATA_STORE_RECHECK_SECONDS", "600"));
  }

  @AfterAll
  static void stopOperator() {
    if (operator != null) {
      operator.close();
    }
  }

  static void secret(
      KubernetesClient client, TestNamespace ns, String name, String accessKey, String secretKey) {
    client
        .secrets()
        .inNamespace(ns.name())
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withStringData(
                    Map.of("AWS_ACCESS_KEY_ID", accessKey, "AWS_SECRET_ACCESS_KEY", secretKey))
                .build())
        .create();
  }

  static void store(
      KubernetesClient client,
      TestNamespace ns,
      String name,
      String endpoint,
      String bucket,
      String secret,
      CaBundleRef ca) {
    SnapshotStore s = new SnapshotStore();
    s.setMetadata(new ObjectMetaBuilder().withName(name).build());
    s.setSpec(
        new SnapshotStoreSpec(
            endpoint,
            bucket,
            "snapshots",
            MinioServer.REGION,
            true,
            new CredentialsSecretRef(secret, null, null),
            ca,
            null,
            null));
    client.resources(SnapshotStore.class).inNamespace(ns.name()).resource(s).create();
  }

  static Condition ready(KubernetesClient client, TestNamespace ns, String store) {
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> {
              SnapshotStore s =
                  client
                      .resources(SnapshotStore.class)
                      .inNamespace(ns.name())
                      .withName(store)
                      .get();
              return s.getStatus() != null
                  && s.getStatus().conditions() != null
                  && !s.getStatus().conditions().isEmpty();
            });
    return OperatorSnapshotTest.ready(
        client
            .resources(SnapshotStore.class)
            .inNamespace(ns.name())
            .withName(store)
            .get()
            .getStatus()
            .conditions());
  }

  @Test
  void aWrongSecretKeyOrAnUnknownAccessKeyIsInvalidCredentials(
      ControlPlane plane, MinioServer minio, TestNamespace ns) {
    KubernetesClient client = plane.client();
    secret(client, ns, "wrong-secret", Examples.EXAMPLE_ACCESS_KEY_ID, "not-the-secret-key");
    secret(client, ns, "unknown-key", "nobody-has-this-key", "whatever-secret");
    store(
        client,
        ns,
        "wrong-secret",
        minio.endpoint(),
        Examples.EXAMPLE_BUCKET,
        "wrong-secret",
        null);
    store(
        client, ns, "unknown-key", minio.endpoint(), Examples.EXAMPLE_BUCKET, "unknown-key", null);

    Condition wrongSecret = ready(client, ns, "wrong-secret");
    assertThat(wrongSecret.getStatus()).isEqualTo("False");
    assertThat(wrongSecret.getReason()).isEqualTo("InvalidCredentials");
    assertThat(wrongSecret.getMessage()).doesNotContain("not-the-secret-key");
    Condition unknown = ready(client, ns, "unknown-key");
    assertThat(unknown.getReason()).isEqualTo("InvalidCredentials");
    assertThat(unknown.getMessage()).contains("check the credentials Secret");
  }

  @Test
  void aKeyWhosePolicyDoesNotAllowTheBucketIsAccessDenied(
      ControlPlane plane, MinioServer minio, TestNamespace ns) {
    KubernetesClient client = plane.client();
    String user = "denied-" + ns.name();
    // A valid user whose policy allows another bucket only.
    minio.addUserWithPolicy(
        user,
        "denied-secret-key",
        "only-elsewhere-" + ns.name(),
        """
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:*"],
          "Resource": ["arn:aws:s3:::elsewhere", "arn:aws:s3:::elsewhere/*"]}]}
        """);
    secret(client, ns, "denied", user, "denied-secret-key");
    store(client, ns, "denied", minio.endpoint(), Examples.EXAMPLE_BUCKET, "denied", null);

    Condition c = ready(client, ns, "denied");
    assertThat(c.getStatus()).isEqualTo("False");
    assertThat(c.getReason()).as(c.getMessage()).isEqualTo("AccessDenied");
    assertThat(c.getMessage()).contains("access denied");
  }

  @Test
  void aCertificateTheStoreDoesNotTrustIsUntrustedCertificateAndItsCaFixesIt(
      ControlPlane plane, MinioServer minio, TestNamespace ns, @TempDir Path dir)
      throws IOException {
    KubernetesClient client = plane.client();
    Pki pki = Pki.create(dir.resolve("pki"));
    Pki.CertFiles cert =
        pki.serving("minio-tls", "127.0.0.1", List.of("localhost"), List.of("127.0.0.1"));
    Path certs = Files.createDirectories(dir.resolve("certs"));
    Files.copy(cert.cert(), certs.resolve("public.crt"));
    Files.copy(cert.key(), certs.resolve("private.key"));
    int port = FreePorts.next();
    // A second MinIO, serving TLS with a certificate of the test's own CA, and the examples'
    // credentials as root.
    ManagedProcess tls =
        new ManagedProcess(
            "minio-tls",
            List.of(
                Tools.installed().require(Tools.MINIO).toString(),
                "server",
                Files.createDirectories(dir.resolve("data")).toString(),
                "--address",
                "127.0.0.1:" + port,
                "--certs-dir",
                certs.toString(),
                "--quiet"),
            Map.of(
                "MINIO_ROOT_USER",
                Examples.EXAMPLE_ACCESS_KEY_ID,
                "MINIO_ROOT_PASSWORD",
                Examples.EXAMPLE_SECRET_ACCESS_KEY,
                "MINIO_UPDATE",
                "off",
                "MINIO_BROWSER",
                "off",
                "MINIO_REGION",
                MinioServer.REGION,
                "HOME",
                dir.toString()),
            dir.resolve("minio-tls.log"));
    try {
      tls.start();
      tls.awaitReady(Duration.ofSeconds(60), () -> listening(port));
      secret(
          client,
          ns,
          "tls-credentials",
          Examples.EXAMPLE_ACCESS_KEY_ID,
          Examples.EXAMPLE_SECRET_ACCESS_KEY);
      store(
          client,
          ns,
          "untrusted",
          "https://127.0.0.1:" + port,
          "missing-bucket",
          "tls-credentials",
          null);
      Condition untrusted = ready(client, ns, "untrusted");
      assertThat(untrusted.getStatus()).isEqualTo("False");
      assertThat(untrusted.getReason())
          .as(untrusted.getMessage())
          .isEqualTo("UntrustedCertificate");
      assertThat(untrusted.getMessage()).contains("spec.caBundle");

      // With the CA: the handshake succeeds, and what is wrong then is the bucket.
      client
          .configMaps()
          .inNamespace(ns.name())
          .resource(
              new ConfigMapBuilder()
                  .withNewMetadata()
                  .withName("test-ca")
                  .endMetadata()
                  .withData(Map.of("ca.crt", Files.readString(pki.caCert())))
                  .build())
          .create();
      store(
          client,
          ns,
          "trusted",
          "https://127.0.0.1:" + port,
          "missing-bucket",
          "tls-credentials",
          new CaBundleRef(null, new SecretKeyRef("test-ca", "ca.crt")));
      Condition trusted = ready(client, ns, "trusted");
      assertThat(trusted.getReason()).as(trusted.getMessage()).isEqualTo("BucketNotFound");
      assertThat(trusted.getMessage()).contains("missing-bucket");
    } finally {
      tls.stop(Duration.ofSeconds(10));
    }
  }

  @Test
  void anEndpointThatDoesNotAnswerIsUnreachable(ControlPlane plane, TestNamespace ns) {
    KubernetesClient client = plane.client();
    secret(client, ns, "creds", Examples.EXAMPLE_ACCESS_KEY_ID, Examples.EXAMPLE_SECRET_ACCESS_KEY);
    // A loopback port nothing listens on.
    store(
        client,
        ns,
        "nowhere",
        "http://127.0.0.1:" + FreePorts.next(),
        Examples.EXAMPLE_BUCKET,
        "creds",
        null);
    Condition c = ready(client, ns, "nowhere");
    assertThat(c.getStatus()).isEqualTo("False");
    assertThat(c.getReason()).as(c.getMessage()).isEqualTo("Unreachable");
    assertThat(c.getMessage()).contains("connection refused");
  }

  private static boolean listening(int port) {
    try {
      HttpURLConnection c =
          (HttpURLConnection)
              URI.create("http://127.0.0.1:" + port + "/minio/health/live")
                  .toURL()
                  .openConnection();
      c.setConnectTimeout(1000);
      c.getResponseCode();
      return true; // a TLS port answers plain HTTP with an error, but it answers
    } catch (IOException e) {
      return !(e instanceof java.net.ConnectException);
    }
  }
}
