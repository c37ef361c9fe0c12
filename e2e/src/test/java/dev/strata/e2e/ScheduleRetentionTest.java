package dev.strata.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.strata.api.v1alpha1.CredentialsSecretRef;
import dev.strata.api.v1alpha1.GarbageCollectionSpec;
import dev.strata.api.v1alpha1.LocalObjectRef;
import dev.strata.api.v1alpha1.RetentionPolicy;
import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.api.v1alpha1.SnapshotSchedule;
import dev.strata.api.v1alpha1.SnapshotScheduleSpec;
import dev.strata.api.v1alpha1.SnapshotSource;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.SnapshotStoreSpec;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.api.v1alpha1.StateSnapshotSpec;
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
import dev.strata.engine.RestoreMode;
import dev.strata.engine.RestoreOptions;
import dev.strata.engine.SnapshotCatalog;
import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.ObjectInfo;
import dev.strata.engine.store.StoreLayout;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5's proof on a real API server: the schedule and retention policy from examples/, with the operator's clock
 * moved by a test file: snapshots appear on time and never twice across an operator restart, Forbid skips while one
 * runs, dry-run deletes nothing, retention expires the right snapshots, garbage collection frees their blobs, and every
 * kept snapshot still restores byte-identical.
 */
@ExtendWith({ControlPlaneExtension.class, MinioExtension.class})
class ScheduleRetentionTest {

  static final String PVC = "data-kafka-streams-0";
  static final String SCHEDULE = "nightly-kafka-streams-0";
  static final Duration WAIT = Duration.ofMinutes(3);

  static OperatorProcess operator;
  static Path work;
  static TestClock clock;

  @TempDir Path tmp;

  static Map<String, String> env() {
    return Map.of(
        "STRATA_CLOCK_FILE", clock.file().toString(),
        "STRATA_STORE_RECHECK_SECONDS", "2",
        "STRATA_SCHEDULE_POLL_SECONDS", "1",
        "STRATA_RETENTION_INTERVAL_SECONDS", "2",
        "STRATA_RUNNER_RETRY_DEADLINE_SECONDS", "20");
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

  static void setClock(Instant t) {
    clock.set(t);
  }


  /** A store with a collector every minute and a grace of 2 s (a test-only setting), plus its credentials. */
  static void store(KubernetesClient client, TestNamespace ns, MinioServer minio, String prefix) {
    client.secrets().inNamespace(ns.name()).resource(new SecretBuilder().withNewMetadata().withName("minio-credentials").endMetadata()
        .withStringData(Map.of("AWS_ACCESS_KEY_ID", minio.accessKey(), "AWS_SECRET_ACCESS_KEY", minio.secretKey())).build()).create();
    SnapshotStore store = new SnapshotStore();
    store.setMetadata(new ObjectMetaBuilder().withName("minio").build());
    store.setSpec(new SnapshotStoreSpec(minio.endpoint(), Examples.EXAMPLE_BUCKET, prefix, null, true,
        new CredentialsSecretRef("minio-credentials", null, null), null, new GarbageCollectionSpec("* * * * *", "2s", true, false)));
    client.resources(SnapshotStore.class).inNamespace(ns.name()).resource(store).create();
  }

  static List<StateSnapshot> snapshotsOf(KubernetesClient client, TestNamespace ns, String schedule) {
    return client.resources(StateSnapshot.class).inNamespace(ns.name()).withLabel("strata.dev/schedule", schedule).list().getItems();
  }

  static StateSnapshot awaitSucceeded(KubernetesClient client, TestNamespace ns, String name) {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(300)).until(() -> {
      StateSnapshot s = client.resources(StateSnapshot.class).inNamespace(ns.name()).withName(name).get();
      if (s != null && s.getStatus() != null && s.getStatus().phase() == SnapshotPhase.Failed) {
        throw new AssertionError(name + " failed: " + s.getStatus().message());
      }
      return s != null && s.getStatus() != null && s.getStatus().phase() == SnapshotPhase.Succeeded;
    });
    return client.resources(StateSnapshot.class).inNamespace(ns.name()).withName(name).get();
  }

  static long blobBytes(BlobStoreManager store) {
    AtomicLong total = new AtomicLong();
    store.list(StoreLayout.BLOBS, (ObjectInfo o) -> total.addAndGet(o.size()), null);
    return total.get();
  }

