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
import dev.strata.operator.schedule.ScheduleDecider;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Schedules on a real API server beyond the GitOps journey (JourneysTest covers the examples'
 * schedule, retention, garbage collection and restart): an operator clock behind the API server's
 * waits for the first due time after creation; with the clock a year ahead, Forbid skips a run
 * while the last one still runs. The clocks start from the real time and only move forward, so the
 * tests run in order.
 */
@ExtendWith({ControlPlaneExtension.class, MinioExtension.class})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
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
  static void startOperator(ControlPlane plane, MinioServer minio, @TempDir Path dir)
      throws IOException {
    work = dir;
    clock = new TestClock(dir.resolve("clock"));
    clock.set(Instant.now());
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

  /**
   * A store with a collector every minute and a grace of 2 s (a test-only setting), plus its
   * credentials.
   */
  static void store(KubernetesClient client, TestNamespace ns, MinioServer minio, String prefix) {
    client
        .secrets()
        .inNamespace(ns.name())
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("minio-credentials")
                .endMetadata()
                .withStringData(
                    Map.of(
                        "AWS_ACCESS_KEY_ID",
                        minio.accessKey(),
                        "AWS_SECRET_ACCESS_KEY",
                        minio.secretKey()))
                .build())
        .create();
    SnapshotStore store = new SnapshotStore();
    store.setMetadata(new ObjectMetaBuilder().withName("minio").build());
    store.setSpec(
        new SnapshotStoreSpec(
            minio.endpoint(),
            Examples.EXAMPLE_BUCKET,
            prefix,
            null,
            true,
            new CredentialsSecretRef("minio-credentials", null, null),
            null,
            new GarbageCollectionSpec("* * * * *", "2s", true, null, false),
            null));
    client.resources(SnapshotStore.class).inNamespace(ns.name()).resource(store).create();
  }

  static List<StateSnapshot> snapshotsOf(
      KubernetesClient client, TestNamespace ns, String schedule) {
    return client
        .resources(StateSnapshot.class)
        .inNamespace(ns.name())
        .withLabel("strata.dev/schedule", schedule)
        .list()
        .getItems();
  }

  static StateSnapshot awaitSucceeded(KubernetesClient client, TestNamespace ns, String name) {
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> {
              StateSnapshot s =
                  client.resources(StateSnapshot.class).inNamespace(ns.name()).withName(name).get();
              if (s != null
                  && s.getStatus() != null
                  && s.getStatus().phase() == SnapshotPhase.Failed) {
                throw new AssertionError(name + " failed: " + s.getStatus().message());
              }
              return s != null
                  && s.getStatus() != null
                  && s.getStatus().phase() == SnapshotPhase.Succeeded;
            });
    return client.resources(StateSnapshot.class).inNamespace(ns.name()).withName(name).get();
  }

  /**
   * Waits until the schedule itself has seen its snapshot finish. The schedule decides from its
   * informer's view, which can lag the API server under load: a clock moved on before it has seen
   * the run end finds the run still active, and concurrencyPolicy Forbid then skips the next due
   * time, as a CronJob would.
   */
  static void awaitScheduleSawFinish(
      KubernetesClient client, TestNamespace ns, String schedule, String snapshot) {
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(300))
        .untilAsserted(
            () -> {
              SnapshotSchedule s =
                  client
                      .resources(SnapshotSchedule.class)
                      .inNamespace(ns.name())
                      .withName(schedule)
                      .get();
              assertThat(s.getStatus()).isNotNull();
              assertThat(s.getStatus().active())
                  .as("schedule " + schedule + " status.active")
                  .doesNotContain(snapshot);
            });
  }

  static long blobBytes(BlobStoreManager store) {
    AtomicLong total = new AtomicLong();
    store.list(StoreLayout.PACKS, (ObjectInfo o) -> total.addAndGet(o.size()), null);
    return total.get();
  }

  static SnapshotSchedule everyMinute(String name, String pvc) {
    SnapshotSchedule s = new SnapshotSchedule();
    s.setMetadata(new ObjectMetaBuilder().withName(name).build());
    s.setSpec(
        new SnapshotScheduleSpec(
            "* * * * *",
            null,
            new StateSnapshotSpec(
                new SnapshotSource(pvc, null),
                new LocalObjectRef("minio"),
                1,
                null,
                null,
                null,
                null),
            null,
            null,
            null,
            null,
            null));
    return s;
  }

  @Test
  @Order(1)
  void anOperatorClockBehindTheCreationTimeWaitsForTheFirstDueTimeAfterCreationAndSaysWhy(
      ControlPlane plane, KubeletStandIn kubelet, MinioServer minio, TestNamespace ns)
      throws IOException {
    KubernetesClient client = plane.client();
    store(client, ns, minio, "behind-" + ns.name());
    OperatorSnapshotTest.claim(client, ns, "data");
    Files.writeString(kubelet.hostPathOf(ns.name(), "data").resolve("state"), "state");
    // The operator's clock is a day behind the API server that stamps the creation time.
    setClock(Instant.now().minus(Duration.ofDays(1)));
    SnapshotSchedule created =
        client
            .resources(SnapshotSchedule.class)
            .inNamespace(ns.name())
            .resource(everyMinute("behind", "data"))
            .create();
    Instant creation = Instant.parse(created.getMetadata().getCreationTimestamp());
    // Every minute is due on the operator's clock, but none after the schedule was created: nothing
    // runs yet, and the
    // status says why and when the first run is.
    String firstDue =
        creation
            .truncatedTo(ChronoUnit.MINUTES)
            .plus(Duration.ofMinutes(creation.getEpochSecond() % 60 == 0 ? 0 : 1))
            .toString();
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              SnapshotSchedule s =
                  client
                      .resources(SnapshotSchedule.class)
                      .inNamespace(ns.name())
                      .withName("behind")
                      .get();
              assertThat(s.getStatus()).isNotNull();
              assertThat(s.getStatus().lastScheduleTime()).isNull();
              assertThat(s.getStatus().nextScheduleTime()).isEqualTo(firstDue);
              assertThat(s.getStatus().conditions())
                  .extracting(c -> c.getType() + "=" + c.getStatus())
                  .containsExactly("Ready=True", "Reconciling=False", "Stalled=False");
              assertThat(s.getStatus().conditions())
                  .first()
                  .satisfies(
                      c -> {
                        assertThat(c.getReason()).isEqualTo("WaitingForFirstRun");
                        assertThat(c.getMessage())
                            .contains("behind the schedule's creation time (" + creation + ")");
                      });
            });
    setClock(creation.minus(Duration.ofMinutes(2)));
    await()
        .during(Duration.ofSeconds(4))
        .atMost(Duration.ofSeconds(6))
        .until(() -> snapshotsOf(client, ns, "behind").isEmpty());

    // Once the clock reaches the first due time after creation, that run happens.
    setClock(Instant.parse(firstDue).plusSeconds(20));
    await().atMost(WAIT).until(() -> snapshotsOf(client, ns, "behind").size() == 1);
    assertThat(snapshotsOf(client, ns, "behind").get(0).getMetadata().getName())
        .isEqualTo(ScheduleDecider.snapshotName("behind", Instant.parse(firstDue)));
    awaitSucceeded(client, ns, ScheduleDecider.snapshotName("behind", Instant.parse(firstDue)));
  }

  @Test
  @Order(2)
  void forbidSkipsARunWhileTheLastOneStillRuns(
      ControlPlane plane, KubeletStandIn kubelet, MinioServer minio, TestNamespace ns)
      throws IOException {
    KubernetesClient client = plane.client();
    store(client, ns, minio, "forbid-" + ns.name());
    OperatorSnapshotTest.claim(client, ns, "slow");
    Path volume = kubelet.hostPathOf(ns.name(), "slow");
    for (int i = 0; i < 24; i++) {
      Files.write(
          volume.resolve("big-" + i + ".sst"), OperatorSnapshotTest.random(500 + i, 8 << 20));
    }
    // A year ahead of the real time the schedule is created at: it catches up once, with the newest
    // due minute.
    Instant base = Instant.now().plus(Duration.ofDays(365)).truncatedTo(ChronoUnit.MINUTES);
    setClock(base.plusSeconds(30));
    client
        .resources(SnapshotSchedule.class)
        .inNamespace(ns.name())
        .resource(everyMinute("every-minute", "slow"))
        .create();
    setClock(base.plusSeconds(61));
    await().atMost(WAIT).until(() -> snapshotsOf(client, ns, "every-minute").size() == 1);
    String first = snapshotsOf(client, ns, "every-minute").get(0).getMetadata().getName();
    setClock(base.plusSeconds(121));
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              SnapshotSchedule now =
                  client
                      .resources(SnapshotSchedule.class)
                      .inNamespace(ns.name())
                      .withName("every-minute")
                      .get();
              // The snapshot can be listed before the status that records it is written: look again
              // then.
              assertThat(now.getStatus()).isNotNull();
              assertThat(now.getStatus().lastScheduleTime())
                  .isEqualTo(base.plusSeconds(120).toString());
            });
    List<StateSnapshot> mine = snapshotsOf(client, ns, "every-minute");
    assertThat(mine).hasSize(1);
    assertThat(
            mine.get(0).getStatus() == null
                || mine.get(0).getStatus().phase() != SnapshotPhase.Succeeded)
        .as("the first run was still running when the second was due")
        .isTrue();
    String reasons =
        plane
            .kubectl(
                "get", "events.events.k8s.io", "-n", ns.name(), "-o", "jsonpath={.items[*].reason}")
            .assertSuccess()
            .stdout();
    assertThat(reasons).contains("SkippedConcurrent");
    awaitSucceeded(client, ns, first);
  }

  @Test
  @Order(3)
  void aGroupedScheduleSnapshotsEveryPvcItsSelectorMatchesAndRetentionExpiresWholeGroups(
      ControlPlane plane, KubeletStandIn kubelet, MinioServer minio, TestNamespace ns)
      throws IOException {
    KubernetesClient client = plane.client();
    store(client, ns, minio, "groups-" + ns.name());
    // Three claims of the workload, by their own labels, and one of another tier that the selector
    // leaves out.
    for (String pvc : List.of("state-0", "state-1", "state-2", "logs-0")) {
      OperatorSnapshotTest.claim(
          client, ns, pvc, Map.of("tier", pvc.startsWith("state") ? "state" : "logs"));
      Files.writeString(kubelet.hostPathOf(ns.name(), pvc).resolve("data"), pvc);
    }
    // Far ahead of the earlier tests' clocks (they only move forward).
    Instant base = Instant.now().plus(Duration.ofDays(400)).truncatedTo(ChronoUnit.MINUTES);
    // The schedule's creation time is the API server's real time, far behind this clock, so its
    // first reconcile catches up with the newest due minute before the clock. The clock is past
    // base+60 before the schedule exists: that catch-up run is base+60 whenever it happens (at
    // base+30 it was base, and base+60 was then skipped as concurrent with it).
    setClock(base.plusSeconds(61));
    Examples.apply(
            plane,
            ns.name(),
            String.join(
                "\n",
                "apiVersion: strata.dev/v1alpha1",
                "kind: RetentionPolicy",
                "metadata:",
                "  name: keep-one-group",
                "spec:",
                "  keepLast: 1",
                "  keepFailed: 0",
                "---",
                "apiVersion: strata.dev/v1alpha1",
                "kind: SnapshotSchedule",
                "metadata:",
                "  name: state",
                "spec:",
                "  schedule: \"* * * * *\"",
                "  retentionPolicyRef:",
                "    name: keep-one-group",
                "  pvcSelector:",
                "    matchLabels:",
                "      tier: state",
                "  snapshotTemplate:",
                "    source: {}",
                "    storeRef:",
                "      name: minio",
                "    parallelism: 1",
                ""),
            tmp)
        .assertSuccess();
    String first = ScheduleDecider.snapshotName("state", base.plusSeconds(60));
    for (String pvc : List.of("state-0", "state-1", "state-2")) {
      StateSnapshot member = awaitSucceeded(client, ns, first + "-" + pvc);
      assertThat(member.getMetadata().getLabels())
          .containsEntry("strata.dev/group", first)
          .containsEntry("strata.dev/group-size", "3");
    }
    assertThat(snapshotsOf(client, ns, "state")).hasSize(3);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              SnapshotSchedule s =
                  client
                      .resources(SnapshotSchedule.class)
                      .inNamespace(ns.name())
                      .withName("state")
                      .get();
              assertThat(s.getStatus().lastSuccessfulGroup()).isEqualTo(first);
              assertThat(s.getStatus().lastGroup().phase()).isEqualTo("Succeeded");
              assertThat(s.getStatus().lastGroup().members()).hasSize(3);
              assertThat(s.getStatus().active()).isEmpty();
            });

    // The next run is a second group; keepLast 1 keeps it whole and expires the first with all its
    // members.
    setClock(base.plusSeconds(121));
    String second = ScheduleDecider.snapshotName("state", base.plusSeconds(120));
    for (String pvc : List.of("state-0", "state-1", "state-2")) {
      awaitSucceeded(client, ns, second + "-" + pvc);
    }
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(300))
        .untilAsserted(
            () ->
                assertThat(snapshotsOf(client, ns, "state"))
                    .extracting(x -> x.getMetadata().getName())
                    .containsExactlyInAnyOrder(
                        second + "-state-0", second + "-state-1", second + "-state-2"));
    String notes = plane.eventNotes(ns.name(), "regarding.name=keep-one-group");
    assertThat(notes).contains("expired 1 groups of state: " + first);
  }
}
