package dev.strata.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.api.v1alpha1.StateRestore;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.e2e.support.CommandResult;
import dev.strata.e2e.support.ControlPlane;
import dev.strata.e2e.support.DirectoryTree;
import dev.strata.e2e.support.Examples;
import dev.strata.e2e.support.Helm;
import dev.strata.e2e.support.MinioExtension;
import dev.strata.e2e.support.MinioServer;
import dev.strata.e2e.support.OperatorProcess;
import dev.strata.e2e.support.TestNamespace;
import dev.strata.e2e.support.TokenKubeconfig;
import dev.strata.e2e.support.Waits;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16's journey for single PVCs: cluster A snapshots a PVC on the examples' nightly schedule, then is destroyed
 * entirely, etcd and volumes included. Cluster B, a new control plane with the chart's CRDs and RBAC and its operator
 * running as the chart's ServiceAccount, is given the same Git objects (the examples' store and its credentials, in a
 * namespace of the same name): its store reads the bucket and shows A's snapshots as imported StateSnapshots, and a
 * kubectl-applied StateRestore (examples/restore-from-bucket.yaml: A's latest by the name A had, from the store's
 * catalog) brings the volume back byte-identical into the PVC of the same name, with no insteadOf needed. Also: the
 * first night by its imported StateSnapshot's name into another PVC (said so), a restore into another PVC refused
 * until it says so, and B's own first snapshot of the volume, which is B's source (named by its kube-system UID), never
 * A's.
 */
@ExtendWith(MinioExtension.class)
class DisasterRecoveryTest {

  static final String PVC = OperatorSnapshotTest.PVC;
  static final String SCHEDULE = "nightly-kafka-streams-0";

  @TempDir Path tmp;

  /** Cluster A's operator: named explicitly, as the chart value clusterId does (cluster B keeps the default). */
  static final String CLUSTER_A = "prod-eu-1";

  static Map<String, String> env(TestClock clock) {
    return Map.of(
        "STRATA_CLUSTER_ID", CLUSTER_A,
        "STRATA_CLOCK_FILE", clock.file().toString(),
        "STRATA_STORE_RECHECK_SECONDS", "2",
        "STRATA_SCHEDULE_POLL_SECONDS", "1",
        "STRATA_RUNNER_RETRY_DEADLINE_SECONDS", "20");
  }

  /** A namespace of a given name (the same in both clusters, as Git would make it), once its default ServiceAccount exists. */
  static void namespace(ControlPlane plane, String name) {
    plane.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
    Waits.until("ServiceAccount " + name + "/default", Duration.ofSeconds(60), Duration.ofMillis(200),
        () -> plane.client().serviceAccounts().inNamespace(name).withName("default").get() != null);
  }

  static String clusterId(ControlPlane plane) {
    return plane.client().namespaces().withName("kube-system").get().getMetadata().getUid();
  }

  @Test
  void aClusterDestroyedWithItsEtcdIsRestoredInANewClusterFromWhatItLeftInTheBucket(MinioServer minio) throws IOException {
    minio.createBucket(Examples.EXAMPLE_BUCKET);
    String ns = "dr-" + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36).substring(0, 6);
    TestNamespace namespace = new TestNamespace(ns);
    LocalDate first = Nights.today().plusDays(2);
    Map<String, Map<String, DirectoryTree.Entry>> trees = new LinkedHashMap<>();
    Map<String, String> ids = new LinkedHashMap<>();
    String clusterA;
    Path aDir;

