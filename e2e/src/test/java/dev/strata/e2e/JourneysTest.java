package dev.strata.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.strata.api.v1alpha1.RestoreMode;
import dev.strata.api.v1alpha1.RestoreSource;
import dev.strata.api.v1alpha1.RestoreTarget;
import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.api.v1alpha1.SnapshotSource;
import dev.strata.api.v1alpha1.StateRestore;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.e2e.support.ControlPlane;
import dev.strata.e2e.support.ControlPlaneExtension;
import dev.strata.e2e.support.DirectoryTree;
import dev.strata.e2e.support.Examples;
import dev.strata.e2e.support.MinioExtension;
import dev.strata.e2e.support.MinioServer;
import dev.strata.e2e.support.OperatorProcess;
import dev.strata.e2e.support.TestNamespace;
import dev.strata.e2e.support.kubelet.KubeletStandIn;
import dev.strata.engine.Progress;
import dev.strata.engine.RestoreEngine;
import dev.strata.engine.RestoreOptions;
import dev.strata.engine.SnapshotCatalog;
import dev.strata.engine.store.BlobStoreManager;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * End-to-end journeys as users meet Strata (issue 8): the files of examples/ applied with kubectl (with only the
 * test MinIO's endpoint and credentials in place of the example's), on a real control plane, with MinIO and runners
 * as real processes. Each journey prints its duration.
 */
@ExtendWith({ControlPlaneExtension.class, MinioExtension.class})
class JourneysTest {

  static final String SCHEDULE = "nightly-kafka-streams-0";
  static OperatorProcess operator;
  static Path work;
  static TestClock clock;
  Instant started;

  @TempDir Path tmp;

  static Map<String, String> env() {
    return Map.of(
        "STRATA_CLOCK_FILE", clock.file().toString(),
        "STRATA_STORE_RECHECK_SECONDS", "2",
        "STRATA_SCHEDULE_POLL_SECONDS", "1",
        "STRATA_RETENTION_INTERVAL_SECONDS", "5",
        "STRATA_RUNNER_RETRY_DEADLINE_SECONDS", "10");
  }

  @BeforeAll
  static void startOperator(ControlPlane plane, MinioServer minio, @TempDir Path dir) throws IOException {
    work = dir;
    clock = new TestClock(dir.resolve("clock"));
    clock.set(Instant.parse("2026-12-01T00:50:00Z"));
    plane.kubectl("apply", "-f", Examples.dir().resolveSibling("crds").toString()).assertSuccess();
    minio.createBucket(Examples.EXAMPLE_BUCKET);
    operator = OperatorProcess.start(plane.kubeconfig(), dir, env());
  }

  @AfterAll
  static void stopOperator() {
    if (operator != null) {
      operator.close();
    }
  }

  @BeforeEach
  void clockStart(TestInfo info) {
    started = Instant.now();
  }

  @AfterEach
  void printDuration(TestInfo info) {
    System.out.printf("journey %s took %.1f s%n", info.getDisplayName(), Duration.between(started, Instant.now()).toMillis() / 1000.0);
  }

