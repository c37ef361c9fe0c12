package dev.strata.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.strata.api.v1alpha1.HookResult;
import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.e2e.rocks.CheckpointingApp;
import dev.strata.e2e.support.ControlPlane;
import dev.strata.e2e.support.Examples;
import dev.strata.e2e.support.TestNamespace;
import dev.strata.e2e.support.node.RealCluster;
import dev.strata.e2e.support.node.RealClusterExtension;
import dev.strata.e2e.support.node.RealNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksIterator;

/**
 * Snapshot hooks on a real cluster (issue 16): the operator installed by {@code helm install
 * charts/strata} with {@code hooks.enabled=true}, so under exactly the chart's RBAC (pods/exec and
 * nothing more), runs each hook through the API server's pods/exec into a real container that
 * containerd runs on the real node. The checkpoint recipe of docs/hooks.md is run as written
 * against a live RocksDB (rocksdbjni in a JRE container) that writes and compacts without pause;
 * what the snapshot holds is restored and opened by RocksDB. A failing and a slow hook show the
 * failure policy, the timeout, the post hooks that undo the pre hooks, the status and the Events.
 */
@ExtendWith(RealClusterExtension.class)
class HooksTest {

  static final String RUNNER_IMAGE = RealNodeTest.RUNNER;
  static final long APP_USER = 1000;
  static RealCluster cluster;

  @TempDir Path tmp;

  @BeforeAll
  static void installOperator(RealCluster realCluster, @TempDir Path dir) throws IOException {
    cluster = realCluster;
    Path values =
        Files.writeString(
            dir.resolve("values.yaml"),
            String.join(
                "\n",
                "storeRecheckSeconds: 2",
                "progressIntervalSeconds: 1",
                "runner:",
                "  retryDeadlineSeconds: 10",
                "hooks:",
                "  enabled: true",
                ""));
    cluster.installOperator(values);
  }

  @AfterAll
  static void uninstallOperator() {
    if (cluster != null) {
      cluster.uninstallOperator();
    }
  }

  /**
   * The recipe's hooks, as docs/hooks.md gives them (HooksDocTest checks that the doc holds this
   * very text).
   */
  static final String CHECKPOINT_HOOKS =
      """
          hooks:
            pre:
              - name: checkpoint
                container: app
                command:
                  - sh
                  - -c
                  - |
                    rm -rf /data/checkpoint /data/checkpoint.done
                    touch /data/checkpoint.request
                    for i in $(seq 1 250); do
                      if [ -f /data/checkpoint.done ]; then cat /data/checkpoint.done; exit 0; fi
                      sleep 0.2
                    done
                    echo "the app made no checkpoint in 50 s" >&2
                    exit 1
                timeoutSeconds: 60
            post:
              - name: remove-checkpoint
                container: app
                command: ["rm", "-rf", "/data/checkpoint", "/data/checkpoint.done"]
        """;

