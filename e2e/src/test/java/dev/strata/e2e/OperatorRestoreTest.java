package dev.strata.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.strata.api.v1alpha1.LocalObjectRef;
import dev.strata.api.v1alpha1.RestoreMode;
import dev.strata.api.v1alpha1.RestoreSource;
import dev.strata.api.v1alpha1.RestoreTarget;
import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.api.v1alpha1.SnapshotSource;
import dev.strata.api.v1alpha1.SourceVolume;
import dev.strata.api.v1alpha1.StateRestore;
import dev.strata.api.v1alpha1.StateRestoreSpec;
import dev.strata.api.v1alpha1.StateRestoreStatus;
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
import dev.strata.engine.SnapshotCatalog;
import dev.strata.engine.index.FileBlob;
import dev.strata.engine.store.BlobStoreManager;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6's StateRestore proof on a real API server: each mode restores byte-identical, Sync into a
 * stale copy downloads only the difference, IfEmpty refuses a non-empty target, the pinned snapshot
 * never changes, "latest" never crosses volumes, a corrupt blob fails naming the file and leaves
 * the target as it was, and a target in use is refused. The kubectl plugin is part of
 * JourneysTest's kubectl restore journey.
 */
@ExtendWith({ControlPlaneExtension.class, MinioExtension.class})
class OperatorRestoreTest {

  static final String PVC = OperatorSnapshotTest.PVC;
  static OperatorProcess operator;
  static Path work;

  static final Map<String, String> ENV =
      Map.of("STRATA_STORE_RECHECK_SECONDS", "30", "STRATA_RUNNER_RETRY_DEADLINE_SECONDS", "20");

  @TempDir Path tmp;

  @BeforeAll
  static void startOperator(ControlPlane plane, MinioServer minio, @TempDir Path dir) {
    plane.kubectl("apply", "-f", Examples.dir().resolveSibling("crds").toString()).assertSuccess();
    minio.createBucket(Examples.EXAMPLE_BUCKET);
    work = dir;
    operator = OperatorProcess.start(plane.kubeconfig(), dir, ENV);
  }

  @AfterAll
  static void stopOperator() {
    if (operator != null) {
      operator.close();
    }
  }

  static StateSnapshot snapshot(
      KubernetesClient client, TestNamespace ns, String name, String pvc) {
    StateSnapshot s = new StateSnapshot();
    s.setMetadata(new ObjectMetaBuilder().withName(name).build());
    s.setSpec(
        new StateSnapshotSpec(
            new SnapshotSource(pvc, "rocksdb"),
            new LocalObjectRef("minio"),
            2,
            null,
            null,
            null,
            null));
    client.resources(StateSnapshot.class).inNamespace(ns.name()).resource(s).create();
    return OperatorSnapshotTest.awaitPhase(client, ns, name, SnapshotPhase.Succeeded);
  }

  static StateRestore restore(
      KubernetesClient client,
      TestNamespace ns,
      String name,
      RestoreSource source,
      RestoreTarget target,
      RestoreMode mode,
      int parallelism) {
    StateRestore r = new StateRestore();
    r.setMetadata(new ObjectMetaBuilder().withName(name).build());
    r.setSpec(
        new StateRestoreSpec(source, null, target, mode, true, parallelism, null, null, null));
    return client.resources(StateRestore.class).inNamespace(ns.name()).resource(r).create();
  }

