package dev.strata.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.strata.api.v1alpha1.PodRestoreResult;
import dev.strata.api.v1alpha1.RetentionPolicy;
import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.api.v1alpha1.SnapshotSchedule;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.StateRestore;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.e2e.support.CommandResult;
import dev.strata.e2e.support.ControlPlane;
import dev.strata.e2e.support.CreatedObjects;
import dev.strata.e2e.support.DirectoryTree;
import dev.strata.e2e.support.Examples;
import dev.strata.e2e.support.MinioServer;
import dev.strata.e2e.support.TestNamespace;
import dev.strata.e2e.support.VolumeHost;
import dev.strata.e2e.support.node.RealCluster;
import dev.strata.e2e.support.node.RealClusterExtension;
import dev.strata.engine.Progress;
import dev.strata.engine.RestoreEngine;
import dev.strata.engine.RestoreMode;
import dev.strata.engine.RestoreOptions;
import dev.strata.engine.SnapshotCatalog;
import dev.strata.engine.store.BlobStoreManager;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The six journeys of issue 8, as users meet Strata, on a real cluster (issue 14): a control plane,
 * a real node (containerd, kubelet, kube-proxy, CoreDNS) running the images built from images/,
 * MinIO answering the examples' Service name and credentials, and the operator installed with
 * {@code helm install charts/strata} as a Pod under the chart's RBAC, its admission webhook on. The
 * files of examples/ are applied unchanged with kubectl. The workload is a pod of user 1000
 * (fsGroup 1000) that owns its files, some of them 0750, so the runners' Restricted profile must
 * find that user. The only test-only settings are the operator's clock (a file on a hostPath,
 * through the chart's extraEnv/extraVolumes, so nights pass in seconds), short polling intervals,
 * and in journey 1 a collector overlay (MinIO's object ages are real time, so a 6 h grace cannot
 * pass in a test). Each journey prints its duration; the suite prints all of them and their sum at
 * the end. Journeys run in their order and in namespaces of their own; the clock only moves
 * forward.
 */
