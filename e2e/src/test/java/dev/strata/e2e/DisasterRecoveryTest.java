package dev.strata.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.StateRestore;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.e2e.support.CommandResult;
import dev.strata.e2e.support.ControlPlane;
import dev.strata.e2e.support.DirectoryTree;
import dev.strata.e2e.support.Examples;
import dev.strata.e2e.support.MinioServer;
import dev.strata.e2e.support.TestNamespace;
import dev.strata.e2e.support.Waits;
import dev.strata.e2e.support.node.RealCluster;
import dev.strata.e2e.support.node.RealClusterExtension;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16's disaster-recovery journey, on the real cluster (a real node, the operator installed by
 * its chart as a Pod). Cluster A (chart value clusterId prod-eu-1) snapshots the three volumes of a
 * StatefulSet of three replicas on the examples' nightly StatefulSet schedule
 * (examples/snapshot-schedule-statefulset.yaml: one schedule, a group of three snapshots per
 * night), two nights. Then A is lost entirely: its control plane with etcd, its node with every
 * container and volume; only the bucket remains. Cluster B, a new control plane and node with the
 * chart installed (default clusterId: its kube-system UID) and the same Git objects (the examples'
 * store and its credentials, in a namespace of the same name), shows A's snapshots as imported
 * StateSnapshots that still form A's groups, restores the first volume by kubectl apply of
 * examples/restore-from-bucket.yaml and then the whole latest group (examples/restore-group.yaml:
 * each member into the claim of its name, one existing, one created), byte-identical, and the
 * StatefulSet starts on them. Also: the first night by its imported StateSnapshot's name into
 * another PVC (said so), a restore into another PVC refused until it says so, and B's own first
 * snapshot of a volume, which is B's source, never A's.
 */
@ExtendWith(RealClusterExtension.class)
class DisasterRecoveryTest {

  static final String SCHEDULE = "nightly-kafka-streams";
  static final int REPLICAS = 3;

  @TempDir Path tmp;

  /**
   * Cluster A's operator: named explicitly, as the chart value clusterId does (cluster B keeps the
   * default).
   */
  static final String CLUSTER_A = "prod-eu-1";

  /**
   * A namespace of a given name (the same in both clusters, as Git would make it), once its default
   * ServiceAccount exists.
   */
  static void namespace(ControlPlane plane, String name) {
    plane
        .client()
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
    Waits.until(
        "ServiceAccount " + name + "/default",
        Duration.ofSeconds(60),
        Duration.ofMillis(200),
        () -> plane.client().serviceAccounts().inNamespace(name).withName("default").get() != null);
  }

  static String clusterId(ControlPlane plane) {
    return plane.client().namespaces().withName("kube-system").get().getMetadata().getUid();
  }

  static String pvc(int replica) {
    return "data-kafka-streams-" + replica;
  }

  @Test
  void aClusterLostWithItsEtcdAndVolumesIsRestoredInANewClusterFromWhatItLeftInTheBucket(
      RealCluster cluster, MinioServer minio) throws IOException {
    minio.createBucket(Examples.EXAMPLE_BUCKET);
    String ns =
        "dr-"
            + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36)
                .substring(0, 6);
    TestNamespace namespace = new TestNamespace(ns);
    LocalDate first = Nights.today().plusDays(2);
    // night-<n>/<replica> -> the tree and the snapshot id A took of it
    Map<String, Map<String, DirectoryTree.Entry>> trees = new LinkedHashMap<>();
    Map<String, String> ids = new LinkedHashMap<>();