  @Test
  void storeOutageDuringAScheduledSnapshotFailsClearlyAndTheNextOneSucceeds(
      ControlPlane plane, KubeletStandIn kubelet, MinioServer minio, TestNamespace ns) throws IOException {
    KubernetesClient client = plane.client();
    clock.set(Instant.parse("2026-12-01T00:50:00Z"));
    Path volume = OperatorSnapshotTest.storeAndVolume(plane, kubelet, minio, ns, tmp, 31);
    for (int i = 0; i < 24; i++) {
      Files.write(volume.resolve("rocksdb/big-" + i + ".sst"), OperatorSnapshotTest.random(600 + i, 8 << 20));
    }
    Examples.apply(plane, ns.name(), Examples.read("snapshot-schedule.yaml"), tmp).assertSuccess();
    await().atMost(Duration.ofSeconds(60)).until(() -> client.resources(dev.strata.api.v1alpha1.SnapshotStore.class).inNamespace(ns.name())
        .withName("minio").get().getStatus() != null);

    // The night of 1 December: MinIO goes away while the runner uploads.
    String first = SCHEDULE + "-20261201-0100";
    clock.set(Instant.parse("2026-12-01T01:00:30Z"));
    // Stop MinIO as soon as the runner Job exists: whether the runner is still starting or already uploading, the
    // store is gone under it.
    await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(100)).until(() -> {
      StateSnapshot s = client.resources(StateSnapshot.class).inNamespace(ns.name()).withName(first).get();
      return s != null && s.getStatus() != null && s.getStatus().phase() == SnapshotPhase.Running;
    });
    minio.stop();
    StateSnapshot failed;
    try {
      await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(300)).until(() -> {
        StateSnapshot s = client.resources(StateSnapshot.class).inNamespace(ns.name()).withName(first).get();
        SnapshotPhase p = s.getStatus() == null ? null : s.getStatus().phase();
        if (p == SnapshotPhase.Succeeded) {
          throw new AssertionError(first + " succeeded although MinIO was stopped while it ran");
        }
        return p == SnapshotPhase.Failed;
      });
      failed = client.resources(StateSnapshot.class).inNamespace(ns.name()).withName(first).get();
    } finally {
      minio.start();
    }
    assertThat(failed.getStatus().message()).contains("the runner failed").contains("could not reach").contains("check");

    // MinIO is back (the store's next check sees it, long before the next night); the next snapshot succeeds.
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      var st = client.resources(dev.strata.api.v1alpha1.SnapshotStore.class).inNamespace(ns.name()).withName("minio").get();
      return st.getStatus() != null && "True".equals(OperatorSnapshotTest.ready(st.getStatus().conditions()).getStatus());
    });
    String second = SCHEDULE + "-20261202-0100";
    clock.set(Instant.parse("2026-12-02T01:00:30Z"));
    StateSnapshot ok = ScheduleRetentionTest.awaitSucceeded(client, ns, second);
    Path restored = tmp.resolve("restored");
    try (BlobStoreManager store = OperatorSnapshotTest.minioStore(minio)) {
      new RestoreEngine(store, RestoreOptions.of(dev.strata.engine.RestoreMode.EMPTY), new Progress())
          .restore(new SnapshotCatalog(store).load(ok.getStatus().snapshotIndex().id()), restored);
    }
    assertThat(DirectoryTree.describe(restored)).isEqualTo(DirectoryTree.describe(volume.resolve("rocksdb")));
  }

  @Test
  void operatorRestartMidRestoreFinishesOnceWithOneJob(ControlPlane plane, KubeletStandIn kubelet, MinioServer minio, TestNamespace ns) throws IOException {
    KubernetesClient client = plane.client();
    Path volume = OperatorSnapshotTest.storeAndVolume(plane, kubelet, minio, ns, tmp, 32);
    for (int i = 0; i < 24; i++) {
      Files.write(volume.resolve("rocksdb/big-" + i + ".sst"), OperatorSnapshotTest.random(700 + i, 8 << 20));
    }
    Examples.apply(plane, ns.name(), Examples.read("state-snapshot.yaml"), tmp).assertSuccess();
    OperatorSnapshotTest.awaitPhase(client, ns, "kafka-streams-0-manual-1", SnapshotPhase.Succeeded);

    // kubectl apply -f examples/restore.yaml, but with parallelism 1 so the restart lands mid-restore.
    OperatorRestoreTest.restore(client, ns, "slow-restore", new RestoreSource(null, null, new SnapshotSource(OperatorSnapshotTest.PVC, "rocksdb"), null),
        new RestoreTarget(null, new dev.strata.api.v1alpha1.ClaimTemplate("restored", null, null, null), null), RestoreMode.IfEmpty, 1);
    await().atMost(Duration.ofMinutes(1)).until(() -> {
      StateRestore r = client.resources(StateRestore.class).inNamespace(ns.name()).withName("slow-restore").get();
      return r.getStatus() != null && r.getStatus().phase() == SnapshotPhase.Running;
    });
    operator.kill();
    operator = OperatorProcess.start(plane.kubeconfig(), work, env());
    StateRestore done = OperatorRestoreTest.awaitSucceeded(client, ns, "slow-restore");
    assertThat(client.batch().v1().jobs().inNamespace(ns.name()).withLabel("strata.dev/operation", "restore").list().getItems()).hasSize(1);
    assertThat(client.pods().inNamespace(ns.name()).withLabel("job-name", done.getStatus().jobName()).list().getItems()).hasSize(1);
    assertThat(DirectoryTree.describe(kubelet.hostPathOf(ns.name(), "restored"))).isEqualTo(DirectoryTree.describe(volume.resolve("rocksdb")));
  }
}
