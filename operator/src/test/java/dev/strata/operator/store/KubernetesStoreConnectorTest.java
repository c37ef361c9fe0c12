package dev.strata.operator.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.strata.api.v1alpha1.CredentialsSecretRef;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.SnapshotStoreSpec;
import dev.strata.api.v1alpha1.StoreCredentials;
import dev.strata.api.v1alpha1.WebIdentityCredentials;
import dev.strata.engine.store.S3Credentials;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which credentials the operator uses for a store, read from the store's spec, its Secret and the
 * operator's tokens.
 */
@EnableKubernetesMockClient(crud = true)
class KubernetesStoreConnectorTest {

  static KubernetesClient client;
  static io.fabric8.kubernetes.client.server.mock.KubernetesMockServer server;
  static final String NS = "streams";
  static final String ROLE = "arn:aws:iam::123456789012:role/strata-backup";

  @TempDir Path tokens;
  KubernetesStoreConnector connector;

  @BeforeEach
  void setUp() {
    client.secrets().inNamespace(NS).delete();
    client.serviceAccounts().inNamespace(NS).delete();
    connector = new KubernetesStoreConnector(client, new OperatorTokens(tokens));
  }

  static SnapshotStore store(
      CredentialsSecretRef legacy, StoreCredentials credentials, String region) {
    return store(null, legacy, credentials, region);
  }

  /** A store at {@code endpoint} (AWS's when null), path-style, bucket team-state, prefix prod. */
  static SnapshotStore store(
      String endpoint, CredentialsSecretRef legacy, StoreCredentials credentials, String region) {
    SnapshotStore store = new SnapshotStore();
    store.setMetadata(new ObjectMetaBuilder().withName("s3").withNamespace(NS).build());
    store.setSpec(
        new SnapshotStoreSpec(
            endpoint,
            "team-state",
            "prod",
            region,
            null,
            legacy,
            null,
            null,
            null,
            null,
            null,
            credentials));
    return store;
  }