    // ---- Cluster A: the nightly schedule of examples/, two nights. ----
    ControlPlane a = ControlPlane.start();
    aDir = a.workDir();
    TestClock clockA = new TestClock(tmp.resolve("clock-a"));
    clockA.set(Nights.due(first).minus(Duration.ofMinutes(10)));
    OperatorProcess operatorA = null;
    try {
      clusterA = CLUSTER_A;
      KubernetesClient client = a.client();
      a.kubectl("apply", "-f", Examples.dir().resolveSibling("crds").toString()).assertSuccess();
      namespace(a, ns);
      operatorA = OperatorProcess.start(a.kubeconfig(), tmp, env(clockA));
      Examples.apply(a, ns, "store-credentials.yaml").assertSuccess();
      Examples.apply(a, ns, "snapshot-store.yaml").assertSuccess();
      OperatorSnapshotTest.claim(client, namespace, PVC);
      Path volume = a.kubelet().hostPathOf(ns, PVC);
      DirectoryTree.seed(volume.resolve("rocksdb"), 1601, 4);
      Examples.apply(a, ns, "snapshot-schedule.yaml").assertSuccess();
      for (int night = 0; night < 2; night++) {
        LocalDate date = first.plusDays(night);
        Files.write(volume.resolve("rocksdb/night-" + night + ".sst"), OperatorSnapshotTest.random(1610 + night, 3 << 20));
        clockA.set(Nights.due(date).plusSeconds(30));
        StateSnapshot done = ScheduleRetentionTest.awaitSucceeded(client, namespace, Nights.snapshotName(SCHEDULE, date));
        assertThat(done.getStatus().sourceId()).isEqualTo(clusterA + ":" + ns + "/" + PVC + "/rocksdb");
        ids.put("night-" + night, done.getStatus().snapshotIndex().id());
        trees.put("night-" + night, DirectoryTree.describe(volume.resolve("rocksdb")));
      }
    } finally {
      if (operatorA != null) {
        operatorA.close();
      }
      // Destroyed entirely: API server, controllers, etcd and its data, the node's volumes.
      a.close();
    }
    assertThat(aDir).as("cluster A's etcd data and volumes are gone").doesNotExist();