    // ---- Cluster A: the chart with clusterId prod-eu-1, a StatefulSet of three replicas, one
    // nightly schedule of them all. ----
    Path clockDir = Files.createTempDirectory("strata-test-clock-");
    Files.setPosixFilePermissions(
        clockDir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    TestClock clock = new TestClock(clockDir.resolve("clock"));
    clock.set(Nights.due(first).minus(Duration.ofMinutes(10)));
    ControlPlane a = cluster.plane();
    KubernetesClient clientA = a.client();
    cluster.installOperator(
        Files.writeString(
            tmp.resolve("values-a.yaml"),
            JourneysTest.values(clockDir) + "clusterId: " + CLUSTER_A + "\n"));
    namespace(a, ns);
    Examples.apply(a, ns, "store-credentials.yaml").assertSuccess();
    Examples.apply(a, ns, "snapshot-store.yaml").assertSuccess();
    clientA
        .apps()
        .statefulSets()
        .inNamespace(ns)
        .resource(JourneysTest.kafkaStreams(REPLICAS))
        .create();
    List<Path> volumesA = new ArrayList<>();
    for (int r = 0; r < REPLICAS; r++) {
      RestorePolicyTest.awaitRunning(clientA, namespace, "kafka-streams-" + r);
      Path volume = cluster.node().hostPathOf(ns, pvc(r));
      DirectoryTree.seed(volume.resolve("rocksdb"), 1601 + 10 * r, 3);
      JourneysTest.chownTree(volume.resolve("rocksdb"), JourneysTest.APP_USER);
      volumesA.add(volume);
    }
    Examples.apply(a, ns, "snapshot-schedule-statefulset.yaml").assertSuccess();
    for (int night = 0; night < 2; night++) {
      LocalDate date = first.plusDays(night);
      for (int r = 0; r < REPLICAS; r++) {
        Path sst = volumesA.get(r).resolve("rocksdb/night-" + night + ".sst");
        Files.write(sst, OperatorSnapshotTest.random(1610 + 10 * r + night, 1 << 20));
        JourneysTest.chownTree(sst, JourneysTest.APP_USER);
      }
      clock.set(Nights.due(date).plusSeconds(30));
      String group = Nights.snapshotName(SCHEDULE, date);
      for (int r = 0; r < REPLICAS; r++) {
        StateSnapshot done =
            ScheduleRetentionTest.awaitSucceeded(clientA, namespace, group + "-" + pvc(r));
        assertThat(done.getStatus().sourceId())
            .isEqualTo(CLUSTER_A + ":" + ns + "/" + pvc(r) + "/rocksdb");
        assertThat(done.getMetadata().getLabels())
            .containsEntry("strata.dev/group", group)
            .containsEntry("strata.dev/group-size", "3");
        ids.put("night-" + night + "/" + r, done.getStatus().snapshotIndex().id());
        trees.put(
            "night-" + night + "/" + r, DirectoryTree.describe(volumesA.get(r).resolve("rocksdb")));
      }
    }

    String lastGroup = Nights.snapshotName(SCHEDULE, first.plusDays(1));
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              var status =
                  clientA
                      .resources(dev.strata.api.v1alpha1.SnapshotSchedule.class)
                      .inNamespace(ns)
                      .withName(SCHEDULE)
                      .get()
                      .getStatus();
              assertThat(status.lastSuccessfulGroup()).isEqualTo(lastGroup);
              assertThat(status.lastGroup().members()).hasSize(REPLICAS);
              assertThat(status.lastGroup().succeeded()).isEqualTo(REPLICAS);
            });

    // ---- A is lost: API server, controllers, etcd and its data, the node, its containers and
    // volumes. ----
    Path etcdA = a.workDir();
    cluster.replaceAfterLoss();
    assertThat(etcdA).as("cluster A's etcd data is gone").doesNotExist();
    assertThat(volumesA)
        .as("cluster A's volumes are gone")
        .allSatisfy(v -> assertThat(v).doesNotExist());

    // ---- Cluster B: the chart with its defaults, and the same Git objects. ----
    ControlPlane b = cluster.plane();
    KubernetesClient client = b.client();
    String clusterB = clusterId(b);
    assertThat(clusterB).isNotEqualTo(CLUSTER_A);
    try {
      cluster.installOperator(
          Files.writeString(
              tmp.resolve("values-b.yaml"),
              String.join(
                  "\n",
                  "storeRecheckSeconds: 2",
                  "schedulePollSeconds: 1",
                  "progressIntervalSeconds: 1",
                  "runner:",
                  "  retryDeadlineSeconds: 10",
                  "")));
      namespace(b, ns);
      Examples.apply(b, ns, "store-credentials.yaml").assertSuccess();
      Examples.apply(b, ns, "snapshot-store.yaml").assertSuccess();

      // A's six snapshots appear as imported StateSnapshots, taken when A took them, with what
      // their indexes say.
      Map<String, String> imported = new LinkedHashMap<>();
      ids.forEach(
          (key, id) ->
              imported.put(
                  key,
                  pvc(Integer.parseInt(key.substring(key.indexOf('/') + 1)))
                      + "-"
                      + id.toLowerCase()));
      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(500))
          .untilAsserted(
              () -> {
                List<StateSnapshot> seen =
                    client
                        .resources(StateSnapshot.class)
                        .inNamespace(ns)
                        .withLabel("strata.dev/imported", "true")
                        .list()
                        .getItems();
                assertThat(seen)
                    .extracting(s -> s.getMetadata().getName())
                    .containsExactlyInAnyOrderElementsOf(imported.values());
                assertThat(seen)
                    .allSatisfy(
                        s -> {
                          assertThat(s.getStatus()).isNotNull();
                          assertThat(s.getStatus().phase()).isEqualTo(SnapshotPhase.Succeeded);
                        });
              });
      StateSnapshot latest =
          client
              .resources(StateSnapshot.class)
              .inNamespace(ns)
              .withName(imported.get("night-1/0"))
              .get();
      assertThat(latest.getSpec().snapshotId()).isEqualTo(ids.get("night-1/0"));
      assertThat(latest.getSpec().deletionPolicy().name()).isEqualTo("Retain");
      assertThat(latest.getStatus().sourceId())
          .isEqualTo(CLUSTER_A + ":" + ns + "/" + pvc(0) + "/rocksdb");
      assertThat(latest.getStatus().snapshotIndex().parent()).isEqualTo(ids.get("night-0/0"));
      assertThat(latest.getStatus().completionTime())
          .isEqualTo(latest.getMetadata().getAnnotations().get("strata.dev/taken-at"));
      assertThat(latest.getMetadata().getLabels())
          .containsEntry("strata.dev/source-cluster", CLUSTER_A)
          .containsEntry("strata.dev/source-namespace", ns)
          .containsEntry("strata.dev/origin-schedule", SCHEDULE)
          .containsEntry("strata.dev/pvc", pvc(0))
          .containsEntry("strata.dev/phase", "Succeeded")
          .containsEntry("strata.dev/group", lastGroup)
          .containsEntry("strata.dev/group-size", "3")
          .doesNotContainKeys("strata.dev/schedule", "strata.dev/retention-policy");

      // What the on-call engineer sees.
      String listed = b.kubectl("get", "statesnapshots", "-n", ns).assertSuccess().stdout();
      assertThat(listed).contains(imported.values()).contains("Succeeded");
      Path bin = Examples.dir().resolveSibling("bin");
      Map<String, String> pathEnv =
          Map.of(
              "PATH",
              b.kubectl().getParent() + ":" + bin + ":/usr/local/bin:/usr/bin:/bin",
              "KUBECONFIG",
              b.kubeconfig().toString());
      CommandResult ls =
          CommandResult.run(
              List.of(b.kubectl().toString(), "strata", "ls", pvc(0), "-n", ns),
              pathEnv,
              Duration.ofSeconds(30));
      assertThat(ls.exitCode()).as(ls.stdout() + ls.stderr()).isZero();
      assertThat(ls.stdout())
          .contains("ORIGIN")
          .contains(ids.get("night-1/0"))
          .contains(CLUSTER_A + ":" + ns + "/" + pvc(0) + "/rocksdb");

      // The first replacement volume (a new, empty PVC of the StatefulSet's claim name) gets A's
      // latest snapshot of it by
      // kubectl apply of examples/restore-from-bucket.yaml, found in the store's catalog by the
      // name A had in source ids.
      OperatorSnapshotTest.claim(client, namespace, pvc(0));
      Examples.apply(b, ns, "restore-from-bucket.yaml").assertSuccess();
      StateRestore fromBucket = awaitRestore(client, ns, "kafka-streams-0-from-prod");
      assertThat(fromBucket.getStatus().phase())
          .as(fromBucket.getStatus().message())
          .isEqualTo(SnapshotPhase.Succeeded);
      assertThat(fromBucket.getStatus().resolvedSnapshot().id()).isEqualTo(ids.get("night-1/0"));
      assertThat(fromBucket.getStatus().resolvedSnapshot().snapshotName()).isNull();

      // Then the whole group A's schedule took on the last night, by kubectl apply of
      // examples/restore-group.yaml: each
      // member into the claim of its own name. Replica 0's is restored already (Sync: nothing to
      // fetch), replica 1's
      // claim exists (empty), replica 2's is created by its restore.
      OperatorSnapshotTest.claim(client, namespace, pvc(1));
      Examples.apply(
              b,
              ns,
              Examples.read("restore-group.yaml")
                  .replace("nightly-kafka-streams-20261201-0100", lastGroup)
                  .replace("mode: IfEmpty", "mode: Sync"),
              tmp)
          .assertSuccess();
      StateRestore whole = awaitRestore(client, ns, "kafka-streams-from-group");
      assertThat(whole.getStatus().phase())
          .as(whole.getStatus().message())
          .isEqualTo(SnapshotPhase.Succeeded);
      assertThat(whole.getStatus().group().members())
          .extracting(m -> m.pvc())
          .containsExactly(pvc(0), pvc(1), pvc(2));
      assertThat(whole.getStatus().group().succeeded()).isEqualTo(REPLICAS);
      for (int r = 0; r < REPLICAS; r++) {
        StateRestore member =
            client
                .resources(StateRestore.class)
                .inNamespace(ns)
                .withName("kafka-streams-from-group-" + pvc(r))
                .get();
        assertThat(member.getStatus().resolvedSnapshot().id())
            .as(pvc(r))
            .isEqualTo(ids.get("night-1/" + r));
        assertThat(member.getStatus().targetPvc()).isEqualTo(pvc(r));
        assertThat(DirectoryTree.describe(cluster.node().hostPathOf(ns, pvc(r)).resolve("rocksdb")))
            .as(pvc(r))
            .isEqualTo(trees.get("night-1/" + r));
      }
      assertThat(
              client
                  .persistentVolumeClaims()
                  .inNamespace(ns)
                  .withName(pvc(2))
                  .get()
                  .getMetadata()
                  .getLabels())
          .as("created by its restore")
          .containsEntry("strata.dev/staterestore", "kafka-streams-from-group-" + pvc(2));

      // The first night, by the name of its imported StateSnapshot, into a new PVC: another PVC
      // than the snapshot's,
      // which the restore says explicitly (target.insteadOf).
      Examples.apply(
              b,
              ns,
              String.join(
                  "\n",
                  "apiVersion: strata.dev/v1alpha1",
                  "kind: StateRestore",
                  "metadata:",
                  "  name: first-night",
                  "spec:",
                  "  source:",
                  "    snapshotName: " + imported.get("night-0/0"),
                  "  target:",
                  "    claimTemplate:",
                  "      name: night-one",
                  "    path: rocksdb",
                  "    insteadOf:",
                  "      pvcName: " + pvc(0),
                  ""),
              tmp)
          .assertSuccess();
      StateRestore firstNight = awaitRestore(client, ns, "first-night");
      assertThat(firstNight.getStatus().phase())
          .as(firstNight.getStatus().message())
          .isEqualTo(SnapshotPhase.Succeeded);
      assertThat(firstNight.getStatus().resolvedSnapshot().id()).isEqualTo(ids.get("night-0/0"));
      assertThat(
              DirectoryTree.describe(cluster.node().hostPathOf(ns, "night-one").resolve("rocksdb")))
          .isEqualTo(trees.get("night-0/0"));

      // Into another PVC without saying so: refused, with what to write.
      Examples.apply(
              b,
              ns,
              String.join(
                  "\n",
                  "apiVersion: strata.dev/v1alpha1",
                  "kind: StateRestore",
                  "metadata:",
                  "  name: elsewhere",
                  "spec:",
                  "  source:",
                  "    snapshotName: " + imported.get("night-1/1"),
                  "  target:",
                  "    claimTemplate:",
                  "      name: elsewhere",
                  ""),
              tmp)
          .assertSuccess();
      StateRestore refused = awaitRestore(client, ns, "elsewhere");
      assertThat(refused.getStatus().phase()).isEqualTo(SnapshotPhase.Failed);
      assertThat(OperatorSnapshotTest.ready(refused.getStatus().conditions()).getReason())
          .isEqualTo("TargetMismatch");
      assertThat(refused.getStatus().message())
          .endsWith(
              "add to spec.target: insteadOf: {namespace: " + ns + ", pvcName: " + pvc(1) + "}");
      assertThat(client.persistentVolumeClaims().inNamespace(ns).withName("elsewhere").get())
          .as("nothing created")
          .isNull();

      // The StatefulSet comes back on its restored volumes (its claim template names them).
      client
          .apps()
          .statefulSets()
          .inNamespace(ns)
          .resource(JourneysTest.kafkaStreams(REPLICAS))
          .create();
      for (int r = 0; r < REPLICAS; r++) {
        int replica = r;
        Pod pod = RestorePolicyTest.awaitRunning(client, namespace, "kafka-streams-" + r);
        assertThat(pod.getSpec().getVolumes())
            .filteredOn(v -> "data".equals(v.getName()))
            .singleElement()
            .satisfies(
                v ->
                    assertThat(v.getPersistentVolumeClaim().getClaimName())
                        .isEqualTo(pvc(replica)));
      }

      // B's own snapshot of a volume is B's source: A's latest is never its base (two clusters
      // never share a latest),
      // and the store already holds every byte of it.
      client
          .resources(StateSnapshot.class)
          .inNamespace(ns)
          .resource(OperatorSnapshotTest.snapshotOf("after-recovery", pvc(0), "rocksdb"))
          .create();
      StateSnapshot own = ScheduleRetentionTest.awaitSucceeded(client, namespace, "after-recovery");
      assertThat(own.getStatus().sourceId())
          .isEqualTo(clusterB + ":" + ns + "/" + pvc(0) + "/rocksdb");
      assertThat(own.getStatus().snapshotIndex().parent()).isNull();
      assertThat(own.getStatus().snapshotIndex().uploadedBytes()).isLessThan(64 * 1024);
      assertThat(own.getMetadata().getLabels()).doesNotContainKey("strata.dev/imported");
      // ...and the catalog does not import it again (it has its StateSnapshot here).
      b.kubectl(
              "patch",
              "snapshotstore",
              "minio",
              "-n",
              ns,
              "--type=merge",
              "-p",
              "{\"spec\":{\"catalog\":{\"requestedAt\":\"" + Instant.now() + "\"}}}")
          .assertSuccess();
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(
                          client
                              .resources(SnapshotStore.class)
                              .inNamespace(ns)
                              .withName("minio")
                              .get()
                              .getStatus()
                              .catalog()
                              .imported())
                      .isEqualTo(2 * REPLICAS));
      assertThat(client.resources(StateSnapshot.class).inNamespace(ns).list().getItems())
          .hasSize(2 * REPLICAS + 1);
      String log =
          b.kubectl(
                  "logs",
                  "-n",
                  RealCluster.RELEASE_NAMESPACE,
                  "-l",
                  "app.kubernetes.io/component=operator",
                  "--tail=-1")
              .assertSuccess()
              .stdout();
      assertThat(log).as("the chart's RBAC is enough").doesNotContain("Forbidden");
    } finally {
      cluster.uninstallOperator();
      b.deleteNamespace(ns);
    }
  }

  static StateRestore awaitRestore(KubernetesClient client, String ns, String name) {
    await()
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(300))
        .untilAsserted(
            () -> {
              StateRestore r =
                  client.resources(StateRestore.class).inNamespace(ns).withName(name).get();
              assertThat(r.getStatus()).as(name + " has a status").isNotNull();
              assertThat(r.getStatus().phase())
                  .as(name + ": " + r.getStatus().message())
                  .isIn(SnapshotPhase.Succeeded, SnapshotPhase.Failed);
            });
    return client.resources(StateRestore.class).inNamespace(ns).withName(name).get();
  }
}
