package dev.strata.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.e2e.support.ControlPlane;
import dev.strata.e2e.support.DirectoryTree;
import dev.strata.e2e.support.Examples;
import dev.strata.e2e.support.MinioServer;
import dev.strata.e2e.support.OidcIssuer;
import dev.strata.e2e.support.TestNamespace;
import dev.strata.e2e.support.Waits;
import dev.strata.e2e.support.node.RealCluster;
import dev.strata.e2e.support.node.RealClusterExtension;
import dev.strata.e2e.support.node.RealNode;
import dev.strata.operator.Labels;
import dev.strata.operator.runner.RunnerCredentials;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Web identity on a real node: the kubelet projects the tokens (the operator's, from the chart's
 * {@code webIdentity.audiences}; the runners', from the store's ServiceAccount), the operator (user
 * 65532) and the runners (the app's user, as the Restricted profile picks it) read them on
 * read-only root filesystems, and MinIO's STS, trusting the API server's service-account keys,
 * turns them into keys. No Secret of the test namespace holds a key, and no log, pod or status
 * holds a token. The operator is the chart's, installed with helm.
 */
@ExtendWith(RealClusterExtension.class)
class WebIdentityRealNodeTest {

  static final String AUDIENCE = "strata-real-node";
  static final String IDP = "strata-e2e";
  static final String KEEP = "strata.dev/e2e-keep-for-its-log";
  static final PatchContext STRATEGIC_MERGE = PatchContext.of(PatchType.STRATEGIC_MERGE);

  static RealCluster cluster;
  static OidcIssuer issuer;
  static boolean trusted;

  @TempDir Path tmp;

  @BeforeAll
  static void trustTheClusterAndInstall(
      RealCluster realCluster, ControlPlane plane, MinioServer minio, @TempDir Path dir)
      throws Exception {
    cluster = realCluster;
    issuer = OidcIssuer.publishingKeysOf(plane.client());
    minio.trustOpenId(issuer, IDP, AUDIENCE);
    trusted = true;
    minio.createBucket(Examples.EXAMPLE_BUCKET);
    cluster.installOperator(
        Files.writeString(
            dir.resolve("values.yaml"),
            String.join(
                "\n",
                "storeRecheckSeconds: 5",
                "progressIntervalSeconds: 1",
                "logLevel: DEBUG",
                "webIdentity:",
                "  audiences: [" + AUDIENCE + "]",
                "")));
  }

  @AfterAll
  static void uninstallAndForget(MinioServer minio) {
    if (cluster != null) {
      cluster.uninstallOperator();
    }
    if (trusted) {
      minio.forgetOpenId(IDP);
    }
    if (issuer != null) {
      issuer.close();
    }
  }

  @Test
  void theOperatorAndItsRunnersUseProjectedTokensToBackUpAndRestore(
      ControlPlane plane, RealNode node, TestNamespace ns) throws Exception {
    KubernetesClient client = plane.client();
    client
        .serviceAccounts()
        .inNamespace(ns.name())
        .resource(
            new ServiceAccountBuilder()
                .withNewMetadata()
                .withName("strata-runner")
                .endMetadata()
                .withAutomountServiceAccountToken(false)
                .build())
        .create();
    Examples.apply(
            plane,
            ns.name(),
            String.join(
                "\n",
                "apiVersion: strata.dev/v1alpha1",
                "kind: SnapshotStore",
                "metadata:",
                "  name: minio",
                "spec:",
                "  endpoint: " + Examples.EXAMPLE_ENDPOINT,
                "  bucket: " + Examples.EXAMPLE_BUCKET,
                "  prefix: web-identity",
                "  pathStyle: true",
                "  credentials:",
                "    webIdentity:",
                "      roleArn: " + MinioServer.openIdRoleArn(AUDIENCE),
                "      serviceAccountName: strata-runner",
                "      audience: " + AUDIENCE,
                "      stsEndpoint: " + Examples.EXAMPLE_ENDPOINT,
                ""),
            tmp)
        .assertSuccess();
    // Ready: the operator's pod read its own projected token and MinIO's STS took it.
    Waits.until(
        "store Ready",
        Duration.ofSeconds(90),
        Duration.ofMillis(500),
        () -> {
          SnapshotStore s =
              client.resources(SnapshotStore.class).inNamespace(ns.name()).withName("minio").get();
          Condition ready =
              s.getStatus() == null ? null : OperatorSnapshotTest.ready(s.getStatus().conditions());
          return ready != null && "True".equals(ready.getStatus());
        });

    // The operator deletes a succeeded run's Job (and its pod) at once: a finalizer of the test's
    // keeps the pods, and
    // their logs, for the checks at the end.
    SharedIndexInformer<Pod> keeper =
        client
            .pods()
            .inNamespace(ns.name())
            .withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE)
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Pod pod) {
                    client
                        .pods()
                        .inNamespace(ns.name())
                        .withName(pod.getMetadata().getName())
                        .patch(
                            STRATEGIC_MERGE, "{\"metadata\":{\"finalizers\":[\"" + KEEP + "\"]}}");
                  }

                  @Override
                  public void onUpdate(Pod before, Pod after) {}

                  @Override
                  public void onDelete(Pod pod, boolean unknownFinalState) {}
                });
    try {
      OperatorSnapshotTest.claim(client, ns, "data-kafka-streams-0");
      Path volume = node.hostPathOf(ns.name(), "data-kafka-streams-0");
      DirectoryTree.seed(volume.resolve("rocksdb"), 41, 2);
      // The app's files and pod (user 1000, fsGroup 1000): the runner reads them, and its token, as
      // that user.
      JourneysTest.appUsing(client, ns, volume);
      Examples.apply(plane, ns.name(), "state-snapshot.yaml").assertSuccess();
      StateSnapshot done =
          OperatorSnapshotTest.awaitPhase(
              client, ns, "kafka-streams-0-manual-1", SnapshotPhase.Succeeded);
      assertThat(done.getStatus().snapshotIndex().files()).isPositive();
      // The runner pod ran as the store's ServiceAccount with only the STS token.
      Pod backup = onlyPod(client, ns, "strata.dev/statesnapshot", "kafka-streams-0-manual-1");
      assertThat(backup.getMetadata().getFinalizers()).as("kept for its log").contains(KEEP);
      assertThat(backup.getSpec().getServiceAccountName()).isEqualTo("strata-runner");
      assertThat(backup.getSpec().getVolumes())
          .extracting(v -> v.getName())
          .contains(RunnerCredentials.TOKEN_VOLUME)
          .noneMatch(name -> name.startsWith("kube-api-access"));

      Examples.apply(plane, ns.name(), "restore.yaml").assertSuccess();
      OperatorRestoreTest.awaitSucceeded(client, ns, "kafka-streams-0-restore");
      assertThat(
              DirectoryTree.describe(
                  node.hostPathOf(ns.name(), "data-kafka-streams-0-restored").resolve("rocksdb")))
          .isEqualTo(DirectoryTree.describe(volume.resolve("rocksdb")));
      assertThat(client.secrets().inNamespace(ns.name()).list().getItems())
          .as("no key in any Secret")
          .isEmpty();

      // No token reached a log, a pod or a status: the projected tokens and MinIO's session tokens
      // are all JWTs ("eyJ…").
      Pod restore = onlyPod(client, ns, Labels.OPERATION, "restore");
      for (Pod pod : List.of(backup, restore)) {
        String name = pod.getMetadata().getName();
        assertNoJwt(
            "the log of runner pod " + name,
            plane
                .kubectl("logs", "-n", ns.name(), name, "--all-containers")
                .assertSuccess()
                .stdout());
        assertNoJwt(
            "runner pod " + name + " (its env and termination message)",
            Serialization.asYaml(client.pods().inNamespace(ns.name()).withName(name).get()));
      }
      String operatorLog =
          plane
              .kubectl(
                  "logs",
                  "-n",
                  RealCluster.RELEASE_NAMESPACE,
                  "-l",
                  "app.kubernetes.io/component=operator",
                  "--all-containers",
                  "--tail=-1")
              .assertSuccess()
              .stdout();
      assertThat(operatorLog).contains(ns.name() + "/minio");
      assertNoJwt("the operator's log (at DEBUG)", operatorLog);
      assertNoJwt(
          "the resources",
          plane
              .kubectl(
                  "get",
                  "snapshotstores,statesnapshots,staterestores",
                  "-n",
                  ns.name(),
                  "-o",
                  "yaml")
              .assertSuccess()
              .stdout());
    } finally {
      keeper.stop();
      for (Pod pod : client.pods().inNamespace(ns.name()).list().getItems()) {
        if (pod.getMetadata().getFinalizers().contains(KEEP)) {
          client
              .pods()
              .inNamespace(ns.name())
              .withName(pod.getMetadata().getName())
              .patch(
                  STRATEGIC_MERGE,
                  "{\"metadata\":{\"$deleteFromPrimitiveList/finalizers\":[\"" + KEEP + "\"]}}");
        }
      }
    }
  }

  static Pod onlyPod(KubernetesClient client, TestNamespace ns, String label, String value) {
    List<Pod> pods = client.pods().inNamespace(ns.name()).withLabel(label, value).list().getItems();
    assertThat(pods).as("pods labelled %s=%s", label, value).hasSize(1);
    return pods.get(0);
  }

  static void assertNoJwt(String what, String text) {
    assertThat(text.contains("eyJ")).as(what + " holds a JWT").isFalse();
  }
}