  static StateRestore awaitEnd(KubernetesClient client, TestNamespace ns, String name) {
    await()
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(300))
        .until(
            () ->
                ended(
                    client
                        .resources(StateRestore.class)
                        .inNamespace(ns.name())
                        .withName(name)
                        .get()
                        .getStatus()));
    return client.resources(StateRestore.class).inNamespace(ns.name()).withName(name).get();
  }

  static StateRestore awaitSucceeded(KubernetesClient client, TestNamespace ns, String name) {
    StateRestore r = awaitEnd(client, ns, name);
    assertThat(r.getStatus().phase())
        .as(r.getStatus().message())
        .isEqualTo(SnapshotPhase.Succeeded);
    return r;
  }

  /**
   * Restoring into another PVC than the snapshot's is said so in the StateRestore
   * (spec.target.insteadOf).
   */
  static final SourceVolume FROM_PVC = new SourceVolume(null, PVC);

  static String reason(StateRestore r) {
    return OperatorSnapshotTest.ready(r.getStatus().conditions()).getReason();
  }

  @Test
  void everyModeRestoresByteIdenticalAndSyncFetchesOnlyTheDifference(
      ControlPlane plane, KubeletStandIn kubelet, MinioServer minio, TestNamespace ns)
      throws IOException {
    KubernetesClient client = plane.client();
    Path volume = OperatorSnapshotTest.storeAndVolume(plane, kubelet, minio, ns, tmp, 21);
    Map<String, DirectoryTree.Entry> tree = DirectoryTree.describe(volume.resolve("rocksdb"));
    snapshot(client, ns, "first", PVC);

    // IfEmpty into a new PVC, from examples/restore.yaml as committed.
    Examples.apply(plane, ns.name(), "restore.yaml").assertSuccess();
    StateRestore fromExample = awaitSucceeded(client, ns, "kafka-streams-0-restore");
    assertThat(fromExample.getStatus().resolvedSnapshot().snapshotName()).isEqualTo("first");
    assertThat(fromExample.getStatus().downloadedBytes())
        .isEqualTo(fromExample.getStatus().totalBytes());
    // What `kubectl get staterestores` shows: progress people read, and the kstatus conditions of a
    // finished restore.
    assertThat(fromExample.getStatus().progressSummary())
        .matches("[0-9.]+ (B|KiB|MiB) / [0-9.]+ (B|KiB|MiB) \\(100%\\)");
    assertThat(
            plane
                .kubectl("get", "staterestore", "kafka-streams-0-restore", "-n", ns.name())
                .assertSuccess()
                .stdout())
        .contains("Succeeded")
        .contains(fromExample.getStatus().progressSummary());
    assertThat(fromExample.getStatus().conditions())
        .extracting(c -> c.getType() + "=" + c.getStatus())
        .containsExactly("Ready=True", "Reconciling=False", "Stalled=False");
    Path restored = kubelet.hostPathOf(ns.name(), "data-kafka-streams-0-restored");
    assertThat(DirectoryTree.describe(restored.resolve("rocksdb"))).isEqualTo(tree);

    // Overwrite into a volume holding other files: every snapshot file is replaced, other files
    // stay.
    OperatorSnapshotTest.claim(client, ns, "overwrite-me");
    Path other = kubelet.hostPathOf(ns.name(), "overwrite-me");
    Files.createDirectories(other.resolve("sst"));
    Files.writeString(other.resolve("sst/000000.sst"), "stale content");
    Files.writeString(other.resolve("keep-me.txt"), "not in the snapshot");
    restore(
        client,
        ns,
        "overwrite",
        new RestoreSource("first", null, null, null),
        new RestoreTarget("overwrite-me", null, null, FROM_PVC),
        RestoreMode.Overwrite,
        4);
    awaitSucceeded(client, ns, "overwrite");
    Map<String, DirectoryTree.Entry> afterOverwrite = DirectoryTree.describe(other);
    assertThat(afterOverwrite.remove("keep-me.txt")).isNotNull();
    assertThat(afterOverwrite).isEqualTo(tree);

    // The source moves on; Sync brings the stale copy up to date and downloads only what changed.
    Files.write(volume.resolve("rocksdb/000099.sst"), OperatorSnapshotTest.random(77, 2 << 20));
    StateSnapshot second = snapshot(client, ns, "second", PVC);
    restore(
        client,
        ns,
        "sync",
        new RestoreSource(null, null, new SnapshotSource(PVC, "rocksdb"), null),
        new RestoreTarget("data-kafka-streams-0-restored", null, "rocksdb", FROM_PVC),
        RestoreMode.Sync,
        4);
    StateRestore sync = awaitSucceeded(client, ns, "sync");
    assertThat(sync.getStatus().resolvedSnapshot().id())
        .isEqualTo(second.getStatus().snapshotIndex().id());
    assertThat(sync.getStatus().downloadedBytes()).isEqualTo(2L << 20);
    assertThat(DirectoryTree.describe(restored.resolve("rocksdb")))
        .isEqualTo(DirectoryTree.describe(volume.resolve("rocksdb")));

    // IfEmpty refuses a target that holds anything.
    restore(
        client,
        ns,
        "not-empty",
        new RestoreSource("first", null, null, null),
        new RestoreTarget("overwrite-me", null, null, FROM_PVC),
        RestoreMode.IfEmpty,
        4);
    StateRestore refused = awaitEnd(client, ns, "not-empty");
    assertThat(refused.getStatus().phase()).isEqualTo(SnapshotPhase.Failed);
    assertThat(reason(refused)).isEqualTo("TargetNotEmpty");
    assertThat(refused.getStatus().message()).contains("is not empty");
  }

  @Test
  void thePinnedSnapshotStaysWhenANewerOneAppearsAndLatestNeverCrossesVolumes(
      ControlPlane plane, KubeletStandIn kubelet, MinioServer minio, TestNamespace ns)
      throws IOException {
    KubernetesClient client = plane.client();
    Path volume = OperatorSnapshotTest.storeAndVolume(plane, kubelet, minio, ns, tmp, 22);
    for (int i = 0; i < 16; i++) {
      Files.write(
          volume.resolve("rocksdb/big-" + i + ".sst"),
          OperatorSnapshotTest.random(300 + i, 8 << 20));
    }
    Map<String, DirectoryTree.Entry> atFirst = DirectoryTree.describe(volume.resolve("rocksdb"));
    StateSnapshot first = snapshot(client, ns, "first", PVC);
    // Another volume's snapshot, newer than everything of PVC.
    OperatorSnapshotTest.claim(client, ns, "other-volume");
    Path otherVolume = kubelet.hostPathOf(ns.name(), "other-volume");
    DirectoryTree.seed(otherVolume.resolve("rocksdb"), 5, 1);
    snapshot(client, ns, "other", "other-volume");

    // The restore is created before its target claim exists: it pins its snapshot and waits, so the
    // newer snapshot below surely appears after the pinning and before the restore's runner starts,
    // however fast or slow the machine.
    restore(
        client,
        ns,
        "pinned",
        new RestoreSource(null, null, new SnapshotSource(PVC, "rocksdb"), null),
        new RestoreTarget("target", null, null, FROM_PVC),
        RestoreMode.IfEmpty,
        1);
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () -> {
              StateRestore r =
                  client
                      .resources(StateRestore.class)
                      .inNamespace(ns.name())
                      .withName("pinned")
                      .get();
              assertThat(r.getStatus()).isNotNull();
              assertThat(r.getStatus().resolvedSnapshot()).isNotNull();
              assertThat(reason(r)).isEqualTo("TargetNotFound");
            });
    Files.write(volume.resolve("rocksdb/newer.sst"), OperatorSnapshotTest.random(9, 1 << 20));
    snapshot(client, ns, "newer", PVC);
    OperatorSnapshotTest.claim(client, ns, "target");
    kubelet.hostPathOf(ns.name(), "target");
    StateRestore done = awaitSucceeded(client, ns, "pinned");
    assertThat(done.getStatus().resolvedSnapshot().snapshotName()).isEqualTo("first");
    assertThat(done.getStatus().resolvedSnapshot().id())
        .isEqualTo(first.getStatus().snapshotIndex().id());
    assertThat(DirectoryTree.describe(kubelet.hostPathOf(ns.name(), "target"))).isEqualTo(atFirst);
  }

  @Test
  void aCorruptBlobFailsNamingTheFileAndLeavesTheTargetAsItWas(
      ControlPlane plane, KubeletStandIn kubelet, MinioServer minio, TestNamespace ns)
      throws IOException {
    KubernetesClient client = plane.client();
    OperatorSnapshotTest.storeAndVolume(plane, kubelet, minio, ns, tmp, 23);
    StateSnapshot snap = snapshot(client, ns, "first", PVC);
    String corruptFile;
    try (BlobStoreManager store = OperatorSnapshotTest.minioStore(minio)) {
      var repo = dev.strata.engine.format.Repository.open(store, null);
      var snapshot = new SnapshotCatalog(repo).load(snap.getStatus().snapshotIndex().id());
      dev.strata.engine.index.DirIndex root;
      try (var tree =
          new dev.strata.engine.tree.TreeReader(
              new dev.strata.engine.BlobSource(repo, null).tree(snapshot))) {
        root = tree.readAll();
      }
      var file = root.file("000042.sst");
      corruptFile = file.name();
      FileBlob blob = file.blobs().get(0);
      // Flip a byte of the blob inside its pack.
      var index = dev.strata.engine.pack.BlobIndex.load(repo);
      var at = index.location(index.find(dev.strata.engine.Hashing.unhex(blob.id())));
      String packKey = dev.strata.engine.pack.PackFile.key(at.packId());
      byte[] pack = store.get(packKey, null);
      pack[at.offset() + at.storedLength() / 2] ^= 1;
      store.put(packKey, pack, pack.length, null, null);
    }
    OperatorSnapshotTest.claim(client, ns, "target");
    Path target = kubelet.hostPathOf(ns.name(), "target");
    Files.writeString(target.resolve("existing.txt"), "was here before");
    Map<String, DirectoryTree.Entry> before = DirectoryTree.describe(target);
    restore(
        client,
        ns,
        "corrupt",
        new RestoreSource("first", null, null, null),
        new RestoreTarget("target", null, null, FROM_PVC),
        RestoreMode.Sync,
        4);
    StateRestore failed = awaitEnd(client, ns, "corrupt");
    assertThat(failed.getStatus().phase()).isEqualTo(SnapshotPhase.Failed);
    assertThat(reason(failed)).isEqualTo("Corrupt");
    assertThat(failed.getStatus().message())
        .contains(corruptFile)
        .contains("does not match its checksum");
    assertThat(DirectoryTree.describe(target)).isEqualTo(before);
  }

  @Test
  void aTargetInUseByARunningPodIsRefused(
      ControlPlane plane, KubeletStandIn kubelet, MinioServer minio, TestNamespace ns)
      throws IOException {
    KubernetesClient client = plane.client();
    OperatorSnapshotTest.storeAndVolume(plane, kubelet, minio, ns, tmp, 24);
    snapshot(client, ns, "first", PVC);
    client
        .pods()
        .inNamespace(ns.name())
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName("app")
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("app")
                .withImage("example.com/app:1")
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
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                "Running"
                    .equals(
                        client
                            .pods()
                            .inNamespace(ns.name())
                            .withName("app")
                            .get()
                            .getStatus()
                            .getPhase()));
    restore(
        client,
        ns,
        "busy",
        new RestoreSource("first", null, null, null),
        new RestoreTarget(PVC, null, null),
        RestoreMode.Sync,
        4);
    StateRestore refused = awaitEnd(client, ns, "busy");
    assertThat(reason(refused)).isEqualTo("TargetInUse");
    assertThat(refused.getStatus().message()).contains("spec.allowTargetInUse");
    assertThat(restoreJobs(client, ns)).isEmpty();
  }

  /**
   * Two StateRestores and a StateSnapshot of one PVC at once: while the first restore writes into
   * it, the second waits (TargetBusy) and so does the backup (SourceBusy), so no two runners ever
   * use the volume together (two restores would interleave their files, a backup would take a
   * half-restored volume for a good one); then all three succeed.
   */
  @Test
  void restoresAndABackupOfOneVolumeRunOneAtATime(
      ControlPlane plane, KubeletStandIn kubelet, MinioServer minio, TestNamespace ns)
      throws IOException {
    KubernetesClient client = plane.client();
    Path volume = OperatorSnapshotTest.storeAndVolume(plane, kubelet, minio, ns, tmp, 25);
    snapshot(client, ns, "first", PVC);
    OperatorSnapshotTest.claim(client, ns, "shared");
    RestoreTarget shared = new RestoreTarget("shared", null, "rocksdb", FROM_PVC);
    RestoreSource first = new RestoreSource("first", null, null, null);
    restore(client, ns, "one", first, shared, RestoreMode.Sync, 4);
    await().atMost(Duration.ofSeconds(60)).until(() -> !restoreJobs(client, ns).isEmpty());
    client
        .resources(StateSnapshot.class)
        .inNamespace(ns.name())
        .resource(OperatorSnapshotTest.snapshotOf("of-shared", "shared", "rocksdb"))
        .create();
    restore(client, ns, "two", first, shared, RestoreMode.Sync, 4);
    AtomicInteger mostAtOnce = new AtomicInteger();
    Set<String> reasons = new HashSet<>();
    await()
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(150))
        .until(
            () -> {
              mostAtOnce.accumulateAndGet(
                  (int)
                      client.batch().v1().jobs().inNamespace(ns.name()).list().getItems().stream()
                          .filter(j -> !ended(j))
                          .count(),
                  Math::max);
              List<StateRestore> restores =
                  client.resources(StateRestore.class).inNamespace(ns.name()).list().getItems();
              StateSnapshot backup =
                  client
                      .resources(StateSnapshot.class)
                      .inNamespace(ns.name())
                      .withName("of-shared")
                      .get();
              restores.stream()
                  .filter(r -> r.getStatus() != null && r.getStatus().conditions() != null)
                  .forEach(r -> reasons.add(reason(r)));
              if (backup.getStatus() != null && backup.getStatus().conditions() != null) {
                reasons.add(
                    OperatorSnapshotTest.ready(backup.getStatus().conditions()).getReason());
              }
              return restores.stream().allMatch(r -> ended(r.getStatus()))
                  && backup.getStatus() != null
                  && (backup.getStatus().phase() == SnapshotPhase.Succeeded
                      || backup.getStatus().phase() == SnapshotPhase.Failed);
            });
    assertThat(mostAtOnce.get()).as("runners using PVC shared at once").isEqualTo(1);
    assertThat(reasons).contains("TargetBusy", "SourceBusy");
    awaitSucceeded(client, ns, "one");
    awaitSucceeded(client, ns, "two");
    OperatorSnapshotTest.awaitPhase(client, ns, "of-shared", SnapshotPhase.Succeeded);
    assertThat(DirectoryTree.describe(kubelet.hostPathOf(ns.name(), "shared").resolve("rocksdb")))
        .isEqualTo(DirectoryTree.describe(volume.resolve("rocksdb")));
  }

  /**
   * A restore leaves no marker in the store: when its Job expired while the operator was down, it
   * ended JobLost though it may have succeeded. The Job and its pod now stay, deleted, until the
   * operator comes back and reads the runner's result; then they go. The Job of a StateRestore
   * deleted meanwhile is let go too.
   */
  @Test
  void aRestoreWhoseJobExpiredWhileTheOperatorWasDownSucceeds(
      ControlPlane plane, KubeletStandIn kubelet, MinioServer minio, TestNamespace ns)
      throws IOException {
    KubernetesClient client = plane.client();
    Path volume = OperatorSnapshotTest.storeAndVolume(plane, kubelet, minio, ns, tmp, 26);
    snapshot(client, ns, "first", PVC);
    OperatorSnapshotTest.claim(client, ns, "copy");
    restoreFirstIntoCopy(client, ns, "back");
    await().atMost(Duration.ofSeconds(60)).until(() -> !restoreJobs(client, ns).isEmpty());
    operator.kill();
    String jobName = restoreJobs(client, ns).get(0).getMetadata().getName();
    try {
      StateRestore before =
          client.resources(StateRestore.class).inNamespace(ns.name()).withName("back").get();
      assertThat(ended(before.getStatus()))
          .as("the operator died before it read the runner's result")
          .isFalse();
      OperatorSnapshotTest.expireWhileNoOperatorRuns(client, ns.name(), jobName);
    } finally {
      operator = OperatorProcess.start(plane.kubeconfig(), work, ENV);
    }
    StateRestore done = awaitEnd(client, ns, "back");
    assertThat(done.getStatus().phase())
        .as(done.getStatus().message())
        .isEqualTo(SnapshotPhase.Succeeded);
    assertThat(done.getStatus().jobName()).isEqualTo(jobName);
    OperatorSnapshotTest.awaitGone(client, ns.name(), jobName);
    assertThat(DirectoryTree.describe(kubelet.hostPathOf(ns.name(), "copy").resolve("rocksdb")))
        .isEqualTo(DirectoryTree.describe(volume.resolve("rocksdb")));

    // A deleted StateRestore's Job, deleted by the garbage collector, is let go: no result is owed.
    restoreFirstIntoCopy(client, ns, "dropped");
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                client.batch().v1().jobs().inNamespace(ns.name()).withName("dropped-restore").get()
                    != null);
    client.resources(StateRestore.class).inNamespace(ns.name()).withName("dropped").delete();
    OperatorSnapshotTest.awaitGone(client, ns.name(), "dropped-restore");
  }

  static void restoreFirstIntoCopy(KubernetesClient client, TestNamespace ns, String name) {
    RestoreTarget copy = new RestoreTarget("copy", null, "rocksdb", FROM_PVC);
    restore(
        client, ns, name, new RestoreSource("first", null, null, null), copy, RestoreMode.Sync, 4);
  }

  static boolean ended(StateRestoreStatus status) {
    return status != null
        && (status.phase() == SnapshotPhase.Succeeded || status.phase() == SnapshotPhase.Failed);
  }

  static List<Job> restoreJobs(KubernetesClient client, TestNamespace ns) {
    return client
        .batch()
        .v1()
        .jobs()
        .inNamespace(ns.name())
        .withLabel("strata.dev/operation", "restore")
        .list()
        .getItems();
  }

  static boolean ended(Job job) {
    return job.getStatus() != null
        && job.getStatus().getConditions() != null
        && job.getStatus().getConditions().stream()
            .anyMatch(
                c ->
                    ("Complete".equals(c.getType()) || "Failed".equals(c.getType()))
                        && "True".equals(c.getStatus()));
  }
}
