package dev.strata.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.SnapshotStoreStatus;
import dev.strata.api.v1alpha1.StoreRunStatus;
import dev.strata.api.v1alpha1.VerificationSpec;
import dev.strata.e2e.support.ControlPlane;
import dev.strata.e2e.support.ControlPlaneExtension;
import dev.strata.e2e.support.Examples;
import dev.strata.e2e.support.MinioServer;
import dev.strata.e2e.support.OperatorProcess;
import dev.strata.e2e.support.TestNamespace;
import dev.strata.e2e.support.kubelet.KubeletStandIn;
import dev.strata.operator.Labels;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.awaitility.core.ThrowingRunnable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store's garbage collection and verification stopped by their Jobs' deadlines, on a real API
 * server and Job controller: the store's MinIO (this test's own) is frozen with SIGSTOP once both
 * runs have started, so neither runner is answered (an S3 read waits 2 min before it times out),
 * the Job controller fails both Jobs at {@code activeDeadlineSeconds: 60} with {@code
 * DeadlineExceeded}, and the store's status says so for each, naming the field to raise, while
 * MinIO still hangs (the operator gives up on a store that does not answer within 20 s). Thawed,
 * the store collects and verifies again. The operator's clock (a file) decides when runs are due.
 */
@ExtendWith(ControlPlaneExtension.class)
class StoreRunDeadlineTest {

  static final long DEADLINE_SECONDS = 60;

  static MinioServer minio;
  static OperatorProcess operator;
  static TestClock clock;

  @BeforeAll
  static void start(ControlPlane plane, @TempDir Path dir) {
    clock = new TestClock(dir.resolve("clock"));
    // Before the store exists: no run is due until the test moves the clock.
    clock.set(Instant.now());
    plane.kubectl("apply", "-f", Examples.dir().resolveSibling("crds").toString()).assertSuccess();
    minio = MinioServer.startWith(Map.of());
    minio.createBucket(Examples.EXAMPLE_BUCKET);
    operator =
        OperatorProcess.start(
            plane.kubeconfig(),
            dir,
            Map.of(
                "STRATA_CLOCK_FILE", clock.file().toString(), "STRATA_STORE_RECHECK_SECONDS", "2"));
  }

  @AfterAll
  static void stop() {
    if (operator != null) {
      operator.close();
    }
    if (minio != null) {
      minio.close();
    }
  }

  /**
   * The store on this test's MinIO: collected (with a grace of 2 s, test-only) and verified every
   * minute, each with a deadline of 60 s, the least the CRD allows.
   */
  static void store(ControlPlane plane, TestNamespace ns) {
    ExpiryAndVerificationTest.store(
        plane.client(),
        ns,
        minio,
        new VerificationSpec("* * * * *", true, false, null, DEADLINE_SECONDS, false));
    ExpiryAndVerificationTest.patchSpec(
        plane.client(), ns, "{\"gc\":{\"activeDeadlineSeconds\":" + DEADLINE_SECONDS + "}}");
  }

  /** A run the store reports as stopped by its Job's deadline, with that message. */
  static void assertStoppedByDeadline(StoreRunStatus run, String message) {
    assertThat(run).isNotNull();
    assertThat(run.result()).isEqualTo("Failed");
    assertThat(run.reason()).isEqualTo("DeadlineExceeded");
    assertThat(run.message()).isEqualTo(message);
  }

  /** Waits until the assertions hold, polling twice a second. */
  static void within(Duration limit, ThrowingRunnable assertions) {
    await().atMost(limit).pollInterval(Duration.ofMillis(500)).untilAsserted(assertions);
  }