  @Test
  void schedulesRetentionAndGarbageCollection(ControlPlane plane, KubeletStandIn kubelet, MinioServer minio, TestNamespace ns) throws IOException {
    KubernetesClient client = plane.client();
    setClock(Instant.parse("2026-12-01T00:50:00Z")); // tests share the operator's clock: start from a known time
    String prefix = "sched-" + ns.name();
    store(client, ns, minio, prefix);
    OperatorSnapshotTest.claim(client, ns, PVC);
    Path volume = kubelet.hostPathOf(ns.name(), PVC);
    DirectoryTree.seed(volume.resolve("rocksdb"), 11, 3);

    // Dry run first: the example with dryRun switched on.
    Examples.apply(plane, ns.name(), Examples.read("retention-policy.yaml").replace("dryRun: false", "dryRun: true"), tmp).assertSuccess();
    Examples.apply(plane, ns.name(), Examples.read("snapshot-schedule.yaml"), tmp).assertSuccess();

    // Created long after its last due time: the run missed by more than startingDeadlineSeconds is skipped, not caught up.
    await().atMost(WAIT).untilAsserted(() -> {
      SnapshotSchedule s = client.resources(SnapshotSchedule.class).inNamespace(ns.name()).withName(SCHEDULE).get();
      assertThat(s.getStatus()).isNotNull();
      assertThat(s.getStatus().lastScheduleTime()).isEqualTo("2026-11-30T01:00:00Z");
      assertThat(s.getStatus().nextScheduleTime()).isEqualTo("2026-12-01T01:00:00Z");
    });
    assertThat(snapshotsOf(client, ns, SCHEDULE)).isEmpty();

    // Nine nights, 02:00 in Berlin (01:00 UTC). Each night adds one file and drops the previous night's, so every
    // snapshot holds one blob no other snapshot has.
    Map<String, Map<String, DirectoryTree.Entry>> trees = new LinkedHashMap<>();
    for (int day = 1; day <= 9; day++) {
      Files.deleteIfExists(volume.resolve("rocksdb/night-" + (day - 1) + ".sst"));
      Files.write(volume.resolve("rocksdb/night-" + day + ".sst"), OperatorSnapshotTest.random(1000 + day, 1 << 20));
      Instant due = Instant.parse(String.format("2026-12-%02dT01:00:00Z", day));
      String name = SCHEDULE + "-" + String.format("202612%02d-0100", day);
      setClock(due.plusSeconds(30));
      if (day == 3) {
        // Kill the operator around the due time: the restarted one must not create the night twice.
        await().atMost(WAIT).until(() -> client.resources(StateSnapshot.class).inNamespace(ns.name()).withName(name).get() != null);
        operator.kill();
        operator = OperatorProcess.start(plane.kubeconfig(), work, env());
      }
      awaitSucceeded(client, ns, name);
      trees.put(name, DirectoryTree.describe(volume.resolve("rocksdb")));
    }
    assertThat(snapshotsOf(client, ns, SCHEDULE)).hasSize(9);
    SnapshotSchedule sched = client.resources(SnapshotSchedule.class).inNamespace(ns.name()).withName(SCHEDULE).get();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
        client.resources(SnapshotSchedule.class).inNamespace(ns.name()).withName(SCHEDULE).get().getStatus().lastSuccessfulSnapshot())
        .isEqualTo(SCHEDULE + "-20261209-0100"));
    assertThat(sched.getStatus().nextScheduleTime()).isEqualTo("2026-12-10T01:00:00Z");

    // keepDaily 7 keeps Dec 3-9; weekly and monthly keep nothing older: Dec 1 and 2 would expire.
    List<String> expected = List.of(SCHEDULE + "-20261201-0100", SCHEDULE + "-20261202-0100");
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      RetentionPolicy p = client.resources(RetentionPolicy.class).inNamespace(ns.name()).withName("keep-a-week-and-a-month").get();
      assertThat(p.getStatus()).isNotNull();
      assertThat(p.getStatus().sources()).hasSize(1);
      assertThat(p.getStatus().sources().get(0).wouldExpire()).containsExactlyElementsOf(expected);
      assertThat(p.getStatus().sources().get(0).kept()).isEqualTo(7);
    });
    assertThat(snapshotsOf(client, ns, SCHEDULE)).as("dry run deletes nothing").hasSize(9);

    try (BlobStoreManager store = minioStoreWithPrefix(minio, prefix)) {
      long before = blobBytes(store);

      // Now the example as committed: dryRun false.
      Examples.apply(plane, ns.name(), Examples.read("retention-policy.yaml"), tmp).assertSuccess();
      await().atMost(Duration.ofSeconds(90)).untilAsserted(() ->
          assertThat(snapshotsOf(client, ns, SCHEDULE)).extracting(s -> s.getMetadata().getName()).doesNotContainAnyElementsOf(expected).hasSize(7));
      List<String> indexIds = new SnapshotCatalog(store).entries(null).stream().map(SnapshotCatalog.Entry::snapshotId).toList();
      assertThat(indexIds).hasSize(7);

      // Past the store's grace period, the next collection frees the expired snapshots' own blobs.
      // The clock moves a minute per poll, so the every-minute collector is due each time.
      Instant[] t = {Instant.parse("2026-12-09T01:10:00Z")};
      await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(3)).untilAsserted(() -> {
        t[0] = t[0].plusSeconds(60);
        setClock(t[0]);
        assertThat(blobBytes(store)).isLessThanOrEqualTo(before - (2L << 20));
      });
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        SnapshotStore st = client.resources(SnapshotStore.class).inNamespace(ns.name()).withName("minio").get();
        assertThat(st.getStatus().lastGarbageCollection()).isNotNull();
        assertThat(st.getStatus().lastGarbageCollection().result()).isEqualTo("Succeeded");
      });

      // Every kept snapshot still restores byte-identical to the tree it was taken of.
      for (StateSnapshot kept : snapshotsOf(client, ns, SCHEDULE)) {
        Path target = tmp.resolve("restore-" + kept.getMetadata().getName());
        new RestoreEngine(store, RestoreOptions.of(RestoreMode.EMPTY), new Progress())
            .restore(new SnapshotCatalog(store).load(kept.getStatus().snapshotIndex().id()), target);
        assertThat(DirectoryTree.describe(target)).as(kept.getMetadata().getName()).isEqualTo(trees.get(kept.getMetadata().getName()));
      }
    }
  }

  @Test
  void forbidSkipsARunWhileTheLastOneStillRuns(ControlPlane plane, KubeletStandIn kubelet, MinioServer minio, TestNamespace ns) throws IOException {
    KubernetesClient client = plane.client();
    store(client, ns, minio, "forbid-" + ns.name());
    OperatorSnapshotTest.claim(client, ns, "slow");
    Path volume = kubelet.hostPathOf(ns.name(), "slow");
    for (int i = 0; i < 24; i++) {
      Files.write(volume.resolve("big-" + i + ".sst"), OperatorSnapshotTest.random(500 + i, 8 << 20));
    }
    setClock(Instant.parse("2027-01-01T00:00:30Z"));
    SnapshotSchedule s = new SnapshotSchedule();
    s.setMetadata(new ObjectMetaBuilder().withName("every-minute").build());
    s.setSpec(new SnapshotScheduleSpec("* * * * *", null,
        new StateSnapshotSpec(new SnapshotSource("slow", null), new LocalObjectRef("minio"), 1, null, null, null, null),
        null, null, null, null, null));
    client.resources(SnapshotSchedule.class).inNamespace(ns.name()).resource(s).create();
    setClock(Instant.parse("2027-01-01T00:01:01Z"));
    await().atMost(WAIT).until(() -> snapshotsOf(client, ns, "every-minute").size() == 1);
    String first = snapshotsOf(client, ns, "every-minute").get(0).getMetadata().getName();
    setClock(Instant.parse("2027-01-01T00:02:01Z"));
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      SnapshotSchedule now = client.resources(SnapshotSchedule.class).inNamespace(ns.name()).withName("every-minute").get();
      assertThat(now.getStatus().lastScheduleTime()).isEqualTo("2027-01-01T00:02:00Z");
    });
    List<StateSnapshot> mine = snapshotsOf(client, ns, "every-minute");
    assertThat(mine).hasSize(1);
    assertThat(mine.get(0).getStatus() == null || mine.get(0).getStatus().phase() != SnapshotPhase.Succeeded)
        .as("the first run was still running when the second was due").isTrue();
    String reasons = plane.kubectl("get", "events.events.k8s.io", "-n", ns.name(), "-o", "jsonpath={.items[*].reason}").assertSuccess().stdout();
    assertThat(reasons).contains("SkippedConcurrent");
    awaitSucceeded(client, ns, first);
  }

  static BlobStoreManager minioStoreWithPrefix(MinioServer minio, String prefix) {
    return new dev.strata.engine.store.RetryingBlobStoreManager(new dev.strata.engine.store.S3BlobStoreManager(
        new dev.strata.engine.store.S3StoreConfig(minio.endpoint(), Examples.EXAMPLE_BUCKET, prefix, minio.region(), true,
            minio.accessKey(), minio.secretKey(), null)), dev.strata.engine.store.RetryPolicy.defaults());
  }
}
