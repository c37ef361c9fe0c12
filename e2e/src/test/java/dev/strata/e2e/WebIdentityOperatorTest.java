package dev.strata.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.strata.api.v1alpha1.LocalObjectRef;
import dev.strata.api.v1alpha1.RestoreMode;
import dev.strata.api.v1alpha1.RestoreSource;
import dev.strata.api.v1alpha1.RestoreTarget;
import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.api.v1alpha1.SnapshotSource;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.SnapshotStoreSpec;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.api.v1alpha1.StateSnapshotSpec;
import dev.strata.api.v1alpha1.StoreCredentials;
import dev.strata.api.v1alpha1.WebIdentityCredentials;
import dev.strata.e2e.support.ControlPlane;
import dev.strata.e2e.support.ControlPlaneExtension;
import dev.strata.e2e.support.DirectoryTree;
import dev.strata.e2e.support.Examples;
import dev.strata.e2e.support.MinioServer;
import dev.strata.e2e.support.OidcIssuer;
import dev.strata.e2e.support.OperatorProcess;
import dev.strata.e2e.support.TestNamespace;
import dev.strata.e2e.support.kubelet.KubeletStandIn;
import dev.strata.operator.runner.RunnerCredentials;
import dev.strata.operator.store.OperatorTokens;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Web identity end to end, as IRSA works on EKS: MinIO's STS trusts the API server's
 * service-account issuer (its keys published on loopback, as EKS publishes a cluster's OIDC keys),
 * a SnapshotStore names a role, an audience and the runners' ServiceAccount, and no Secret holds a
 * key. The operator checks the store with a token of its own for the audience (what the chart
 * projects into its pod), the runner Jobs of a backup and a restore run as the ServiceAccount with
 * its token projected by the kubelet (the stand-in asks the TokenRequest API, as a kubelet does),
 * and the runner exchanges it at MinIO's STS.
 */
@ExtendWith(ControlPlaneExtension.class)
class WebIdentityOperatorTest {

  static final String AUDIENCE = "strata-e2e-web-identity";
  static final String PVC = "data-kafka-streams-0";

  static OidcIssuer issuer;
  static MinioServer minio;
  static OperatorProcess operator;

  @TempDir Path tmp;

  @BeforeAll
  static void start(ControlPlane plane, @TempDir Path dir) throws Exception {
    plane.kubectl("apply", "-f", Examples.dir().resolveSibling("crds").toString()).assertSuccess();
    KubernetesClient admin = plane.client();
    issuer = OidcIssuer.publishingKeysOf(admin);
    minio = MinioServer.startTrusting(issuer, AUDIENCE);

    // The operator's own token for the audience, where the chart's projected volume puts it (a
    // ServiceAccount of
    // the operator's own; the kubelet would renew the file, this test's run is shorter than the
    // token).
    String operatorNs = plane.createNamespace("strata-system");
    admin
        .serviceAccounts()
        .inNamespace(operatorNs)
        .resource(
            new ServiceAccountBuilder().withNewMetadata().withName("strata").endMetadata().build())
        .create();
    Path tokens = Files.createDirectories(dir.resolve("tokens"));
    Files.writeString(
        tokens.resolve(OperatorTokens.fileName(AUDIENCE)),
        plane.serviceAccountToken(operatorNs, "strata", Duration.ofHours(1), AUDIENCE));
    operator =
        OperatorProcess.start(
            plane.kubeconfig(),
            dir,
            Map.of(
                OperatorTokens.DIR_VARIABLE,
                tokens.toString(),
                "STRATA_STORE_RECHECK_SECONDS",
                "600",
                "STRATA_RUNNER_RETRY_DEADLINE_SECONDS",
                "20"));
  }

  @AfterAll
  static void stop() {
    if (operator != null) {
      operator.close();
    }
    if (minio != null) {
      minio.close();
    }
    if (issuer != null) {
      issuer.close();
    }
  }

  static String roleArn() {
    return MinioServer.openIdRoleArn(AUDIENCE);
  }

  @Test
  void aStoreWithoutKeysBacksUpAndRestoresThroughMinioStsWithProjectedServiceAccountTokens(
      ControlPlane plane, KubeletStandIn kubelet, TestNamespace ns) throws Exception {
    KubernetesClient client = plane.client();
    client
        .serviceAccounts()
        .inNamespace(ns.name())
        .resource(
            new ServiceAccountBuilder()
                .withNewMetadata()
                .withName("strata-runner")
                .endMetadata()
                .build())
        .create();
    SnapshotStore store = new SnapshotStore();
    store.setMetadata(new ObjectMetaBuilder().withName("minio").build());
    store.setSpec(
        new SnapshotStoreSpec(
            minio.endpoint(),
            MinioServer.DEFAULT_BUCKET,
            "irsa",
            MinioServer.REGION,
            true,
            null,
            null,
            null,
            null,
            null,
            null,
            new StoreCredentials(
                null,
                new WebIdentityCredentials(
                    roleArn(), "strata-runner", AUDIENCE, minio.endpoint()))));
    client.resources(SnapshotStore.class).inNamespace(ns.name()).resource(store).create();
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              SnapshotStore s =
                  client
                      .resources(SnapshotStore.class)
                      .inNamespace(ns.name())
                      .withName("minio")
                      .get();
              Condition ready =
                  s.getStatus() == null
                      ? null
                      : s.getStatus().conditions().stream()
                          .filter(c -> "Ready".equals(c.getType()))
                          .findFirst()
                          .orElse(null);
              assertThat(ready).isNotNull();
              assertThat(ready.getStatus()).as(ready.getMessage()).isEqualTo("True");
            });

    OperatorSnapshotTest.claim(client, ns, PVC);
    Path volume = kubelet.hostPathOf(ns.name(), PVC);
    DirectoryTree.seed(volume.resolve("rocksdb"), 31, 3);
    StateSnapshot snapshot = new StateSnapshot();
    snapshot.setMetadata(new ObjectMetaBuilder().withName("first").build());
    snapshot.setSpec(
        new StateSnapshotSpec(
            new SnapshotSource(PVC, "rocksdb"),
            new LocalObjectRef("minio"),
            2,
            null,
            null,
            null,
            null));
    client.resources(StateSnapshot.class).inNamespace(ns.name()).resource(snapshot).create();
    // The backup Job, as the API server holds it: the store's ServiceAccount, its token and nothing
    // else.
    Job backup =
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    client
                        .batch()
                        .v1()
                        .jobs()
                        .inNamespace(ns.name())
                        .withLabel("strata.dev/statesnapshot", "first")
                        .list()
                        .getItems(),
                jobs -> !jobs.isEmpty())
            .get(0);
    assertWebIdentityPod(backup.getSpec().getTemplate().getSpec());
    StateSnapshot done =
        OperatorSnapshotTest.awaitPhase(client, ns, "first", SnapshotPhase.Succeeded);
    assertThat(done.getStatus().snapshotIndex().files()).isPositive();

    OperatorRestoreTest.restore(
        client,
        ns,
        "back",
        new RestoreSource("first", null, null, null),
        new RestoreTarget(
            null,
            new dev.strata.api.v1alpha1.ClaimTemplate("restored", null, null, null),
            null,
            new dev.strata.api.v1alpha1.SourceVolume(null, PVC)),
        RestoreMode.IfEmpty,
        2);
    Job restoreJob =
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    client
                        .batch()
                        .v1()
                        .jobs()
                        .inNamespace(ns.name())
                        .withLabel("strata.dev/operation", "restore")
                        .list()
                        .getItems(),
                jobs -> !jobs.isEmpty())
            .get(0);
    assertWebIdentityPod(restoreJob.getSpec().getTemplate().getSpec());
    OperatorRestoreTest.awaitSucceeded(client, ns, "back");
    assertThat(DirectoryTree.describe(kubelet.hostPathOf(ns.name(), "restored")))
        .isEqualTo(DirectoryTree.describe(volume.resolve("rocksdb")));
  }

  static void assertWebIdentityPod(PodSpec pod) throws Exception {
    assertThat(pod.getServiceAccountName()).isEqualTo("strata-runner");
    assertThat(pod.getAutomountServiceAccountToken()).isFalse();
    Volume token =
        pod.getVolumes().stream()
            .filter(v -> v.getName().equals(RunnerCredentials.TOKEN_VOLUME))
            .findFirst()
            .orElseThrow();
    assertThat(token.getProjected().getSources())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.getServiceAccountToken().getAudience()).isEqualTo(AUDIENCE);
              assertThat(s.getServiceAccountToken().getPath())
                  .isEqualTo(RunnerCredentials.TOKEN_FILE);
            });
    assertThat(pod.getVolumes()).filteredOn(v -> v.getSecret() != null).isEmpty();
    Map<String, EnvVar> env =
        pod.getContainers().get(0).getEnv().stream()
            .collect(Collectors.toMap(EnvVar::getName, e -> e));
    assertThat(env)
        .doesNotContainKeys("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN");
    assertThat(env.get("AWS_ROLE_ARN").getValue()).isEqualTo(roleArn());
    assertThat(env.get("AWS_WEB_IDENTITY_TOKEN_FILE").getValue())
        .isEqualTo(RunnerCredentials.TOKEN_DIR + "/" + RunnerCredentials.TOKEN_FILE);
    assertThat(env.get("AWS_ENDPOINT_URL_STS").getValue()).isEqualTo(minio.endpoint());
    assertThat(env.get("AWS_ROLE_SESSION_NAME").getValueFrom().getFieldRef().getFieldPath())
        .isEqualTo("metadata.name");
  }
}