@ExtendWith(RealClusterExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JourneysTest {

  static final String PVC = OperatorSnapshotTest.PVC;
  static final String SCHEDULE = "nightly-kafka-streams-0";
  static final String SNAPSHOT = "kafka-streams-0-manual-1";
  static final String RESTORE = "kafka-streams-0-restore";
  static final String RESTORED_PVC = "data-kafka-streams-0-restored";
  static final Map<String, Duration> DURATIONS = new LinkedHashMap<>();
  static final String OPERATION = "strata.dev/operation";

  static final long APP_USER = 1000;
  static RealCluster cluster;
  static TestClock clock;
  Instant started;

  @TempDir Path tmp;

  /**
   * The chart's values for the tests: short intervals, the webhook on, and the operator's clock
   * from a hostPath.
   */
  static String values(Path clockDir) {
    return String.join(
        "\n",
        "storeRecheckSeconds: 2",
        "schedulePollSeconds: 1",
        "retentionIntervalSeconds: 2",
        "progressIntervalSeconds: 1",
        "runner:",
        "  retryDeadlineSeconds: 10",
        "webhook:",
        "  enabled: true",
        "extraEnv:",
        "  - {name: STRATA_CLOCK_FILE, value: /strata-test-clock/clock}",
        "extraVolumes:",
        "  - {name: test-clock, hostPath: {path: " + clockDir + ", type: Directory}}",
        "extraVolumeMounts:",
        "  - {name: test-clock, mountPath: /strata-test-clock, readOnly: true}",
        "");
  }

  @BeforeAll
  static void installOperator(RealCluster realCluster, MinioServer minio, @TempDir Path dir)
      throws IOException {
    cluster = realCluster;
    // Readable by the operator's user (65532): the clock's directory is mounted into its pod.
    Path clockDir = Files.createTempDirectory("strata-test-clock-");
    Files.setPosixFilePermissions(
        clockDir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    clock = new TestClock(clockDir.resolve("clock"));
    clock.set(Instant.now());
    minio.createBucket(Examples.EXAMPLE_BUCKET);
    Path values = Files.writeString(dir.resolve("values.yaml"), values(clockDir));
    cluster.installOperator(values);
  }

  @AfterAll
  static void stopOperatorAndReport(ControlPlane plane) {
    if (cluster != null) {
      cluster.uninstallOperator();
      // helm uninstall removes the webhook configuration too: it is the chart's (the operator only
      // fills it in).
      assertThat(
              plane
                  .client()
                  .admissionRegistration()
                  .v1()
                  .mutatingWebhookConfigurations()
                  .withName("strata-restore-policy")
                  .get())
          .as("the webhook configuration after helm uninstall")
          .isNull();
    }
    StringBuilder report = new StringBuilder("\n==== Strata journeys ====\n");
    DURATIONS.forEach(
        (name, took) ->
            report.append(String.format("  %-70s %6.1f s%n", name, took.toMillis() / 1000.0)));
    report.append(
        String.format(
            "  %-70s %6.1f s%n",
            "total (" + DURATIONS.size() + " journeys)",
            DURATIONS.values().stream().mapToLong(Duration::toMillis).sum() / 1000.0));
    System.out.println(report);
  }

  @BeforeEach
  void clockStart() {
    started = Instant.now();
  }

  @AfterEach
  void printDuration(TestInfo info) {
    Duration took = Duration.between(started, Instant.now());
    DURATIONS.put(info.getDisplayName(), took);
    System.out.printf("journey %s took %.1f s%n", info.getDisplayName(), took.toMillis() / 1000.0);
  }

  /**
   * The example store and its credentials, unchanged, a PVC named as the examples expect, and files
   * in its rocksdb/. Journeys seed content no other test writes: the store (one bucket and prefix
   * for every test, as the examples have it) keeps each content once, so shared content would not
   * be uploaded again.
   */
  Path storeAndVolume(
      ControlPlane plane, VolumeHost volumes, MinioServer minio, TestNamespace ns, long seed)
      throws IOException {
    Path volume = OperatorSnapshotTest.storeAndVolume(plane, volumes, minio, ns, tmp, seed);
    appUsing(plane.client(), ns, volume);
    return volume;
  }

  /**
   * The app that owns the volume's files: they become user 1000's (as if it had written them; some
   * are 0750), and a pod of that user, fsGroup 1000, mounts the claim, as the Kafka Streams replica
   * would.
   */
  static void appUsing(KubernetesClient client, TestNamespace ns, Path volume) throws IOException {
    chownTree(volume, APP_USER);
    client
        .pods()
        .inNamespace(ns.name())
        .resource(
            new io.fabric8.kubernetes.api.model.PodBuilder()
                .withNewMetadata()
                .withName("kafka-streams-0")
                .addToLabels("app", "kafka-streams")
                .endMetadata()
                .withNewSpec()
                .withNewSecurityContext()
                .withRunAsUser(APP_USER)
                .withRunAsGroup(APP_USER)
                .withFsGroup(APP_USER)
                .endSecurityContext()
                .addNewContainer()
                .withName("app")
                .withImage(APP_IMAGE)
                .withImagePullPolicy("Never")
                .addNewVolumeMount()
                .withName("data")
                .withMountPath("/var/lib/kafka-streams")
                .endVolumeMount()
                .endContainer()
                .addNewVolume()
                .withName("data")
                .withNewPersistentVolumeClaim()
                .withClaimName(PVC)
                .endPersistentVolumeClaim()
                .endVolume()
                .endSpec()
                .build())
        .create();
    RestorePolicyTest.awaitRunning(client, ns, "kafka-streams-0");
  }

  /** A stand-in for the app's own image: the node's pause program runs until the pod is deleted. */
  static final String APP_IMAGE = "strata.local/pause:1";

  static void chownTree(Path root, long uid) throws IOException {
    try (var paths = Files.walk(root)) {
      for (Path p : paths.toList()) {
        Files.setAttribute(p, "unix:uid", (int) uid, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:gid", (int) uid, java.nio.file.LinkOption.NOFOLLOW_LINKS);
      }
    }
  }

  static void bigFiles(Path dir, int count, long seed) throws IOException {
    for (int i = 0; i < count; i++) {
      Files.write(dir.resolve("big-" + i + ".sst"), OperatorSnapshotTest.random(seed + i, 8 << 20));
    }
  }

  /** Restores a snapshot straight from the store, as a check independent of the operator. */
  static Map<String, DirectoryTree.Entry> restoredTree(
      BlobStoreManager store, String snapshotId, Path target) throws IOException {
    new RestoreEngine(store, RestoreOptions.of(RestoreMode.EMPTY), new Progress())
        .restore(new SnapshotCatalog(store).load(snapshotId), target);
    return DirectoryTree.describe(target);
  }

  // ---- 1. GitOps ----

  @Test
  @Order(1)
  @DisplayName("1. GitOps: schedule, retention, garbage collection, restores")
  void gitOpsSchedulesRetainsCollectsAndRestores(
      ControlPlane plane, VolumeHost kubelet, MinioServer minio, TestNamespace ns)
      throws IOException {
    KubernetesClient client = plane.client();
    // Nine nights from a Monday after today (the schedule counts due times from its creation, which
    // is now).
    LocalDate first = Nights.firstMondayWithRoom(Nights.today(), 9);
    clock.set(Nights.due(first).minus(Duration.ofMinutes(10)));
    Path volume = storeAndVolume(plane, kubelet, minio, ns, 8101);
    String source = OperatorSnapshotTest.sourceId(client, ns.name(), PVC, "rocksdb");

    // As the example's comment says: first with dryRun on, to see in the status what it would
    // expire.
    Examples.apply(
            plane,
            ns.name(),
            Examples.read("retention-policy.yaml").replace("dryRun: false", "dryRun: true"),
            tmp)
        .assertSuccess();
    Examples.apply(plane, ns.name(), "snapshot-schedule.yaml").assertSuccess();

    // Created long after its last due time: the run missed by more than startingDeadlineSeconds is
    // skipped, not caught up.
    await()
        .atMost(ScheduleRetentionTest.WAIT)
        .untilAsserted(
            () -> {
              SnapshotSchedule s =
                  client
                      .resources(SnapshotSchedule.class)
                      .inNamespace(ns.name())
                      .withName(SCHEDULE)
                      .get();
              assertThat(s.getStatus()).isNotNull();
              assertThat(s.getStatus().lastScheduleTime())
                  .isEqualTo(Nights.due(first.minusDays(1)).toString());
              assertThat(s.getStatus().nextScheduleTime()).isEqualTo(Nights.due(first).toString());
            });
    assertThat(ScheduleRetentionTest.snapshotsOf(client, ns, SCHEDULE)).isEmpty();

    // Nine nights, 02:00 in Berlin. Each night adds one 1 MiB file and drops the previous night's,
    // so every
    // snapshot holds one blob no other snapshot has, and every snapshot after the first uploads
    // about 1 MiB.
    Map<String, Map<String, DirectoryTree.Entry>> trees = new LinkedHashMap<>();
    for (int day = 1; day <= 9; day++) {
      Files.deleteIfExists(volume.resolve("rocksdb/night-" + (day - 1) + ".sst"));
      Files.write(
          volume.resolve("rocksdb/night-" + day + ".sst"),
          OperatorSnapshotTest.random(81000 + day, 1 << 20));
      LocalDate night = first.plusDays(day - 1);
      String name = Nights.snapshotName(SCHEDULE, night);
      clock.set(Nights.due(night).plusSeconds(30));
      if (day == 3) {
        // The operator dies around the due time: the restarted one must not create the night twice.
        await()
            .atMost(ScheduleRetentionTest.WAIT)
            .until(
                () ->
                    client
                            .resources(StateSnapshot.class)
                            .inNamespace(ns.name())
                            .withName(name)
                            .get()
                        != null);
        restartOperator(plane);
      }
      StateSnapshot done = ScheduleRetentionTest.awaitSucceeded(client, ns, name);
      ScheduleRetentionTest.awaitScheduleSawFinish(client, ns, SCHEDULE, name);
      long uploaded = done.getStatus().snapshotIndex().uploadedBytes();
      if (day == 1) {
        // Everything, less the few small files of identical content the seed holds (stored once).
        assertThat(uploaded)
            .as("the first night uploads everything")
            .isGreaterThan(done.getStatus().snapshotIndex().totalBytes() - 64 * 1024);
      } else {
        assertThat(uploaded)
            .as(name + " uploads only the night's change")
            .isBetween(1L << 20, (1L << 20) + 64 * 1024);
      }
      trees.put(name, DirectoryTree.describe(volume.resolve("rocksdb")));
    }
    assertThat(ScheduleRetentionTest.snapshotsOf(client, ns, SCHEDULE)).hasSize(9);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              SnapshotSchedule s =
                  client
                      .resources(SnapshotSchedule.class)
                      .inNamespace(ns.name())
                      .withName(SCHEDULE)
                      .get();
              assertThat(s.getStatus().lastSuccessfulSnapshot())
                  .isEqualTo(Nights.snapshotName(SCHEDULE, first.plusDays(8)));
              assertThat(s.getStatus().nextScheduleTime())
                  .isEqualTo(Nights.due(first.plusDays(9)).toString());
            });

    // keepDaily 7 keeps nights 3-9; weekly and monthly keep nothing older (night 7 is the Sunday
    // that ends the first
    // week, night 9 the newest of its week and month): nights 1 and 2, Monday and Tuesday, would
    // expire.
    List<String> expired =
        List.of(
            Nights.snapshotName(SCHEDULE, first), Nights.snapshotName(SCHEDULE, first.plusDays(1)));
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              RetentionPolicy p =
                  client
                      .resources(RetentionPolicy.class)
                      .inNamespace(ns.name())
                      .withName("keep-a-week-and-a-month")
                      .get();
              assertThat(p.getStatus()).isNotNull();
              assertThat(p.getStatus().sources())
                  .singleElement()
                  .satisfies(
                      s -> {
                        assertThat(s.wouldExpire()).containsExactlyElementsOf(expired);
                        assertThat(s.kept()).isEqualTo(7);
                      });
            });
    assertThat(ScheduleRetentionTest.snapshotsOf(client, ns, SCHEDULE))
        .as("a dry run deletes nothing")
        .hasSize(9);

    try (BlobStoreManager store = OperatorSnapshotTest.minioStore(minio)) {
      long before = ScheduleRetentionTest.blobBytes(store);

      // The example as committed: retention expires the two oldest, and their indexes leave the
      // store.
      Examples.apply(plane, ns.name(), "retention-policy.yaml").assertSuccess();
      await()
          .atMost(Duration.ofSeconds(90))
          .untilAsserted(
              () ->
                  assertThat(ScheduleRetentionTest.snapshotsOf(client, ns, SCHEDULE))
                      .extracting(s -> s.getMetadata().getName())
                      .doesNotContainAnyElementsOf(expired)
                      .hasSize(7));
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(new SnapshotCatalog(store).entries(source)).hasSize(7));

      // The test overlay: a collector every minute with a grace of 2 s. Past it, a collection frees
      // the expired
      // snapshots' own blobs (the clock moves a minute per poll, so the collector is due each
      // time). Night 2's pack
      // holds nothing else and goes; night 1's blob may share a pack with what the kept snapshots
      // use, which stays
      // until its live fraction falls below the repack threshold (store format 2), so only 1 MiB is
      // sure to go.
      plane
          .kubectl(
              "patch",
              "snapshotstore",
              "minio",
              "-n",
              ns.name(),
              "--type=merge",
              "-p",
              "{\"spec\":{\"gc\":{\"schedule\":\"* * * * *\",\"gracePeriod\":\"2s\",\"allowShortGracePeriod\":true}}}")
          .assertSuccess();
      Instant[] t = {Nights.due(first.plusDays(8)).plus(Duration.ofMinutes(10))};
      await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofSeconds(3))
          .untilAsserted(
              () -> {
                t[0] = t[0].plusSeconds(60);
                clock.set(t[0]);
                assertThat(ScheduleRetentionTest.blobBytes(store))
                    .isLessThanOrEqualTo(before - (1L << 20));
              });
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () -> {
                SnapshotStore st =
                    client
                        .resources(SnapshotStore.class)
                        .inNamespace(ns.name())
                        .withName("minio")
                        .get();
                assertThat(st.getStatus().lastGarbageCollection()).isNotNull();
                assertThat(st.getStatus().lastGarbageCollection().result()).isEqualTo("Succeeded");
              });

      // Every kept snapshot still restores byte-identical to the tree it was taken of.
      for (StateSnapshot kept : ScheduleRetentionTest.snapshotsOf(client, ns, SCHEDULE)) {
        String name = kept.getMetadata().getName();
        assertThat(
                restoredTree(
                    store, kept.getStatus().snapshotIndex().id(), tmp.resolve("restore-" + name)))
            .as(name)
            .isEqualTo(trees.get(name));
      }
    }
  }

  // ---- 2. kubectl restore ----

  @Test
  @Order(2)
  @DisplayName("2. kubectl restore: examples/restore.yaml and kubectl strata restore")
  void kubectlRestoreIntoANewVolumeFromTheExampleAndWithThePlugin(
      ControlPlane plane, VolumeHost kubelet, MinioServer minio, TestNamespace ns)
      throws IOException {
    KubernetesClient client = plane.client();
    Path volume = storeAndVolume(plane, kubelet, minio, ns, 8201);
    Map<String, DirectoryTree.Entry> tree = DirectoryTree.describe(volume.resolve("rocksdb"));
    Examples.apply(plane, ns.name(), "state-snapshot.yaml").assertSuccess();
    StateSnapshot snap =
        OperatorSnapshotTest.awaitPhase(client, ns, SNAPSHOT, SnapshotPhase.Succeeded);

    // kubectl apply -f examples/restore.yaml: the latest snapshot of the PVC, into a new PVC.
    Examples.apply(plane, ns.name(), "restore.yaml").assertSuccess();
    StateRestore restored = OperatorRestoreTest.awaitSucceeded(client, ns, RESTORE);
    assertThat(restored.getStatus().resolvedSnapshot().id())
        .isEqualTo(snap.getStatus().snapshotIndex().id());
    assertThat(restored.getStatus().downloadedBytes()).isEqualTo(restored.getStatus().totalBytes());
    assertThat(
            DirectoryTree.describe(kubelet.hostPathOf(ns.name(), RESTORED_PVC).resolve("rocksdb")))
        .isEqualTo(tree);

    // The same with the plugin, found by kubectl on the PATH as `kubectl strata`.
    Path bin = Examples.dir().resolveSibling("bin");
    Map<String, String> env =
        Map.of(
            "PATH",
            plane.kubectl().getParent() + ":" + bin + ":/usr/local/bin:/usr/bin:/bin",
            "KUBECONFIG",
            plane.kubeconfig().toString());
    String kubectl = plane.kubectl().toString();
    CommandResult ls =
        CommandResult.run(
            List.of(kubectl, "strata", "ls", PVC, "-n", ns.name()), env, Duration.ofSeconds(30));
    assertThat(ls.exitCode()).as(ls.stdout() + ls.stderr()).isZero();
    assertThat(ls.stdout()).contains(SNAPSHOT).contains("Succeeded");

    CommandResult restore =
        CommandResult.run(
            List.of(
                kubectl,
                "strata",
                "restore",
                PVC,
                "--path",
                "rocksdb",
                "--to",
                "plugin-copy",
                "--create",
                "--name",
                "plugin-restore",
                "-n",
                ns.name()),
            env,
            Duration.ofMinutes(3));
    assertThat(restore.exitCode()).as(restore.stdout() + restore.stderr()).isZero();
    // It follows the restore to its end (a fast restore may finish between two polls, so Running is
    // not always seen).
    assertThat(restore.stdout())
        .contains("staterestore.strata.dev/plugin-restore")
        .contains("Succeeded")
        .contains("restored snapshot");
    assertThat(
            DirectoryTree.describe(kubelet.hostPathOf(ns.name(), "plugin-copy").resolve("rocksdb")))
        .isEqualTo(tree);

    CommandResult snapshot =
        CommandResult.run(
            List.of(
                kubectl,
                "strata",
                "snapshot",
                PVC,
                "--path",
                "rocksdb",
                "--name",
                "by-plugin",
                "--wait",
                "-n",
                ns.name()),
            env,
            Duration.ofMinutes(3));
    assertThat(snapshot.exitCode()).as(snapshot.stdout() + snapshot.stderr()).isZero();
    assertThat(snapshot.stdout())
        .contains("statesnapshot.strata.dev/by-plugin")
        .contains("Succeeded");

    CommandResult bad =
        CommandResult.run(
            List.of(
                kubectl, "strata", "restore", PVC, "--to", "x", "--mode", "Merge", "-n", ns.name()),
            env,
            Duration.ofSeconds(30));
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.stderr()).contains("--mode is IfEmpty, Overwrite or Sync");
  }

  // ---- 3. Automatic restore ----

  /**
   * A StatefulSet as examples/restore-policy.yaml describes: pods labelled app=kafka-streams, a
   * claim template "data".
   */
  static StatefulSet kafkaStreams(int replicas) {
    return new StatefulSetBuilder()
        .withNewMetadata()
        .withName("kafka-streams")
        .endMetadata()
        .withNewSpec()
        .withReplicas(replicas)
        .withServiceName("kafka-streams")
        .withNewSelector()
        .addToMatchLabels("app", "kafka-streams")
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .addToLabels("app", "kafka-streams")
        .endMetadata()
        .withNewSpec()
        .withNewSecurityContext()
        .withRunAsUser(APP_USER)
        .withRunAsGroup(APP_USER)
        .withFsGroup(APP_USER)
        .endSecurityContext()
        .addNewContainer()
        .withName("app")
        .withImage(APP_IMAGE)
        .withImagePullPolicy("Never")
        .addNewVolumeMount()
        .withName("data")
        .withMountPath("/var/lib/kafka-streams")
        .endVolumeMount()
        .endContainer()
        .endSpec()
        .endTemplate()
        .addNewVolumeClaimTemplate()
        .withNewMetadata()
        .withName("data")
        .endMetadata()
        .withNewSpec()
        .withAccessModes("ReadWriteOnce")
        .withNewResources()
        .addToRequests("storage", new Quantity("1Gi"))
        .endResources()
        .endSpec()
        .endVolumeClaimTemplate()
        .endSpec()
        .build();
  }

  @Test
  @Order(3)
  @DisplayName("3. Automatic restore: a replica that lost its volume")
  void automaticRestoreOfAReplicaThatLostItsVolume(
      ControlPlane plane, VolumeHost kubelet, TestNamespace ns) throws IOException {
    KubernetesClient client = plane.client();
    String pod = "kafka-streams-0";
    Examples.apply(plane, ns.name(), "store-credentials.yaml").assertSuccess();
    Examples.apply(plane, ns.name(), "snapshot-store.yaml").assertSuccess();
    RestorePolicyTest.applyPolicy(plane, ns, tmp);

    // The first replica starts with nothing to restore: it starts empty, and an Event says so.
    client.apps().statefulSets().inNamespace(ns.name()).resource(kafkaStreams(1)).create();
    Pod first = RestorePolicyTest.awaitRunning(client, ns, pod);
    RestorePolicyTest.awaitPodEvent(client, ns, pod, first.getMetadata().getUid(), "FreshStart");

    // The app builds up state; the nightly snapshot (here the example's manual one) takes it.
    Path volume = kubelet.hostPathOf(ns.name(), PVC);
    DirectoryTree.seed(volume.resolve("rocksdb"), 8301, 3);
    Files.write(volume.resolve("rocksdb/000042.sst"), OperatorSnapshotTest.random(8301, 6 << 20));
    chownTree(volume.resolve("rocksdb"), APP_USER);
    Map<String, DirectoryTree.Entry> state = DirectoryTree.describe(volume.resolve("rocksdb"));
    Examples.apply(plane, ns.name(), "state-snapshot.yaml").assertSuccess();
    StateSnapshot snap =
        OperatorSnapshotTest.awaitPhase(client, ns, SNAPSHOT, SnapshotPhase.Succeeded);

    // The replica loses its volume (its node's disk is gone): the pod and its claim go, and the set
    // brings the replica
    // back on a new, empty volume.
    plane
        .kubectl("scale", "statefulset", "kafka-streams", "-n", ns.name(), "--replicas=0")
        .assertSuccess();
    await()
        .atMost(Duration.ofSeconds(90))
        .until(() -> client.pods().inNamespace(ns.name()).withName(pod).get() == null);
    plane
        .kubectl("delete", "pvc", PVC, "-n", ns.name(), "--wait=true", "--timeout=90s")
        .assertSuccess();
    Pod running;
    List<Pod> history;
    try (RestorePolicyTest.PodHistory watch = new RestorePolicyTest.PodHistory(client, ns, pod)) {
      plane
          .kubectl("scale", "statefulset", "kafka-streams", "-n", ns.name(), "--replicas=1")
          .assertSuccess();
      running = RestorePolicyTest.awaitRunning(client, ns, pod);
      history = List.copyOf(watch.seen);
    }
    Path newVolume = kubelet.hostPathOf(ns.name(), PVC);
    assertThat(newVolume).as("a new volume").isNotEqualTo(volume);

    // The restore ran to success before the app container started, and the state is back
    // byte-identical.
    assertThat(history)
        .filteredOn(
            p ->
                RestorePolicyTest.appStatus(p)
                    .map(s -> s.getState().getRunning() != null)
                    .orElse(false))
        .isNotEmpty()
        .allSatisfy(
            p ->
                assertThat(RestorePolicyTest.restoreState(p))
                    .hasValueSatisfying(s -> assertThat(s.getTerminated().getExitCode()).isZero()));
    Instant restoreEnded =
        Instant.parse(
            RestorePolicyTest.restoreState(running).orElseThrow().getTerminated().getFinishedAt());
    Instant appStarted =
        Instant.parse(
            RestorePolicyTest.appStatus(running)
                .orElseThrow()
                .getState()
                .getRunning()
                .getStartedAt());
    assertThat(restoreEnded).isBeforeOrEqualTo(appStarted);
    assertThat(DirectoryTree.describe(newVolume.resolve("rocksdb"))).isEqualTo(state);
    // The restore ran as the app's user (the pod's runAsUser and fsGroup): the app owns its files
    // again.
    try (var restored = Files.walk(newVolume.resolve("rocksdb"))) {
      assertThat(restored.toList())
          .allSatisfy(
              f ->
                  assertThat(
                          Files.getAttribute(
                              f, "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS))
                      .as(f.toString())
                      .isEqualTo((int) APP_USER));
    }
    // Two restores done for the policy: the first pod's fresh start, and this one.
    assertThat(
            RestorePolicyTest.awaitSource(client, ns, running.getMetadata().getUid(), 2).result())
        .isEqualTo(PodRestoreResult.Restored);
    assertThat(
            RestorePolicyTest.awaitPodEvent(
                    client, ns, pod, running.getMetadata().getUid(), "Restored")
                .getNote())
        .contains("restored snapshot " + snap.getStatus().snapshotIndex().id());
  }

  // ---- 4. Store outage ----

  @Test
  @Order(4)
  @DisplayName("4. Store outage during a scheduled snapshot")
  void storeOutageFailsTheSnapshotClearlyAndTheNextNightSucceeds(
      ControlPlane plane, VolumeHost kubelet, MinioServer minio, TestNamespace ns)
      throws IOException {
    KubernetesClient client = plane.client();
    // A year ahead of today: the schedule, created now, catches up with nothing
    // (startingDeadlineSeconds) and runs
    // at its next due time as usual.
    LocalDate night = Nights.today().plusYears(1);
    clock.set(Nights.due(night).minus(Duration.ofMinutes(10)));
    Path volume = storeAndVolume(plane, kubelet, minio, ns, 8401);
    bigFiles(volume.resolve("rocksdb"), 24, 84000);
    Examples.apply(plane, ns.name(), "snapshot-schedule.yaml").assertSuccess();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                client
                        .resources(SnapshotSchedule.class)
                        .inNamespace(ns.name())
                        .withName(SCHEDULE)
                        .get()
                        .getStatus()
                    != null);

    // That night MinIO goes away as soon as the run starts, whether the runner is still starting or
    // already uploading.
    String first = Nights.snapshotName(SCHEDULE, night);
    clock.set(Nights.due(night).plusSeconds(30));
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              StateSnapshot s =
                  client
                      .resources(StateSnapshot.class)
                      .inNamespace(ns.name())
                      .withName(first)
                      .get();
              return s != null
                  && s.getStatus() != null
                  && s.getStatus().phase() == SnapshotPhase.Running;
            });
    minio.stop();
    StateSnapshot failed;
    try {
      await()
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofMillis(300))
          .until(
              () -> {
                StateSnapshot s =
                    client
                        .resources(StateSnapshot.class)
                        .inNamespace(ns.name())
                        .withName(first)
                        .get();
                SnapshotPhase p = s.getStatus() == null ? null : s.getStatus().phase();
                if (p == SnapshotPhase.Succeeded) {
                  throw new AssertionError(
                      first + " succeeded although MinIO was stopped while it ran");
                }
                return p == SnapshotPhase.Failed;
              });
      failed = client.resources(StateSnapshot.class).inNamespace(ns.name()).withName(first).get();
    } finally {
      minio.start();
    }
    assertThat(failed.getStatus().message())
        .contains("the runner failed")
        .contains("could not reach")
        .contains("check");
    assertThat(
            client
                .batch()
                .v1()
                .jobs()
                .inNamespace(ns.name())
                .withName(failed.getStatus().jobName())
                .get())
        .as("a failed run's Job stays, with its pod and log, until its TTL")
        .isNotNull();

    // MinIO is back (the store's next check sees it, long before the next night); the next night
    // succeeds, and what
    // it holds restores byte-identical.
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              SnapshotStore st =
                  client
                      .resources(SnapshotStore.class)
                      .inNamespace(ns.name())
                      .withName("minio")
                      .get();
              return st.getStatus() != null
                  && "True"
                      .equals(OperatorSnapshotTest.ready(st.getStatus().conditions()).getStatus());
            });
    ScheduleRetentionTest.awaitScheduleSawFinish(client, ns, SCHEDULE, first);
    clock.set(Nights.due(night.plusDays(1)).plusSeconds(30));
    StateSnapshot ok =
        ScheduleRetentionTest.awaitSucceeded(
            client, ns, Nights.snapshotName(SCHEDULE, night.plusDays(1)));
    try (BlobStoreManager store = OperatorSnapshotTest.minioStore(minio)) {
      assertThat(restoredTree(store, ok.getStatus().snapshotIndex().id(), tmp.resolve("restored")))
          .isEqualTo(DirectoryTree.describe(volume.resolve("rocksdb")));
    }
  }

  // ---- 5. Operator restarts ----

  /**
   * The operator's pod is deleted at once (grace 0), as when its node dies; its Deployment brings
   * up another.
   */
  void restartOperator(ControlPlane plane) {
    cluster.restartOperator();
  }

  @Test
  @Order(5)
  @DisplayName("5. Operator restart mid-snapshot and mid-restore")
  void operatorRestartMidSnapshotAndMidRestoreFinishesEachOnceWithOneJob(
      ControlPlane plane, VolumeHost kubelet, MinioServer minio, TestNamespace ns)
      throws IOException {
    KubernetesClient client = plane.client();
    Path volume = storeAndVolume(plane, kubelet, minio, ns, 8501);
    bigFiles(volume.resolve("rocksdb"), 24, 85000);

    try (CreatedObjects<Job> jobs = CreatedObjects.jobs(client, ns.name());
        CreatedObjects<Pod> pods = CreatedObjects.pods(client, ns.name())) {
      // The operator dies as soon as it has created the snapshot's Job, before the runner can have
      // finished.
      Examples.apply(plane, ns.name(), "state-snapshot.yaml").assertSuccess();
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> !jobs.withLabel(OPERATION, "backup").isEmpty());
      restartOperator(plane);
      StateSnapshot snap =
          OperatorSnapshotTest.awaitPhase(client, ns, SNAPSHOT, SnapshotPhase.Succeeded);
      assertThat(snap.getStatus().snapshotIndex().files()).isGreaterThanOrEqualTo(24);

      // The same for a restore.
      Examples.apply(plane, ns.name(), "restore.yaml").assertSuccess();
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(100))
          .until(() -> !jobs.withLabel(OPERATION, "restore").isEmpty());
      restartOperator(plane);
      StateRestore done = OperatorRestoreTest.awaitSucceeded(client, ns, RESTORE);
      assertThat(
              DirectoryTree.describe(
                  kubelet.hostPathOf(ns.name(), RESTORED_PVC).resolve("rocksdb")))
          .isEqualTo(DirectoryTree.describe(volume.resolve("rocksdb")));

      // One Job and one runner pod each, ever (the operator releases them once their results are
      // recorded).
      assertThat(jobs.withLabel(OPERATION, "backup"))
          .singleElement()
          .satisfies(
              j -> assertThat(j.getMetadata().getName()).isEqualTo(snap.getStatus().jobName()));
      assertThat(jobs.withLabel(OPERATION, "restore"))
          .singleElement()
          .satisfies(
              j -> assertThat(j.getMetadata().getName()).isEqualTo(done.getStatus().jobName()));
      assertThat(pods.withLabel("job-name", snap.getStatus().jobName())).hasSize(1);
      assertThat(pods.withLabel("job-name", done.getStatus().jobName())).hasSize(1);
      // Strata's own Events (the kubelet also reports its containers as Started). Never two for one
      // run; an operator
      // killed between creating the Job and recording its Event may leave none (Events are best
      // effort), so the Job
      // and the status above are what prove the run started once.
      assertThat(
              client.events().v1().events().inNamespace(ns.name()).list().getItems().stream()
                  .filter(
                      e ->
                          "Started".equals(e.getReason())
                              && e.getRegarding() != null
                              && List.of("StateSnapshot", "StateRestore")
                                  .contains(e.getRegarding().getKind()))
                  .collect(
                      java.util.stream.Collectors.groupingBy(
                          e -> e.getRegarding().getKind() + "/" + e.getRegarding().getName(),
                          java.util.stream.Collectors.counting())))
          .as("at most one Started Event each")
          .allSatisfy((run, count) -> assertThat(count).as(run).isEqualTo(1L));
    }
  }

  // ---- 6. Bad input ----

  @Test
  @Order(6)
  @DisplayName("6. Bad input: every invalid example refused")
  void everyInvalidExampleIsRefusedWithAMessageThatSaysWhatToFix(
      ControlPlane plane, TestNamespace ns) throws IOException {
    Map<String, String> expected =
        Map.ofEntries(
            Map.entry(
                "snapshot-absolute-path.yaml", "source.path must be relative to the volume's root"),
            Map.entry("snapshot-dotdot-path.yaml", "must not contain '..'"),
            Map.entry("snapshot-no-store.yaml", "spec.storeRef: Required value"),
            Map.entry(
                "snapshot-parallelism.yaml",
                "spec.parallelism: Invalid value: 0: spec.parallelism in body should be greater than or equal to 1"),
            Map.entry(
                "snapshot-file-owner-with-user.yaml",
                "runAsUser and runAsGroup are for the Restricted profile"),
            Map.entry(
                "store-ca-without-https.yaml", "caBundle is only used with an https:// endpoint"),
            Map.entry("store-two-credentials.yaml", "give the store's credentials once"),
            Map.entry(
                "store-bad-bucket.yaml",
                "spec.bucket: Invalid value: \"string\": must be an S3 bucket name"),
            Map.entry(
                "schedule-bad-cron.yaml",
                "spec.schedule: Invalid value: \"string\": write a 5-field cron"),
            Map.entry(
                "schedule-out-of-range.yaml",
                "the minute field '99' is out of range or not a number: use numbers 0-59"),
            Map.entry(
                "schedule-bad-time-zone.yaml",
                "unknown time zone 'Mars/Olympus': use an IANA name such as Europe/Berlin or UTC"),
            Map.entry(
                "retention-bad-max-age.yaml",
                "spec.maxAge: Invalid value: \"string\": must be a duration"),
            Map.entry(
                "restore-two-sources.yaml",
                "source needs exactly one of snapshotName, scheduleName, pvc, fromStore or group"),
            Map.entry(
                "schedule-two-selections.yaml",
                "say what to snapshot with exactly one of spec.snapshotTemplate.source.pvcName (one PVC),"
                    + " spec.statefulSet.name"),
            Map.entry(
                "restore-group-with-target.yaml",
                "spec.target is required, except with source.group"),
            Map.entry(
                "restore-from-store-without-store.yaml",
                "source.fromStore is read from the catalog of a SnapshotStore: set spec.storeRef.name"),
            Map.entry(
                "snapshot-bad-ttl.yaml",
                "spec.ttl: Invalid value: \"string\": must be a duration"));
    try (var files = Files.list(Examples.dir().resolve("invalid"))) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrderElementsOf(expected.keySet());
    }
    for (var e : expected.entrySet()) {
      CommandResult r = Examples.apply(plane, ns.name(), "invalid/" + e.getKey());
      assertThat(r.exitCode()).as(e.getKey()).isNotZero();
      assertThat(r.stderr()).as(e.getKey()).contains(e.getValue());
    }
    String left =
        plane.kubectl("get", "strata", "-n", ns.name(), "-o", "name").assertSuccess().stdout();
    assertThat(left).as("nothing of the invalid examples was created").isBlank();
  }
}