    // ---- Cluster B: the chart, its operator as the chart's ServiceAccount, and the same Git objects. ----
    ControlPlane b = ControlPlane.start();
    OperatorProcess operatorB = null;
    try {
      KubernetesClient client = b.client();
      String clusterB = clusterId(b);
      assertThat(clusterB).isNotEqualTo(clusterA);
      Path kubeconfig = installChart(b, "strata-system");
      operatorB = OperatorProcess.start(kubeconfig, tmp, Map.of("STRATA_STORE_RECHECK_SECONDS", "2", "STRATA_RUNNER_RETRY_DEADLINE_SECONDS", "20"));
      namespace(b, ns);
      Examples.apply(b, ns, "store-credentials.yaml").assertSuccess();
      Examples.apply(b, ns, "snapshot-store.yaml").assertSuccess();

      // A's two nights appear as imported StateSnapshots, taken when A took them, with what their indexes say.
      Map<String, String> imported = new LinkedHashMap<>();
      ids.forEach((night, id) -> imported.put(night, PVC + "-" + id.toLowerCase()));
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
        List<StateSnapshot> seen = client.resources(StateSnapshot.class).inNamespace(ns).withLabel("strata.dev/imported", "true").list().getItems();
        assertThat(seen).extracting(s -> s.getMetadata().getName()).containsExactlyInAnyOrderElementsOf(imported.values());
        assertThat(seen).allSatisfy(s -> {
          assertThat(s.getStatus()).isNotNull();
          assertThat(s.getStatus().phase()).isEqualTo(SnapshotPhase.Succeeded);
        });
      });
      StateSnapshot latest = client.resources(StateSnapshot.class).inNamespace(ns).withName(imported.get("night-1")).get();
      assertThat(latest.getSpec().snapshotId()).isEqualTo(ids.get("night-1"));
      assertThat(latest.getSpec().deletionPolicy().name()).isEqualTo("Retain");
      assertThat(latest.getStatus().sourceId()).isEqualTo(clusterA + ":" + ns + "/" + PVC + "/rocksdb");
      assertThat(latest.getStatus().snapshotIndex().parent()).isEqualTo(ids.get("night-0"));
      assertThat(latest.getStatus().completionTime()).isEqualTo(latest.getMetadata().getAnnotations().get("strata.dev/taken-at"));
      assertThat(latest.getMetadata().getLabels()).containsEntry("strata.dev/source-cluster", clusterA)
          .containsEntry("strata.dev/source-namespace", ns).containsEntry("strata.dev/origin-schedule", SCHEDULE)
          .containsEntry("strata.dev/pvc", PVC).containsEntry("strata.dev/phase", "Succeeded")
          .doesNotContainKeys("strata.dev/schedule", "strata.dev/retention-policy");

      // What the on-call engineer sees.
      assertThat(b.kubectl("get", "statesnapshots", "-n", ns).assertSuccess().stdout()).contains(imported.get("night-0"))
          .contains(imported.get("night-1")).contains("Succeeded");
      Path bin = Examples.dir().resolveSibling("bin");
      Map<String, String> pathEnv = Map.of("PATH", b.kubectl().getParent() + ":" + bin + ":/usr/local/bin:/usr/bin:/bin",
          "KUBECONFIG", b.kubeconfig().toString());
      CommandResult ls = CommandResult.run(List.of(b.kubectl().toString(), "strata", "ls", PVC, "-n", ns), pathEnv, Duration.ofSeconds(30));
      assertThat(ls.exitCode()).as(ls.stdout() + ls.stderr()).isZero();
      assertThat(ls.stdout()).contains("ORIGIN").contains(ids.get("night-1")).contains(clusterA + ":" + ns + "/" + PVC + "/rocksdb");

      // The replacement volume (a new, empty PVC of the same name) gets A's latest snapshot by kubectl apply of
      // examples/restore-from-bucket.yaml, unchanged: found in the store's catalog by the name A had in source ids.
      OperatorSnapshotTest.claim(client, namespace, PVC);
      Path volume = b.kubelet().hostPathOf(ns, PVC);
      Examples.apply(b, ns, "restore-from-bucket.yaml").assertSuccess();
      StateRestore back = awaitRestore(client, ns, "kafka-streams-0-from-prod");
      assertThat(back.getStatus().phase()).as(back.getStatus().message()).isEqualTo(SnapshotPhase.Succeeded);
      assertThat(back.getStatus().resolvedSnapshot().id()).isEqualTo(ids.get("night-1"));
      assertThat(back.getStatus().resolvedSnapshot().snapshotName()).isNull();
      assertThat(DirectoryTree.describe(volume.resolve("rocksdb"))).isEqualTo(trees.get("night-1"));

      // The first night, by the name of its imported StateSnapshot, into a new PVC: another PVC than the snapshot's,
      // which the restore says explicitly (target.insteadOf).
      Examples.apply(b, ns, String.join("\n",
          "apiVersion: strata.dev/v1alpha1",
          "kind: StateRestore",
          "metadata:",
          "  name: first-night",
          "spec:",
          "  source:",
          "    snapshotName: " + imported.get("night-0"),
          "  target:",
          "    claimTemplate:",
          "      name: night-one",
          "    path: rocksdb",
          "    insteadOf:",
          "      pvcName: " + PVC,
          ""), tmp).assertSuccess();
      StateRestore firstNight = awaitRestore(client, ns, "first-night");
      assertThat(firstNight.getStatus().phase()).as(firstNight.getStatus().message()).isEqualTo(SnapshotPhase.Succeeded);
      assertThat(firstNight.getStatus().resolvedSnapshot().id()).isEqualTo(ids.get("night-0"));
      assertThat(DirectoryTree.describe(b.kubelet().hostPathOf(ns, "night-one").resolve("rocksdb"))).isEqualTo(trees.get("night-0"));

      // Into another PVC without saying so: refused, with what to write.
      Examples.apply(b, ns, String.join("\n",
          "apiVersion: strata.dev/v1alpha1",
          "kind: StateRestore",
          "metadata:",
          "  name: elsewhere",
          "spec:",
          "  source:",
          "    snapshotName: " + imported.get("night-1"),
          "  target:",
          "    claimTemplate:",
          "      name: elsewhere",
          ""), tmp).assertSuccess();
      StateRestore refused = awaitRestore(client, ns, "elsewhere");
      assertThat(refused.getStatus().phase()).isEqualTo(SnapshotPhase.Failed);
      assertThat(OperatorSnapshotTest.ready(refused.getStatus().conditions()).getReason()).isEqualTo("TargetMismatch");
      assertThat(refused.getStatus().message()).endsWith("add to spec.target: insteadOf: {namespace: " + ns + ", pvcName: " + PVC + "}");
      assertThat(client.persistentVolumeClaims().inNamespace(ns).withName("elsewhere").get()).as("nothing created").isNull();

      // B's own snapshot of the volume is B's source: A's latest is never its base (two clusters never share a
      // latest), and the store already holds every byte of it.
      client.resources(StateSnapshot.class).inNamespace(ns).resource(OperatorSnapshotTest.snapshotOf("after-recovery", PVC, "rocksdb")).create();
      StateSnapshot own = ScheduleRetentionTest.awaitSucceeded(client, namespace, "after-recovery");
      assertThat(own.getStatus().sourceId()).isEqualTo(clusterB + ":" + ns + "/" + PVC + "/rocksdb");
      assertThat(own.getStatus().snapshotIndex().parent()).isNull();
      assertThat(own.getStatus().snapshotIndex().uploadedBytes()).isLessThan(64 * 1024);
      assertThat(own.getMetadata().getLabels()).doesNotContainKey("strata.dev/imported");
      // ...and the catalog does not import it again (it has its StateSnapshot here).
      b.kubectl("patch", "snapshotstore", "minio", "-n", ns, "--type=merge", "-p",
          "{\"spec\":{\"catalog\":{\"requestedAt\":\"" + Instant.now() + "\"}}}").assertSuccess();
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(client.resources(dev.strata.api.v1alpha1.SnapshotStore.class)
          .inNamespace(ns).withName("minio").get().getStatus().catalog().imported()).isEqualTo(2));
      assertThat(client.resources(StateSnapshot.class).inNamespace(ns).list().getItems()).hasSize(3);
      assertThat(Files.readString(operatorB.logFile())).doesNotContain("Forbidden");
    } catch (RuntimeException | AssertionError e) {
      if (operatorB != null) {
        System.err.println("---- cluster B's operator, last lines ----\n" + operatorB.tail(150));
      }
      throw e;
    } finally {
      if (operatorB != null) {
        operatorB.close();
      }
      b.close();
    }
  }

  static StateRestore awaitRestore(KubernetesClient client, String ns, String name) {
    await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
      StateRestore r = client.resources(StateRestore.class).inNamespace(ns).withName(name).get();
      assertThat(r.getStatus()).as(name + " has a status").isNotNull();
      assertThat(r.getStatus().phase()).as(name + ": " + r.getStatus().message()).isIn(SnapshotPhase.Succeeded, SnapshotPhase.Failed);
    });
    return client.resources(StateRestore.class).inNamespace(ns).withName(name).get();
  }

  /**
   * The chart as {@code helm install} would put it in a new cluster: its CRDs, and its ServiceAccount and RBAC (the
   * Deployment's image cannot run on this control plane, so the operator runs as a process with the ServiceAccount's
   * token instead). Returns that process's kubeconfig.
   */
  Path installChart(ControlPlane plane, String releaseNs) {
    plane.kubectl("apply", "-f", Helm.chartDir().resolve("crds").toString()).assertSuccess();
    namespace(plane, releaseNs);
    String yaml = Helm.installed().template(Helm.chartDir(), "strata", releaseNs, List.of()).assertSuccess().stdout();
    Object parsed = new KubernetesSerialization().unmarshal(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
    Set<String> kinds = Set.of("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding");
    for (Object o : (List<?>) parsed) {
      if (o instanceof HasMetadata object && kinds.contains(object.getKind())) {
        plane.client().resource(object).create();
      }
    }
    return TokenKubeconfig.forServiceAccount(plane, releaseNs, "strata", Duration.ofHours(2), tmp.resolve("strata-" + releaseNs + ".kubeconfig"));
  }
}
