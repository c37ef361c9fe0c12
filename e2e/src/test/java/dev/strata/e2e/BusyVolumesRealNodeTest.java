package dev.strata.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.strata.api.v1alpha1.RestoreMode;
import dev.strata.api.v1alpha1.RestoreSource;
import dev.strata.api.v1alpha1.RestoreTarget;
import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.api.v1alpha1.StateRestore;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.e2e.support.ControlPlane;
import dev.strata.e2e.support.DirectoryTree;
import dev.strata.e2e.support.Examples;
import dev.strata.e2e.support.MinioServer;
import dev.strata.e2e.support.TestNamespace;
import dev.strata.e2e.support.node.RealCluster;
import dev.strata.e2e.support.node.RealClusterExtension;
import dev.strata.e2e.support.node.RealNode;
import dev.strata.engine.store.BlobStoreManager;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * One runner per volume, on the real node: the operator installed by {@code helm install
 * charts/strata} (a Pod under the chart's RBAC), its runners real containers that containerd runs
 * on the node, writing and reading local PersistentVolumes. Two StateRestores into one PVC created
 * at once run one after the other (TargetBusy), and the PVC ends with one snapshot's tree; a
 * StateSnapshot of a PVC a restore is writing into waits (SourceBusy) and holds the restored tree;
 * a deleted StateSnapshot whose store refuses the removal goes once annotated {@code
 * strata.dev/deletion-policy: Retain}. OperatorRestoreTest and OperatorSnapshotTest prove the same
 * on the kubelet stand-in, which runs no container. One node, MinIO and operator serve all cases;
 * each case prints its duration and the suite its total, the operator's install included.
 */
@ExtendWith(RealClusterExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BusyVolumesRealNodeTest {

  static final String PVC = OperatorSnapshotTest.PVC;
  static final String SHARED = "shared";
  static RealCluster cluster;

  @RegisterExtension static final CaseTimes TIMES = new CaseTimes("busy volumes on the real node");

  @TempDir Path tmp;

  @BeforeAll
  static void installOperator(RealCluster realCluster, MinioServer minio, @TempDir Path dir)
      throws IOException {
    cluster = realCluster;
    minio.createBucket(Examples.EXAMPLE_BUCKET);
    cluster.installOperator(
        Files.writeString(
            dir.resolve("values.yaml"),
            "{storeRecheckSeconds: 2, progressIntervalSeconds: 1, runner: {retryDeadlineSeconds: 10}}"));
  }

  @AfterAll
  static void uninstallOperator() {
    if (cluster != null) {
      cluster.uninstallOperator();
    }
  }

  /**
   * The examples' store; the PVC with files in its rocksdb/ (content no other test writes: the
   * store keeps each content once), among them only-in-a.log and {@code bigFiles} files of 8 MiB;
   * the app pod of user 1000 that owns them, whose user the backup runner takes; and the
   * StateSnapshot "a" of them, succeeded. Returns the tree of rocksdb/.
   */
  Map<String, DirectoryTree.Entry> volumeAndSnapshotA(
      ControlPlane plane,
      RealNode node,
      MinioServer minio,
      TestNamespace ns,
      long seed,
      int bigFiles)
      throws IOException {
    Path volume = OperatorSnapshotTest.storeAndVolume(plane, node, minio, ns, tmp, seed);
    Files.write(
        volume.resolve("rocksdb/only-in-a.log"), OperatorSnapshotTest.random(seed, 200_000));
    JourneysTest.bigFiles(volume.resolve("rocksdb"), bigFiles, seed);
    JourneysTest.appUsing(plane.client(), ns, volume);
    OperatorRestoreTest.snapshot(plane.client(), ns, "a", PVC);
    return DirectoryTree.describe(volume.resolve("rocksdb"));
  }

  /** The volume's rocksdb/ replaced by another tree, of the app's user like the first; its tree. */
  static Map<String, DirectoryTree.Entry> replaceTree(Path volume, long seed) throws IOException {
    Path rocksdb = volume.resolve("rocksdb");
    try (var paths = Files.walk(rocksdb)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
    DirectoryTree.seed(rocksdb, seed, 4);
    Files.write(rocksdb.resolve("only-in-b.log"), OperatorSnapshotTest.random(seed, 300_000));
    JourneysTest.chownTree(rocksdb, JourneysTest.APP_USER);
    return DirectoryTree.describe(rocksdb);
  }

  /** A StateRestore of {@code snapshot}'s rocksdb/ into PVC shared, mode Sync. */
  static void restoreIntoShared(
      KubernetesClient client, TestNamespace ns, String name, String snapshot) {
    OperatorRestoreTest.restore(
        client,
        ns,
        name,
        new RestoreSource(snapshot, null, null, null),
        new RestoreTarget(SHARED, null, "rocksdb", OperatorRestoreTest.FROM_PVC),
        RestoreMode.Sync,
        4);
  }

  /** Strata's runner pods that mount the claim and still run (or are about to). */
  static long runnersIn(KubernetesClient client, TestNamespace ns, String claim) {
    return client.pods().inNamespace(ns.name()).withLabel("job-name").list().getItems().stream()
        .filter(p -> mounts(p, claim))
        .filter(
            p ->
                p.getStatus() == null
                    || "Pending".equals(p.getStatus().getPhase())
                    || "Running".equals(p.getStatus().getPhase()))
        .count();
  }

  static boolean mounts(Pod p, String claim) {
    return p.getSpec().getVolumes() != null
        && p.getSpec().getVolumes().stream()
            .anyMatch(
                v ->
                    v.getPersistentVolumeClaim() != null
                        && claim.equals(v.getPersistentVolumeClaim().getClaimName()));
  }

  /**
   * What a watcher of the namespace saw: each Job's last state (from a watch, which sees a Job's
   * completion even when the operator deletes it at once, as it does a successful run's), the most
   * runner pods in {@code claim} at once, and each object's reasons with their messages.
   */
  static final class Watch implements AutoCloseable {
    final Map<String, Job> jobs = new java.util.concurrent.ConcurrentHashMap<>();
    final Map<String, Map<String, String>> reasons = new HashMap<>();
    final AtomicInteger mostRunners = new AtomicInteger();
    final io.fabric8.kubernetes.client.Watch jobWatch;

    Watch(KubernetesClient client, TestNamespace ns) {
      jobWatch =
          client
              .batch()
              .v1()
              .jobs()
              .inNamespace(ns.name())
              .watch(
                  new io.fabric8.kubernetes.client.Watcher<Job>() {
                    @Override
                    public void eventReceived(Action action, Job job) {
                      jobs.put(job.getMetadata().getName(), job);
                    }

                    @Override
                    public void onClose(io.fabric8.kubernetes.client.WatcherException cause) {}
                  });
    }

    @Override
    public void close() {
      jobWatch.close();
    }

    /** The Job's creation, as the API server stamped it. */
    Instant created(String job) {
      return Instant.parse(jobs.get(job).getMetadata().getCreationTimestamp());
    }

    /** The Job's completion, as the Job controller recorded it (it has ended). */
    Instant completed(String job) {
      Job last = jobs.get(job);
      assertThat(OperatorRestoreTest.ended(last)).as("Job " + job + " ended").isTrue();
      return Instant.parse(last.getStatus().getCompletionTime());
    }

    void look(KubernetesClient client, TestNamespace ns, String claim) {
      mostRunners.accumulateAndGet((int) runnersIn(client, ns, claim), Math::max);
      for (StateRestore r :
          client.resources(StateRestore.class).inNamespace(ns.name()).list().getItems()) {
        record(r, r.getStatus() == null ? null : r.getStatus().conditions());
      }
      for (StateSnapshot s :
          client.resources(StateSnapshot.class).inNamespace(ns.name()).list().getItems()) {
        record(s, s.getStatus() == null ? null : s.getStatus().conditions());
      }
    }

    private void record(HasMetadata object, List<Condition> conditions) {
      if (conditions != null) {
        Condition ready = OperatorSnapshotTest.ready(conditions);
        reasons
            .computeIfAbsent(object.getMetadata().getName(), k -> new HashMap<>())
            .putIfAbsent(ready.getReason(), ready.getMessage());
      }
    }

    Map<String, String> of(String name) {
      return reasons.getOrDefault(name, Map.of());
    }

    /** Looks at PVC shared every 150 ms until {@code done}. */
    void until(KubernetesClient client, TestNamespace ns, Callable<Boolean> done) {
      await()
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofMillis(150))
          .until(
              () -> {
                look(client, ns, SHARED);
                return done.call();
              });
    }
  }

  /**
   * Two StateRestores into one PVC, created at once, of two snapshots with different trees: one
   * runs, the other waits Pending with reason TargetBusy naming the first's Job, and its Job starts
   * only after that one has ended; no two runner pods are ever in the volume together, and the
   * volume ends holding exactly the tree of the snapshot restored last, byte for byte (no file of
   * the first left, none interleaved).
   */
  @Test
  @Order(1)
  void twoRestoresIntoOnePvcRunOneAfterTheOther(
      ControlPlane plane, RealNode node, MinioServer minio, TestNamespace ns) throws IOException {
    KubernetesClient client = plane.client();
    Map<String, DirectoryTree.Entry> treeA = volumeAndSnapshotA(plane, node, minio, ns, 2501, 0);
    Map<String, DirectoryTree.Entry> treeB = replaceTree(node.hostPathOf(ns.name(), PVC), 2502);
    OperatorRestoreTest.snapshot(client, ns, "b", PVC);
    assertThat(treeA).isNotEqualTo(treeB);

    OperatorSnapshotTest.claim(client, ns, SHARED);
    var restores = client.resources(StateRestore.class).inNamespace(ns.name());
    try (Watch watch = new Watch(client, ns)) {
      restoreIntoShared(client, ns, "one", "a");
      restoreIntoShared(client, ns, "two", "b");
      watch.until(
          client,
          ns,
          () ->
              restores.list().getItems().stream()
                  .allMatch(r -> OperatorRestoreTest.ended(r.getStatus())));
      checkOneAfterTheOther(client, node, ns, watch, treeA, treeB);
    }
  }

  void checkOneAfterTheOther(
      KubernetesClient client,
      RealNode node,
      TestNamespace ns,
      Watch watch,
      Map<String, DirectoryTree.Entry> treeA,
      Map<String, DirectoryTree.Entry> treeB) {
    StateRestore one = OperatorRestoreTest.awaitSucceeded(client, ns, "one");
    StateRestore two = OperatorRestoreTest.awaitSucceeded(client, ns, "two");
    assertThat(watch.mostRunners.get()).as("runner pods in PVC shared at once").isEqualTo(1);

    boolean oneWaited = watch.of("one").containsKey("TargetBusy");
    assertThat(oneWaited ^ watch.of("two").containsKey("TargetBusy"))
        .as("exactly one restore waited: " + watch.reasons)
        .isTrue();
    StateRestore first = oneWaited ? two : one;
    StateRestore waiter = oneWaited ? one : two;
    String firstJob = first.getStatus().jobName();
    assertThat(watch.of(waiter.getMetadata().getName()).get("TargetBusy"))
        .contains("restore Job " + firstJob + " of StateRestore " + first.getMetadata().getName())
        .contains("this restore starts once that run has ended");
    assertThat(watch.created(waiter.getStatus().jobName()))
        .as("the waiting restore's Job is created after the first's ended")
        .isAfterOrEqualTo(watch.completed(firstJob));

    assertThat(DirectoryTree.describe(node.hostPathOf(ns.name(), SHARED).resolve("rocksdb")))
        .as(
            "PVC shared holds the tree of the restore that ran last, "
                + waiter.getMetadata().getName())
        .isEqualTo(waiter == two ? treeB : treeA);
  }

  /**
   * A StateSnapshot of a PVC a restore is writing into waits, Pending with reason SourceBusy naming
   * the restore's Job, starts after that Job has ended, and holds the restored tree.
   */
  @Test
  @Order(2)
  void aSnapshotOfAPvcARestoreWritesWaitsAndHoldsTheRestoredTree(
      ControlPlane plane, RealNode node, MinioServer minio, TestNamespace ns) throws IOException {
    // Big files, so that the restore still runs when the snapshot is created.
    Map<String, DirectoryTree.Entry> treeA = volumeAndSnapshotA(plane, node, minio, ns, 2503, 3);
    KubernetesClient client = plane.client();

    OperatorSnapshotTest.claim(client, ns, SHARED);
    var snapshots = client.resources(StateSnapshot.class).inNamespace(ns.name());
    try (Watch watch = new Watch(client, ns)) {
      restoreIntoShared(client, ns, "in", "a");
      await()
          .atMost(Duration.ofMinutes(1))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> !watch.jobs.isEmpty());
      snapshots.resource(OperatorSnapshotTest.snapshotOf("of-shared", SHARED, "rocksdb")).create();
      watch.until(
          client,
          ns,
          () -> {
            var status = snapshots.withName("of-shared").get().getStatus();
            return status != null
                && (status.phase() == SnapshotPhase.Succeeded
                    || status.phase() == SnapshotPhase.Failed);
          });
      checkAfterTheRestore(client, minio, ns, watch, treeA);
    }
  }

  void checkAfterTheRestore(
      KubernetesClient client,
      MinioServer minio,
      TestNamespace ns,
      Watch watch,
      Map<String, DirectoryTree.Entry> treeA)
      throws IOException {
    String restoreJob = OperatorRestoreTest.awaitSucceeded(client, ns, "in").getStatus().jobName();
    StateSnapshot ofShared =
        OperatorSnapshotTest.awaitPhase(client, ns, "of-shared", SnapshotPhase.Succeeded);
    assertThat(watch.mostRunners.get()).as("runner pods in PVC shared at once").isEqualTo(1);
    assertThat(watch.of("of-shared").get("SourceBusy"))
        .as("of-shared's reasons: " + watch.of("of-shared"))
        .contains("restore Job " + restoreJob + " of StateRestore in");
    assertThat(watch.created(ofShared.getStatus().jobName()))
        .as("the backup's Job is created after the restore's ended")
        .isAfterOrEqualTo(watch.completed(restoreJob));

    try (BlobStoreManager store = OperatorSnapshotTest.minioStore(minio)) {
      assertThat(
              JourneysTest.restoredTree(
                  store, ofShared.getStatus().snapshotIndex().id(), tmp.resolve("of-shared")))
          .as("the snapshot taken after the restore holds the restored tree")
          .isEqualTo(treeA);
    }
  }

  /**
   * A deleted StateSnapshot whose store refuses the removal (its credentials revoked) stays
   * Terminating with a CleanupFailed Warning that names the annotation; annotated {@code
   * strata.dev/deletion-policy: Retain} it goes, and its snapshot stays in the bucket.
   */
  @Test
  @Order(3)
  void aDeletedSnapshotWhoseStoreRefusesGoesWhenAnnotatedRetain(
      ControlPlane plane, RealNode node, MinioServer minio, TestNamespace ns) throws IOException {
    volumeAndSnapshotA(plane, node, minio, ns, 2504, 0);
    OperatorSnapshotTest.refusedUntilAnnotatedRetain(
        plane.client(),
        minio,
        ns,
        plane.client().resources(StateSnapshot.class).inNamespace(ns.name()).withName("a").get());
  }
}
