package dev.strata.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.api.v1alpha1.SnapshotStore;
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
import dev.strata.engine.BackupEngine;
import dev.strata.engine.BackupOptions;
import dev.strata.engine.Progress;
import dev.strata.engine.Snapshot;
import dev.strata.engine.format.UserKey;
import dev.strata.engine.store.BlobStoreManager;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster upgraded from a Strata whose source ids had no cluster ({@code namespace/pvc/path}):
 * the snapshot an older runner left in the bucket, whose StateSnapshot is gone (deleted with
 * Retain), is imported by the store's catalog, is what "latest of the PVC" restores
 * (examples/restore.yaml unchanged), and is the base of the PVC's next snapshot, which is taken
 * under the cluster's id and uploads nothing it already holds. An imported StateSnapshot that is
 * deleted comes back with the next reading, since its snapshot is still in the bucket. The
 * snapshots of an encrypted store are read with the key of its Secret.
 */
@ExtendWith({ControlPlaneExtension.class, MinioExtension.class})
class CatalogAndLegacyIdsTest {

  static final String PVC = OperatorSnapshotTest.PVC;
  static OperatorProcess operator;

  @TempDir Path tmp;

  @BeforeAll
  static void startOperator(ControlPlane plane, MinioServer minio, @TempDir Path dir) {
    plane.kubectl("apply", "-f", Examples.dir().resolveSibling("crds").toString()).assertSuccess();
    minio.createBucket(Examples.EXAMPLE_BUCKET);
    operator =
        OperatorProcess.start(
            plane.kubeconfig(),
            dir,
            Map.of(
                "STRATA_STORE_RECHECK_SECONDS", "2",
                "STRATA_RUNNER_RETRY_DEADLINE_SECONDS", "20"));
  }

  @AfterAll
  static void stopOperator() {
    if (operator != null) {
      operator.close();
    }
  }

  static List<StateSnapshot> imported(KubernetesClient client, TestNamespace ns) {
    return client
        .resources(StateSnapshot.class)
        .inNamespace(ns.name())
        .withLabel("strata.dev/imported", "true")
        .list()
        .getItems();
  }

  static void readCatalogNow(ControlPlane plane, TestNamespace ns) {
    plane
        .kubectl(
            "patch",
            "snapshotstore",
            "minio",
            "-n",
            ns.name(),
            "--type=merge",
            "-p",
            "{\"spec\":{\"catalog\":{\"requestedAt\":\"" + Instant.now() + "\"}}}")
        .assertSuccess();
  }

  @Test
  void aSnapshotOfTheFormerIdIsImportedRestoredAsTheLatestAndIsTheBaseOfTheNext(
      ControlPlane plane, KubeletStandIn kubelet, MinioServer minio, TestNamespace ns)
      throws IOException {
    KubernetesClient client = plane.client();
    // What an older operator's runner wrote for a StateSnapshot since deleted with deletionPolicy
    // Retain.
    OperatorSnapshotTest.claim(client, ns, PVC);
    Path volume = kubelet.hostPathOf(ns.name(), PVC);
    DirectoryTree.seed(volume.resolve("rocksdb"), 1901, 4);
    String legacyId = ns.name() + "/" + PVC + "/rocksdb";
    Snapshot old;
    try (BlobStoreManager store = OperatorSnapshotTest.minioStore(minio)) {
      old =
          new BackupEngine(
                  store,
                  BackupOptions.defaults()
                      .withCreatedBy(
                          "statesnapshot/" + ns.name() + "/nightly-old/" + UUID.randomUUID()),
                  new Progress())
              .withLabels(Map.of("strata.dev/schedule", "nightly"))
              .backup(volume.resolve("rocksdb"), legacyId)
              .index();
    }
    Map<String, DirectoryTree.Entry> tree = DirectoryTree.describe(volume.resolve("rocksdb"));

    // The store (examples/, unchanged) reads the bucket and imports it: no cluster label, since it
    // names none.
    Examples.apply(plane, ns.name(), "store-credentials.yaml").assertSuccess();
    Examples.apply(plane, ns.name(), "snapshot-store.yaml").assertSuccess();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () ->
                assertThat(imported(client, ns))
                    .singleElement()
                    .satisfies(
                        s -> {
                          assertThat(s.getSpec().snapshotId()).isEqualTo(old.snapshotId());
                          assertThat(s.getStatus()).isNotNull();
                          assertThat(s.getStatus().phase()).isEqualTo(SnapshotPhase.Succeeded);
                          assertThat(s.getStatus().sourceId()).isEqualTo(legacyId);
                          assertThat(s.getMetadata().getLabels())
                              .doesNotContainKey("strata.dev/source-cluster")
                              .containsEntry("strata.dev/origin-schedule", "nightly");
                        }));
    String importedName = imported(client, ns).get(0).getMetadata().getName();
    SnapshotStore st =
        client.resources(SnapshotStore.class).inNamespace(ns.name()).withName("minio").get();
    assertThat(st.getStatus().catalog().imported()).isEqualTo(1);
    assertThat(st.getStatus().catalog().lastSyncTime()).isNotNull();