  /** A Secret as the API server stores it (the CRUD mock does not turn stringData into data). */
  void secret(String name, Map<String, String> values) {
    Map<String, String> data = new java.util.HashMap<>();
    values.forEach(
        (k, v) ->
            data.put(
                k,
                java.util.Base64.getEncoder()
                    .encodeToString(v.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
    client
        .secrets()
        .inNamespace(NS)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withData(data)
                .build())
        .create();
  }

  @Test
  void accessKeysOfTheOlderFieldAreLongLivedUnlessTheSecretHoldsASessionToken() {
    secret("aws", Map.of("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY", "secret"));
    assertThat(
            connector
                .config(store(new CredentialsSecretRef("aws", null, null), null, null))
                .credentials())
        .isEqualTo(new S3Credentials.AccessKeys("AKIAEXAMPLE", "secret", null));
    client.secrets().inNamespace(NS).withName("aws").delete();
    secret(
        "aws",
        Map.of(
            "AWS_ACCESS_KEY_ID",
            "ASIAEXAMPLE",
            "AWS_SECRET_ACCESS_KEY",
            "secret",
            "AWS_SESSION_TOKEN",
            "tok"));
    assertThat(
            connector
                .config(store(new CredentialsSecretRef("aws", null, null), null, null))
                .credentials())
        .isEqualTo(new S3Credentials.AccessKeys("ASIAEXAMPLE", "secret", "tok"));
  }

  /**
   * A store that accepts connections and never answers (a hung server; a proxy with nothing behind
   * it) fails the operator's check as Unreachable within the operator's 20 s: its retries cannot
   * cut an attempt short, so no request may wait longer, not the runner's 2 minutes, while the
   * store's status (a run's end, Ready) waits on the check.
   */
  @Test
  void aStoreThatAcceptsConnectionsAndNeverAnswersIsUnreachableWithinTheOperatorsDeadline()
      throws Exception {
    secret("aws", Map.of("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY", "secret"));
    // The kernel completes the handshakes (the backlog); nothing ever reads or answers.
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        StoreClients clients = new StoreClients(connector)) {
      SnapshotStore store =
          store(
              "http://127.0.0.1:" + silent.getLocalPort(),
              new CredentialsSecretRef("aws", null, null),
              null,
              "us-east-1");
      long started = System.nanoTime();
      StoreCheck check =
          assertTimeoutPreemptively(
              Duration.ofSeconds(45), () -> new StoreChecker(clients).check(store));
      assertThat(Duration.ofNanos(System.nanoTime() - started))
          .isGreaterThanOrEqualTo(KubernetesStoreConnector.OPERATOR_DEADLINE.minusSeconds(1));
      assertThat(check.ready()).isFalse();
      assertThat(check.reason()).isEqualTo("Unreachable");
      assertThat(check.message()).contains("timed out");
    }
  }

  @Test
  void aNamedSessionTokenKeyMustBeInTheSecret() {
    secret("vault", Map.of("access_key", "ASIAEXAMPLE", "secret_key", "secret"));
    CredentialsSecretRef ref =
        new CredentialsSecretRef("vault", "access_key", "secret_key", "security_token");
    assertThatThrownBy(() -> connector.config(store(null, new StoreCredentials(ref, null), null)))
        .isInstanceOfSatisfying(
            StoreAccessException.class, e -> assertThat(e.reason()).isEqualTo("SecretKeyMissing"))
        .hasMessage(
            "Secret vault has no key security_token (spec.credentials.secretRef.sessionTokenKey)");
  }

  @Test
  void aWebIdentityIsAssumedWithTheOperatorsOwnTokenForTheAudienceAtAwsStsOfTheRegion()
      throws Exception {
    client
        .serviceAccounts()
        .inNamespace(NS)
        .resource(
            new ServiceAccountBuilder()
                .withNewMetadata()
                .withName("strata-runner")
                .endMetadata()
                .build())
        .create();
    Files.writeString(tokens.resolve("sts.amazonaws.com"), "token");
    WebIdentityCredentials identity = new WebIdentityCredentials(ROLE, "strata-runner", null, null);
    assertThat(
            connector
                .config(store(null, new StoreCredentials(null, identity), "eu-west-1"))
                .credentials())
        .isEqualTo(
            new S3Credentials.WebIdentity(
                ROLE,
                tokens.resolve("sts.amazonaws.com"),
                "https://sts.eu-west-1.amazonaws.com",
                "strata-operator"));

    Files.writeString(tokens.resolve("api___AzureADTokenExchange"), "token");
    WebIdentityCredentials minio =
        new WebIdentityCredentials(
            ROLE, "strata-runner", "api://AzureADTokenExchange", "http://minio:9000");
    assertThat(connector.config(store(null, new StoreCredentials(null, minio), null)).credentials())
        .isEqualTo(
            new S3Credentials.WebIdentity(
                ROLE,
                tokens.resolve("api___AzureADTokenExchange"),
                "http://minio:9000",
                "strata-operator"));
  }

  @Test
  void aWebIdentityNeedsTheRunnersServiceAccountAndATokenOfTheOperatorForItsAudience()
      throws Exception {
    WebIdentityCredentials identity =
        new WebIdentityCredentials(ROLE, "strata-runner", "sts.amazonaws.com", null);
    SnapshotStore store = store(null, new StoreCredentials(null, identity), null);
    assertThatThrownBy(() -> connector.config(store))
        .isInstanceOfSatisfying(
            StoreAccessException.class,
            e -> assertThat(e.reason()).isEqualTo("ServiceAccountNotFound"))
        .hasMessageContaining(
            "ServiceAccount strata-runner (spec.credentials.webIdentity.serviceAccountName) does not exist in namespace streams");
    client
        .serviceAccounts()
        .inNamespace(NS)
        .resource(
            new ServiceAccountBuilder()
                .withNewMetadata()
                .withName("strata-runner")
                .endMetadata()
                .build())
        .create();
    assertThatThrownBy(() -> connector.config(store))
        .isInstanceOfSatisfying(
            StoreAccessException.class,
            e -> assertThat(e.reason()).isEqualTo("WebIdentityTokenMissing"))
        .hasMessageContaining("no token for audience sts.amazonaws.com")
        .hasMessageContaining("webIdentity.audiences");
  }

  /**
   * The store check's Secret read that failed a scheduled snapshot after an operator restart: one
   * transient API failure (here a 500 the client itself does not retry, as when its own retries are
   * spent or its request timed out) is tried again and the store opens; a 403 is the server's
   * decision and is reported at once.
   */
  @Test
  void aTransientFailureReadingTheSecretIsRetriedAndAForbiddenIsNot() {
    secret("aws", Map.of("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY", "secret"));
    SnapshotStore store = store(new CredentialsSecretRef("aws", null, null), null, null);
    String path = "/api/v1/namespaces/" + NS + "/secrets/aws";
    try (KubernetesClient noClientRetry =
        new io.fabric8.kubernetes.client.KubernetesClientBuilder()
            .withConfig(
                new io.fabric8.kubernetes.client.ConfigBuilder(client.getConfiguration())
                    .withRequestRetryBackoffLimit(0)
                    .build())
            .build()) {
      KubernetesStoreConnector c =
          new KubernetesStoreConnector(
              noClientRetry,
              new OperatorTokens(tokens),
              new dev.strata.operator.ApiRetry(
                  new dev.strata.engine.store.RetryPolicy(
                      java.time.Duration.ofMillis(1),
                      2.0,
                      java.time.Duration.ofMillis(4),
                      0.0,
                      3,
                      java.time.Duration.ofSeconds(5))));
      server
          .expect()
          .get()
          .withPath(path)
          .andReturn(
              500,
              new io.fabric8.kubernetes.api.model.StatusBuilder()
                  .withCode(500)
                  .withMessage("etcdserver: leader changed")
                  .build())
          .once();
      assertThat(c.config(store).credentials())
          .isEqualTo(new S3Credentials.AccessKeys("AKIAEXAMPLE", "secret", null));

      server
          .expect()
          .get()
          .withPath(path)
          .andReturn(
              403,
              new io.fabric8.kubernetes.api.model.StatusBuilder()
                  .withCode(403)
                  .withMessage("secrets \"aws\" is forbidden")
                  .build())
          .once();
      assertThatThrownBy(() -> c.config(store))
          .isInstanceOfSatisfying(
              io.fabric8.kubernetes.client.KubernetesClientException.class,
              e -> assertThat(e.getCode()).isEqualTo(403));
      assertThat(c.config(store).credentials())
          .as("the 403 was answered once, and not retried into the next read")
          .isEqualTo(new S3Credentials.AccessKeys("AKIAEXAMPLE", "secret", null));
    }
  }

  @Test
  void tokenFileNamesKeepOnlySafeCharacters() {
    assertThat(OperatorTokens.fileName("sts.amazonaws.com")).isEqualTo("sts.amazonaws.com");
    assertThat(OperatorTokens.fileName("api://AzureADTokenExchange"))
        .isEqualTo("api___AzureADTokenExchange");
    assertThat(OperatorTokens.fileName("..")).isEqualTo("_.");
  }
}