  /** The next whole minute of real time: a due time of "* * * * *" after anything that ended. */
  static Instant nextMinute() {
    return Instant.now().truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(1));
  }

  static SnapshotStoreStatus status(KubernetesClient client, TestNamespace ns) {
    SnapshotStore st =
        client.resources(SnapshotStore.class).inNamespace(ns.name()).withName("minio").get();
    return st == null ? null : st.getStatus();
  }

  /** The store's Job of a kind (gc, verify) that runs or ran last. */
  static Optional<Job> job(KubernetesClient client, TestNamespace ns, String kind) {
    return client
        .batch()
        .v1()
        .jobs()
        .inNamespace(ns.name())
        .withLabel(Labels.OPERATION, kind)
        .list()
        .getItems()
        .stream()
        .max(
            (a, b) ->
                a.getMetadata()
                    .getCreationTimestamp()
                    .compareTo(b.getMetadata().getCreationTimestamp()));
  }

  static Optional<JobCondition> failed(Job job) {
    return job.getStatus() == null || job.getStatus().getConditions() == null
        ? Optional.empty()
        : job.getStatus().getConditions().stream()
            .filter(c -> "Failed".equals(c.getType()) && "True".equals(c.getStatus()))
            .findFirst();
  }

  @Test
  void aCollectionAndAVerificationThatOutlastTheirDeadlineAreReportedAsDeadlineExceeded(
      ControlPlane plane, KubeletStandIn kubelet, TestNamespace ns) throws IOException {
    KubernetesClient client = plane.client();
    store(plane, ns);
    // Succeeded: the store was Ready, and holds a snapshot to verify and a collection's work.
    ExpiryAndVerificationTest.firstSnapshot(client, kubelet, ns, 2400);
    assertThat(job(client, ns, "gc")).as("no collection before the clock moves").isEmpty();

    // A due minute of the operator's clock: the store starts a collection and a verification. The
    // moment both Jobs exist (before their runners, which take a JVM's start to send a request),
    // MinIO stops answering. The clock stays before the runs' ends, so none is due after them.
    clock.set(nextMinute());
    Job[] started = new Job[2];
    try {
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(50))
          .until(
              () -> {
                started[0] = job(client, ns, "gc").orElse(null);
                started[1] = job(client, ns, "verify").orElse(null);
                return started[0] != null && started[1] != null;
              });
      minio.freeze();
      assertThat(started)
          .allSatisfy(
              j -> assertThat(j.getSpec().getActiveDeadlineSeconds()).isEqualTo(DEADLINE_SECONDS));

      // The Job controller stops both at their deadline: the runners, unanswered, had not given up.
      Map<String, JobCondition> ends = new HashMap<>();
      await()
          .atMost(Duration.ofSeconds(DEADLINE_SECONDS + 60))
          .pollInterval(Duration.ofSeconds(1))
          .until(
              () -> {
                for (Job j : started) {
                  Job now =
                      client
                          .batch()
                          .v1()
                          .jobs()
                          .inNamespace(ns.name())
                          .withName(j.getMetadata().getName())
                          .get();
                  failed(now).ifPresent(c -> ends.put(j.getMetadata().getName(), c));
                }
                return ends.size() == 2;
              });
      assertThat(ends.values())
          .allSatisfy(c -> assertThat(c.getReason()).isEqualTo("DeadlineExceeded"));

      // The store reports each run's end as its deadline, with the field to raise, while MinIO
      // still hangs: the operator's own requests give up on it within 20 s, so the store is not
      // Ready meanwhile, and its status is not held back.
      within(
          Duration.ofSeconds(45),
          () -> {
            SnapshotStoreStatus st = status(client, ns);
            assertStoppedByDeadline(
                st.lastGarbageCollection(),
                "the collector did not finish within spec.gc.activeDeadlineSeconds (60 s):"
                    + " raise it");
            assertStoppedByDeadline(
                st.lastVerification(),
                "the verification did not finish within"
                    + " spec.verification.activeDeadlineSeconds (60 s): raise it, or"
                    + " spec.verification.parallelism");
            assertThat(OperatorSnapshotTest.ready(st.conditions()).getReason())
                .isEqualTo("Unreachable");
          });
    } finally {
      minio.thaw();
    }
    assertThat(plane.eventNotes(ns.name(), "reason=VerificationFailed"))
        .contains("spec.verification.activeDeadlineSeconds (60 s)");
    assertThat(operator.metrics())
        .contains(
            "strata_gc_runs_total{namespace=\""
                + ns.name()
                + "\",result=\"failed\",store=\"minio\"} 1.0")
        .contains(
            "strata_verify_runs_total{namespace=\""
                + ns.name()
                + "\",result=\"failed\",store=\"minio\"} 1.0");

    // Thawed, the store is usable again: Ready, and the next due minute collects and verifies.
    String failedAt = status(client, ns).lastGarbageCollection().time();
    clock.set(nextMinute());
    within(
        Duration.ofSeconds(60),
        () -> {
          SnapshotStoreStatus st = status(client, ns);
          assertThat(st.lastGarbageCollection().time()).isGreaterThan(failedAt);
          assertThat(st.lastGarbageCollection().result()).isEqualTo("Succeeded");
          assertThat(st.lastVerification().result()).isEqualTo("Succeeded");
          assertThat(st.lastVerification().message())
              .isEqualTo("1 snapshots verified, every blob read: no damage");
          assertThat(OperatorSnapshotTest.ready(st.conditions()).getStatus()).isEqualTo("True");
        });
  }
}