    // "Latest of the PVC" (examples/restore.yaml) is that snapshot: this cluster's, from before
    // clusters were named.
    Examples.apply(plane, ns.name(), "restore.yaml").assertSuccess();
    StateRestore restored = OperatorRestoreTest.awaitSucceeded(client, ns, JourneysTest.RESTORE);
    assertThat(restored.getStatus().resolvedSnapshot().id()).isEqualTo(old.snapshotId());
    assertThat(restored.getStatus().resolvedSnapshot().snapshotName()).isEqualTo(importedName);
    assertThat(
            DirectoryTree.describe(
                kubelet.hostPathOf(ns.name(), JourneysTest.RESTORED_PVC).resolve("rocksdb")))
        .isEqualTo(tree);

    // The PVC's next snapshot (examples/state-snapshot.yaml) is taken under this cluster's id,
    // diffed against it.
    Examples.apply(plane, ns.name(), "state-snapshot.yaml").assertSuccess();
    StateSnapshot next =
        OperatorSnapshotTest.awaitPhase(client, ns, JourneysTest.SNAPSHOT, SnapshotPhase.Succeeded);
    assertThat(next.getStatus().sourceId())
        .isEqualTo(OperatorSnapshotTest.sourceId(client, ns.name(), PVC, "rocksdb"));
    assertThat(next.getStatus().snapshotIndex().parent()).isEqualTo(old.snapshotId());
    assertThat(next.getStatus().snapshotIndex().uploadedBytes())
        .as("unchanged files are neither read nor uploaded")
        .isZero();

    // Deleting the imported StateSnapshot keeps the snapshot in the bucket (Retain): the next
    // reading brings it back.
    client.resources(StateSnapshot.class).inNamespace(ns.name()).withName(importedName).delete();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                client
                        .resources(StateSnapshot.class)
                        .inNamespace(ns.name())
                        .withName(importedName)
                        .get()
                    == null);
    readCatalogNow(plane, ns);
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () ->
                assertThat(imported(client, ns))
                    .extracting(s -> s.getMetadata().getName())
                    .containsExactly(importedName));
    // The snapshot this cluster took has its own StateSnapshot: never imported.
    assertThat(client.resources(StateSnapshot.class).inNamespace(ns.name()).list().getItems())
        .hasSize(2);
  }

  /**
   * An encrypted store (format 2, spec.encryption): the operator reads its snapshots with the key
   * of the Secret the store names, as its runners do; until that Secret exists they count as
   * unreadable, with the reason.
   */
  @Test
  void anEncryptedStoresSnapshotsAreImportedWithTheKeyOfItsSecret(
      ControlPlane plane, MinioServer minio, TestNamespace ns) throws IOException {
    KubernetesClient client = plane.client();
    Path src = Files.createDirectories(tmp.resolve("src"));
    DirectoryTree.seed(src, 1951, 2);
    String key = "a long random string " + UUID.randomUUID();
    String sourceId = "lost-cluster:" + ns.name() + "/data/";
    Snapshot taken;
    try (BlobStoreManager store = ExpiryAndVerificationTest.bucket(minio, ns)) {
      taken =
          new BackupEngine(
                  store, BackupOptions.defaults().withKey(UserKey.of(key, "test")), new Progress())
              .withLabels(Map.of("strata.dev/schedule", "nightly"))
              .backup(src, sourceId)
              .index();
    }
    Examples.apply(plane, ns.name(), "store-credentials.yaml").assertSuccess();
    Examples.apply(
            plane,
            ns.name(),
            Examples.read("snapshot-store.yaml")
                    .replace("prefix: snapshots", "prefix: " + ns.name())
                + "  encryption:\n    keySecretRef: {name: store-key, key: key}\n",
            tmp)
        .assertSuccess();

    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              SnapshotStore st =
                  client
                      .resources(SnapshotStore.class)
                      .inNamespace(ns.name())
                      .withName("minio")
                      .get();
              assertThat(st.getStatus()).isNotNull();
              assertThat(st.getStatus().catalog()).isNotNull();
              assertThat(st.getStatus().catalog().unreadable()).isEqualTo(1);
              assertThat(st.getStatus().catalog().message()).contains("store-key");
            });
    assertThat(imported(client, ns)).isEmpty();

    client
        .secrets()
        .inNamespace(ns.name())
        .resource(
            new io.fabric8.kubernetes.api.model.SecretBuilder()
                .withNewMetadata()
                .withName("store-key")
                .endMetadata()
                .addToStringData("key", key)
                .build())
        .create();
    readCatalogNow(plane, ns);
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () ->
                assertThat(imported(client, ns))
                    .singleElement()
                    .satisfies(
                        s -> {
                          assertThat(s.getSpec().snapshotId()).isEqualTo(taken.snapshotId());
                          assertThat(s.getStatus()).isNotNull();
                          assertThat(s.getStatus().phase()).isEqualTo(SnapshotPhase.Succeeded);
                          assertThat(s.getStatus().sourceId()).isEqualTo(sourceId);
                          assertThat(s.getStatus().snapshotIndex().files())
                              .isEqualTo(taken.stats().files());
                          assertThat(s.getMetadata().getLabels())
                              .containsEntry("strata.dev/source-cluster", "lost-cluster")
                              .containsEntry("strata.dev/origin-schedule", "nightly");
                        }));
    assertThat(
            client
                .resources(SnapshotStore.class)
                .inNamespace(ns.name())
                .withName("minio")
                .get()
                .getStatus()
                .catalog()
                .unreadable())
        .isZero();
  }
}