  @Test
  void checkpointHookMakesALiveRocksDbRestorableWithEveryKeyWrittenBeforeIt(
      ControlPlane plane, RealNode node, TestNamespace ns)
      throws IOException, URISyntaxException, org.rocksdb.RocksDBException {
    KubernetesClient client = plane.client();
    Path volume = storeAndClaim(plane, node, ns, "rocks");
    Path app = appDirectory();
    startPod(
        client,
        ns,
        "rocks-0",
        "rocks",
        List.of(
            new ContainerBuilder()
                .withName("app")
                .withCommand(
                    "java",
                    "-Xmx128m",
                    "-Djava.io.tmpdir=/tmp",
                    "-cp",
                    "/app/classes:/app/lib/*",
                    CheckpointingApp.class.getName(),
                    "/data")
                .addNewVolumeMount()
                .withName("app")
                .withMountPath("/app")
                .withReadOnly(true)
                .endVolumeMount()
                .build()),
        new VolumeBuilder()
            .withName("app")
            .withNewHostPath()
            .withPath(app.toString())
            .withType("Directory")
            .endHostPath()
            .build());
    // The database is live: it has flushed and compacted (SST files come and go) before the
    // snapshot starts.
    await()
        .atMost(Duration.ofSeconds(90))
        .untilAsserted(() -> assertThat(sstCount(volume.resolve("db"))).isGreaterThan(0));

    apply(
        plane,
        ns,
        """
        apiVersion: strata.dev/v1alpha1
        kind: StateSnapshot
        metadata:
          name: rocks-checkpoint
        spec:
          source: {pvcName: rocks, path: checkpoint}
          storeRef: {name: minio}
        %s"""
            .formatted(CHECKPOINT_HOOKS));
    java.util.Set<String> sstsAtStart = ssts(volume.resolve("db"));
    StateSnapshot done =
        OperatorSnapshotTest.awaitPhase(client, ns, "rocks-checkpoint", SnapshotPhase.Succeeded);
    // The live database flushed and compacted while the snapshot ran: SST files it had at the start
    // are gone.
    java.util.Set<String> gone = new java.util.TreeSet<>(sstsAtStart);
    gone.removeAll(ssts(volume.resolve("db")));
    assertThat(gone).as("SST files compacted away while the snapshot ran").isNotEmpty();

    List<HookResult> hooks = done.getStatus().hooks();
    assertThat(hooks)
        .extracting(
            HookResult::stage,
            HookResult::name,
            HookResult::pod,
            HookResult::container,
            HookResult::result,
            HookResult::exitCode)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "pre", "checkpoint", "rocks-0", "app", HookResult.SUCCEEDED, 0),
            org.assertj.core.groups.Tuple.tuple(
                "post", "remove-checkpoint", "rocks-0", "app", HookResult.SUCCEEDED, 0));
    long keysBefore = Long.parseLong(hooks.get(0).output().strip());
    assertThat(keysBefore).isPositive();
    // The post hook removed the checkpoint from the live volume; the app goes on writing.
    assertThat(volume.resolve("checkpoint")).doesNotExist();
    assertThat(events(client, ns, "rocks-checkpoint"))
        .extracting(Event::getReason)
        .contains("HookSucceeded", "Succeeded")
        .doesNotContain("HookFailed");
    assertThat(events(client, ns, "rocks-checkpoint"))
        .filteredOn(e -> "HookSucceeded".equals(e.getReason()))
        .extracting(Event::getNote)
        .anySatisfy(
            n ->
                assertThat(n)
                    .contains("pre hook checkpoint succeeded in pod rocks-0 (container app)"));

    // Restored into a new volume, the snapshot is a database RocksDB opens, holding every key
    // written before the
    // checkpoint with its value.
    apply(
        plane,
        ns,
        """
        apiVersion: strata.dev/v1alpha1
        kind: StateRestore
        metadata:
          name: rocks-restore
        spec:
          source: {snapshotName: rocks-checkpoint}
          target:
            claimTemplate: {name: rocks-restored}
            path: db
            insteadOf: {namespace: %s, pvcName: rocks}
        """
            .formatted(ns.name()));
    OperatorRestoreTest.awaitSucceeded(client, ns, "rocks-restore");
    Path restored = node.hostPathOf(ns.name(), "rocks-restored").resolve("db");
    Path copy =
        tmp.resolve(
            "restored-db"); // opened from a copy: RocksDB writes a LOCK and logs into its directory
    copyTree(restored, copy);
    RocksDB.loadLibrary();
    try (Options options = new Options();
        RocksDB db = RocksDB.open(options, copy.toString());
        RocksIterator it = db.newIterator()) {
      long count = 0;
      for (it.seekToFirst(); it.isValid(); it.next()) {
        String key = new String(it.key(), StandardCharsets.UTF_8);
        assertThat(key).isEqualTo(CheckpointingApp.key(count));
        assertThat(new String(it.value(), StandardCharsets.UTF_8))
            .as(key)
            .isEqualTo(CheckpointingApp.value(count));
        count++;
      }
      assertThat(count).as("keys in the restored database").isEqualTo(keysBefore);
    }
  }

  @Test
  void aFailingPreHookFailsTheSnapshotWithoutABackupAndThePostHooksStillUndoIt(
      ControlPlane plane, RealNode node, TestNamespace ns) throws IOException {
    KubernetesClient client = plane.client();
    Path volume = storeAndClaim(plane, node, ns, "state");
    // Two containers: the hooks name the second, "app" (the default is the first).
    startPod(
        client,
        ns,
        "app-0",
        "state",
        List.of(
            new ContainerBuilder().withName("sidecar").withImage(JourneysTest.APP_IMAGE).build(),
            new ContainerBuilder().withName("app").withCommand("sleep", "infinity").build()));

    apply(
        plane,
        ns,
        """
        apiVersion: strata.dev/v1alpha1
        kind: StateSnapshot
        metadata:
          name: refused
        spec:
          source: {pvcName: state}
          storeRef: {name: minio}
          hooks:
            pre:
              - {name: slow, container: app, command: [sleep, "30"], timeoutSeconds: 2, onError: Continue}
              - {name: freeze, container: app, command: [sh, -c, "touch /data/frozen; echo cannot freeze >&2; exit 3"]}
              - {name: never, container: app, command: [touch, /data/never]}
            post:
              - {name: thaw, container: app, command: [sh, -c, "rm /data/frozen && echo thawed"]}
        """);
    StateSnapshot failed =
        OperatorSnapshotTest.awaitPhase(client, ns, "refused", SnapshotPhase.Failed);

    assertThat(failed.getStatus().jobName()).as("no backup ran").isNull();
    assertThat(client.batch().v1().jobs().inNamespace(ns.name()).list().getItems()).isEmpty();
    assertThat(OperatorSnapshotTest.ready(failed.getStatus().conditions()).getReason())
        .isEqualTo("HookFailed");
    assertThat(failed.getStatus().message())
        .contains("pre hook failed, no backup ran")
        .contains("pre hook freeze in pod app-0 (container app)")
        .contains("exited with 3")
        .contains("cannot freeze");
    List<HookResult> hooks = failed.getStatus().hooks();
    assertThat(hooks)
        .extracting(HookResult::name, HookResult::result, HookResult::exitCode)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("slow", HookResult.TIMED_OUT, null),
            org.assertj.core.groups.Tuple.tuple("freeze", HookResult.FAILED, 3),
            org.assertj.core.groups.Tuple.tuple("thaw", HookResult.SUCCEEDED, 0));
    assertThat(hooks.get(0).message())
        .contains("did not exit within 2 s")
        .contains("onError Continue");
    assertThat(hooks.get(2).output()).isEqualTo("thawed");
    assertThat(volume.resolve("frozen")).as("the post hook undid the pre hook").doesNotExist();
    assertThat(volume.resolve("never")).as("no pre hook runs after one that failed").doesNotExist();
    assertThat(events(client, ns, "refused"))
        .extracting(Event::getType, Event::getReason)
        .contains(
            org.assertj.core.groups.Tuple.tuple("Warning", "HookFailed"),
            org.assertj.core.groups.Tuple.tuple("Normal", "HookSucceeded"));
    assertThat(events(client, ns, "refused"))
        .extracting(Event::getNote)
        .anySatisfy(
            n -> assertThat(n).contains("pre hook slow timed out in pod app-0 (container app)"))
        .anySatisfy(n -> assertThat(n).contains("post hook thaw succeeded"));
  }

  /**
   * A snapshot deleted while its pre hook runs still runs its post hook before it goes: with the
   * fsfreeze recipe, anything else leaves the app's volume frozen.
   */
  @Test
  void aSnapshotDeletedWhileItsPreHookRunsStillRunsItsPostHookBeforeItGoes(
      ControlPlane plane, RealNode node, TestNamespace ns) throws IOException {
    KubernetesClient client = plane.client();
    Path volume = storeAndClaim(plane, node, ns, "state");
    startPod(
        client,
        ns,
        "app-0",
        "state",
        List.of(new ContainerBuilder().withName("app").withCommand("sleep", "infinity").build()));

    apply(
        plane,
        ns,
        """
        apiVersion: strata.dev/v1alpha1
        kind: StateSnapshot
        metadata:
          name: deleted
        spec:
          source: {pvcName: state}
          storeRef: {name: minio}
          hooks:
            pre:
              - {name: freeze, container: app, command: [sh, -c, "touch /data/frozen; sleep 8"], timeoutSeconds: 30}
            post:
              - {name: thaw, container: app, command: [sh, -c, "rm /data/frozen && echo thawed"]}
        """);
    await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(volume.resolve("frozen")));
    client.resources(StateSnapshot.class).inNamespace(ns.name()).withName("deleted").delete();

    await()
        .atMost(Duration.ofSeconds(90))
        .until(
            () ->
                client
                        .resources(StateSnapshot.class)
                        .inNamespace(ns.name())
                        .withName("deleted")
                        .get()
                    == null);
    assertThat(volume.resolve("frozen")).as("the post hook undid the pre hook").doesNotExist();
    assertThat(client.batch().v1().jobs().inNamespace(ns.name()).list().getItems())
        .as("no backup ran")
        .isEmpty();
    assertThat(events(client, ns, "deleted"))
        .extracting(Event::getNote)
        .anySatisfy(n -> assertThat(n).contains("post hook thaw succeeded"));
  }

  /** The fsfreeze recipe's hooks, as docs/hooks.md gives them (HooksDocTest checks it). */
  static final String FSFREEZE_HOOKS =
      """
        hooks:
          pre:
            - name: freeze
              container: freezer
              command: [fsfreeze, --freeze, /data]
          post:
            - name: thaw
              container: freezer
              command: [fsfreeze, --unfreeze, /data]
              timeoutSeconds: 30
      """;

  /**
   * The fsfreeze recipe on a volume that is a file system of its own: an ext4 image on a loop
   * device, mounted on the claim's directory before the pod starts (a freeze of the node's usual
   * volumes, directories of the machine's root file system, would freeze the machine). The thaw
   * succeeding proves the freeze held: {@code fsfreeze --unfreeze} fails on a file system that is
   * not frozen. The backup ran in between, on the frozen volume, and restores whole.
   */
  @Test
  void fsfreezeHooksFreezeTheVolumeForTheBackupAndThawIt(
      ControlPlane plane, RealNode node, TestNamespace ns) throws IOException {
    KubernetesClient client = plane.client();
    Path volume = storeAndClaim(plane, node, ns, "frozen");
    Path image = tmp.resolve("ext4.img");
    run("truncate", "-s", "64M", image.toString());
    run("mkfs.ext4", "-q", "-F", image.toString());
    run("mount", "-o", "loop", image.toString(), volume.toString());
    try {
      Path data = Files.createDirectories(volume.resolve("data"));
      for (int i = 0; i < 3; i++) {
        Files.write(data.resolve("part-" + i), OperatorSnapshotTest.random(1600 + i, 1 << 20));
      }
      JourneysTest.chownTree(data, APP_USER);
      // The app, and a privileged sidecar that may freeze the volume (fsfreeze needs
      // CAP_SYS_ADMIN).
      startPod(
          client,
          ns,
          "db-0",
          "frozen",
          List.of(
              new ContainerBuilder().withName("app").withImage(JourneysTest.APP_IMAGE).build(),
              new ContainerBuilder()
                  .withName("freezer")
                  .withCommand("sleep", "infinity")
                  .withNewSecurityContext()
                  .withPrivileged(true)
                  .withRunAsUser(0L)
                  .endSecurityContext()
                  .build()));
      // What the volume holds once the kubelet has applied the pod's fsGroup to it (group rw).
      java.util.Map<String, dev.strata.e2e.support.DirectoryTree.Entry> tree =
          dev.strata.e2e.support.DirectoryTree.describe(data);

      apply(
          plane,
          ns,
          """
          apiVersion: strata.dev/v1alpha1
          kind: StateSnapshot
          metadata:
            name: frozen
          spec:
            source: {pvcName: frozen, path: data}
            storeRef: {name: minio}
          %s"""
              .formatted(FSFREEZE_HOOKS));
      StateSnapshot done =
          OperatorSnapshotTest.awaitPhase(client, ns, "frozen", SnapshotPhase.Succeeded);
      assertThat(done.getStatus().hooks())
          .extracting(
              HookResult::stage, HookResult::name, HookResult::container, HookResult::result)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("pre", "freeze", "freezer", HookResult.SUCCEEDED),
              org.assertj.core.groups.Tuple.tuple("post", "thaw", "freezer", HookResult.SUCCEEDED));
      assertThat(Instant.parse(done.getStatus().hooks().get(0).completionTime()))
          .isBeforeOrEqualTo(Instant.parse(done.getStatus().hooks().get(1).startTime()));
      // Thawed: the volume takes writes again.
      Files.writeString(volume.resolve("data/after-thaw"), "written after the thaw");

      try (dev.strata.engine.store.BlobStoreManager store =
          OperatorSnapshotTest.minioStore(cluster.minio())) {
        assertThat(
                JourneysTest.restoredTree(
                    store, done.getStatus().snapshotIndex().id(), tmp.resolve("restored")))
            .isEqualTo(tree);
      }
    } finally {
      client.pods().inNamespace(ns.name()).withName("db-0").withGracePeriod(0).delete();
      await()
          .atMost(Duration.ofMinutes(2))
          .until(() -> client.pods().inNamespace(ns.name()).list().getItems().isEmpty());
      runQuietly("fsfreeze", "--unfreeze", volume.toString()); // in case the thaw did not run
      run("umount", "-l", volume.toString());
    }
  }

  static void run(String... command) {
    dev.strata.e2e.support.CommandResult r =
        dev.strata.e2e.support.CommandResult.run(
            List.of(command), java.util.Map.of(), Duration.ofSeconds(60));
    r.assertSuccess();
  }

  static void runQuietly(String... command) {
    dev.strata.e2e.support.CommandResult.run(
        List.of(command), java.util.Map.of(), Duration.ofSeconds(60));
  }

  /**
   * The examples' store and its credentials, and a claim whose directory on the node (returned) the
   * app's user owns.
   */
  static Path storeAndClaim(ControlPlane plane, RealNode node, TestNamespace ns, String claim)
      throws IOException {
    Examples.apply(plane, ns.name(), "store-credentials.yaml").assertSuccess();
    Examples.apply(plane, ns.name(), "snapshot-store.yaml").assertSuccess();
    OperatorSnapshotTest.claim(plane.client(), ns, claim);
    Path volume = node.hostPathOf(ns.name(), claim);
    JourneysTest.chownTree(volume, APP_USER);
    return volume;
  }

  /**
   * Starts a pod of the app's user (and fsGroup) with these containers (the runner image, whose JRE
   * and shell the workloads use, unless a container names another), each mounting the claim at
   * /data, and waits until it runs.
   */
  static void startPod(
      KubernetesClient client,
      TestNamespace ns,
      String name,
      String claim,
      List<Container> containers,
      Volume... volumes) {
    List<Container> mounted =
        containers.stream()
            .map(
                c ->
                    new ContainerBuilder(c)
                        .withImage(c.getImage() == null ? RUNNER_IMAGE : c.getImage())
                        .withImagePullPolicy("Never")
                        .addNewVolumeMount()
                        .withName("data")
                        .withMountPath("/data")
                        .endVolumeMount()
                        .build())
            .toList();
    client
        .pods()
        .inNamespace(ns.name())
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .withNewSecurityContext()
                .withRunAsUser(APP_USER)
                .withRunAsGroup(APP_USER)
                .withFsGroup(APP_USER)
                .endSecurityContext()
                .withContainers(mounted)
                .addNewVolume()
                .withName("data")
                .withNewPersistentVolumeClaim()
                .withClaimName(claim)
                .endPersistentVolumeClaim()
                .endVolume()
                .addToVolumes(volumes)
                .endSpec()
                .build())
        .create();
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> {
              Pod p = client.pods().inNamespace(ns.name()).withName(name).get();
              return p.getStatus() != null
                  && p.getStatus().getContainerStatuses() != null
                  && p.getStatus().getContainerStatuses().size() == containers.size()
                  && p.getStatus().getContainerStatuses().stream()
                      .allMatch(s -> s.getState() != null && s.getState().getRunning() != null);
            });
  }

  static void apply(ControlPlane plane, TestNamespace ns, String yaml) throws IOException {
    Path file = Files.createTempFile("strata-hooks-", ".yaml");
    try {
      Files.writeString(file, yaml);
      plane.kubectl("apply", "-n", ns.name(), "-f", file.toString()).assertSuccess();
    } finally {
      Files.deleteIfExists(file);
    }
  }

  static List<Event> events(KubernetesClient client, TestNamespace ns, String snapshot) {
    return client.events().v1().events().inNamespace(ns.name()).list().getItems().stream()
        .filter(
            e ->
                e.getRegarding() != null
                    && "StateSnapshot".equals(e.getRegarding().getKind())
                    && snapshot.equals(e.getRegarding().getName()))
        .toList();
  }

  static long sstCount(Path db) throws IOException {
    return ssts(db).size();
  }

  static java.util.Set<String> ssts(Path db) throws IOException {
    if (!Files.isDirectory(db)) {
      return java.util.Set.of();
    }
    try (Stream<Path> files = Files.list(db)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".sst"))
          .collect(java.util.stream.Collectors.toSet());
    }
  }

  /**
   * The app's classpath on the host, for a hostPath volume: this test's CheckpointingApp class and
   * the rocksdbjni jar the tests use, readable by the app's user.
   */
  static Path appDirectory() throws IOException, URISyntaxException {
    Path dir = Files.createTempDirectory("strata-rocks-app-");
    Path classes =
        Path.of(CheckpointingApp.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path pkg = Path.of(CheckpointingApp.class.getPackageName().replace('.', '/'));
    Files.createDirectories(dir.resolve("classes").resolve(pkg));
    try (Stream<Path> files = Files.list(classes.resolve(pkg))) {
      for (Path f :
          files
              .filter(
                  f ->
                      f.getFileName().toString().startsWith(CheckpointingApp.class.getSimpleName()))
              .toList()) {
        Files.copy(f, dir.resolve("classes").resolve(pkg).resolve(f.getFileName()));
      }
    }
    Path jar = Path.of(RocksDB.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Files.createDirectories(dir.resolve("lib"));
    Files.copy(jar, dir.resolve("lib").resolve(jar.getFileName()));
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.toList()) {
        Files.setPosixFilePermissions(
            p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
      }
    }
    return dir;
  }

  static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> all = Files.walk(from)) {
      for (Path p : all.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }
}
