package dev.strata.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.strata.api.v1alpha1.CredentialsSecretRef;
import dev.strata.api.v1alpha1.GarbageCollectionSpec;
import dev.strata.api.v1alpha1.LocalObjectRef;
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
import dev.strata.e2e.support.Examples;
import dev.strata.e2e.support.MinioExtension;
import dev.strata.e2e.support.MinioServer;
import dev.strata.e2e.support.OperatorProcess;
import dev.strata.e2e.support.TestNamespace;
import dev.strata.e2e.support.kubelet.KubeletStandIn;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Schedules on a real API server beyond the GitOps journey (JourneysTest covers the examples' schedule, retention,
 * garbage collection and restart): Forbid skips a run while the last one still runs.
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
}
