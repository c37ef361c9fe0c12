package dev.strata.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.strata.api.v1alpha1.DeletionPolicy;
import dev.strata.api.v1alpha1.LocalObjectRef;
import dev.strata.api.v1alpha1.SnapshotSource;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.api.v1alpha1.StateSnapshotSpec;
import dev.strata.api.v1alpha1.VerificationSpec;
import dev.strata.e2e.support.ControlPlane;
import dev.strata.e2e.support.ControlPlaneExtension;
import dev.strata.e2e.support.Examples;
import dev.strata.e2e.support.MinioExtension;
import dev.strata.e2e.support.MinioServer;
import dev.strata.e2e.support.OperatorProcess;
import dev.strata.e2e.support.TestNamespace;
import dev.strata.e2e.support.kubelet.KubeletStandIn;
import dev.strata.engine.BlobSource;
import dev.strata.engine.Hashing;
import dev.strata.engine.Snapshot;
import dev.strata.engine.SnapshotCatalog;
import dev.strata.engine.format.Repository;
import dev.strata.engine.index.FileBlob;
import dev.strata.engine.pack.BlobIndex;
import dev.strata.engine.pack.PackFile;
import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.RetryPolicy;
import dev.strata.engine.store.RetryingBlobStoreManager;
import dev.strata.engine.store.S3BlobStoreManager;
import dev.strata.engine.store.S3StoreConfig;
import dev.strata.engine.store.StoreLayout;
import dev.strata.engine.tree.TreeReader;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16 on a real API server and MinIO: a manual snapshot with a TTL
 * (examples/state-snapshot-ttl.yaml) goes when its time comes, and the store's garbage collection
 * then takes its blobs; a store verified on a schedule reports a damaged blob (Healthy False with
 * the count, an Event, the metric), marks it damaged, and is whole again after the next backup. The
 * verified store has a prefix of its own in the bucket, so what it verifies is this test's alone.
 * The operator's clock (a file) moves forward only, so the tests run in order.
 */
@ExtendWith({ControlPlaneExtension.class, MinioExtension.class})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExpiryAndVerificationTest {

  static OperatorProcess operator;
  static TestClock clock;
  static Instant now;

  @BeforeAll
  static void startOperator(ControlPlane plane, MinioServer minio, @TempDir Path dir) {
    clock = new TestClock(dir.resolve("clock"));
    now = Instant.now();
    clock.set(now);
    plane.kubectl("apply", "-f", Examples.dir().resolveSibling("crds").toString()).assertSuccess();
    minio.createBucket(Examples.EXAMPLE_BUCKET);
    operator =
        OperatorProcess.start(
            plane.kubeconfig(),
            dir,
            Map.of(
                "STRATA_CLOCK_FILE", clock.file().toString(),
                "STRATA_STORE_RECHECK_SECONDS", "2",
                "STRATA_RUNNER_RETRY_DEADLINE_SECONDS", "20"));
  }

  @AfterAll
  static void stopOperator() {
    if (operator != null) {
      operator.close();
    }
  }

  static void advance(Duration d) {
    now = now.plus(d);
    clock.set(now);
  }

  /**
   * A store on a prefix of its own, with a collector every minute and a grace of 2 s (test-only),
   * verified as given.
   */
  static void store(
      KubernetesClient client, TestNamespace ns, MinioServer minio, VerificationSpec verification) {
    ScheduleRetentionTest.store(client, ns, minio, ns.name());
    patchSpec(
        client,
        ns,
        "{\"verification\":" + client.getKubernetesSerialization().asJson(verification) + "}");
  }

  /**
   * Merges {@code specJson} into the spec of the store "minio". A merge patch of the spec alone:
   * the operator writes the store's status meanwhile, so an edit of the whole object (with its
   * resourceVersion) could be refused as a conflict.
   */
  static void patchSpec(KubernetesClient client, TestNamespace ns, String specJson) {
    client
        .resources(SnapshotStore.class)
        .inNamespace(ns.name())
        .withName("minio")
        .patch(
            io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
            "{\"spec\":" + specJson + "}");
  }

  static BlobStoreManager bucket(MinioServer minio, TestNamespace ns) {
    return new RetryingBlobStoreManager(
        new S3BlobStoreManager(
            new S3StoreConfig(
                minio.endpoint(),
                Examples.EXAMPLE_BUCKET,
                ns.name(),
                minio.region(),
                true,
                minio.accessKey(),
                minio.secretKey(),
                null)),
        RetryPolicy.defaults());
  }

  static StateSnapshot manual(String name, String pvc, String ttl) {
    StateSnapshot s = new StateSnapshot();
    s.setMetadata(new ObjectMetaBuilder().withName(name).build());
    s.setSpec(
        new StateSnapshotSpec(
            new SnapshotSource(pvc, null),
            new LocalObjectRef("minio"),
            2,
            DeletionPolicy.Delete,
            null,
            null,
            null,
            ttl,
            null));
    return s;
  }

  /** The blob ids of one file of a committed snapshot (read from its tree). */
  static List<String> blobsOf(BlobStoreManager store, String snapshotId, String file) {
    Repository repo = Repository.open(store, null);
    Snapshot snapshot = new SnapshotCatalog(repo).load(snapshotId);
    try (TreeReader tree = new TreeReader(new BlobSource(repo, null).tree(snapshot))) {
      return tree.readAll().file(file).blobs().stream().map(FileBlob::id).toList();
    }
  }

  /** Whether the store holds the blob: its index lists it in a pack that is there. */
  static boolean exists(BlobStoreManager store, String blobId) {
    BlobIndex index = BlobIndex.load(Repository.open(store, null));
    int entry = index.find(Hashing.unhex(blobId));
    return entry >= 0 && store.stat(PackFile.key(index.packId(entry)), null).isPresent();
  }

  /** The pack readers take the blob from (its newest copy), or null when no pack holds it. */
  static String packOf(BlobStoreManager store, String blobId) {
    BlobIndex index = BlobIndex.load(Repository.open(store, null));
    int entry = index.find(Hashing.unhex(blobId));
    return entry < 0 ? null : index.packId(entry);
  }

  /**
   * Flips a byte in the middle of the blob, in its pack (its index and the pack's header stay as
   * they were); returns that pack.
   */
  static String corrupt(BlobStoreManager store, String blobId) {
    BlobIndex index = BlobIndex.load(Repository.open(store, null));
    int entry = index.find(Hashing.unhex(blobId));
    String packKey = PackFile.key(index.packId(entry));
    byte[] pack = store.get(packKey, null);
    pack[index.offset(entry) + index.storedLength(entry) / 2] ^= 1;
    store.put(packKey, pack, pack.length, null, null);
    return index.packId(entry);
  }

  @Test
  @Order(1)
  void aManualSnapshotWithATtlGoesWhenItsTimeComesAndItsBlobsAreCollected(
      ControlPlane plane, KubeletStandIn kubelet, MinioServer minio, TestNamespace ns)
      throws IOException {
    KubernetesClient client = plane.client();
    // The examples' store and a PVC as examples/state-snapshot-ttl.yaml expects, with content no
    // other test has.
    Examples.apply(plane, ns.name(), "store-credentials.yaml").assertSuccess();
    Examples.apply(plane, ns.name(), "snapshot-store.yaml").assertSuccess();
    OperatorSnapshotTest.claim(client, ns, OperatorSnapshotTest.PVC);
    Path volume = kubelet.hostPathOf(ns.name(), OperatorSnapshotTest.PVC);
    Files.createDirectories(volume.resolve("rocksdb"));
    Files.write(
        volume.resolve("rocksdb/only-here.sst"), OperatorSnapshotTest.random(1701, 2 << 20));
    Files.writeString(volume.resolve("rocksdb/CURRENT"), "MANIFEST-000001\n");
    Examples.apply(plane, ns.name(), "state-snapshot-ttl.yaml").assertSuccess();
    String name = "kafka-streams-0-before-upgrade";
    StateSnapshot done = ScheduleRetentionTest.awaitSucceeded(client, ns, name);
    String id = done.getStatus().snapshotIndex().id();
    Instant expires =
        Instant.parse(done.getMetadata().getCreationTimestamp()).plus(Duration.ofDays(7));
    assertThat(done.getStatus().expiresAt()).isEqualTo(expires.toString());
    assertThat(
            plane
                .kubectl("get", "statesnapshots", "-n", ns.name(), "-o", "wide")
                .assertSuccess()
                .stdout())
        .contains("EXPIRES")
        .contains(expires.toString());

    try (BlobStoreManager store = OperatorSnapshotTest.minioStore(minio)) {
      List<String> blobs = blobsOf(store, id, "only-here.sst");
      assertThat(blobs).isNotEmpty().allSatisfy(b -> assertThat(exists(store, b)).isTrue());

      // Not before its time...
      advance(Duration.ofDays(6));
      await()
          .during(Duration.ofSeconds(5))
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  client.resources(StateSnapshot.class).inNamespace(ns.name()).withName(name).get()
                      != null);
      // ...and gone once it has come: the object, then (deletionPolicy Delete) its index.
      now = expires.plusSeconds(1);
      clock.set(now);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  client.resources(StateSnapshot.class).inNamespace(ns.name()).withName(name).get()
                      == null);
      assertThat(new SnapshotCatalog(store).entries(null))
          .extracting(SnapshotCatalog.Entry::snapshotId)
          .doesNotContain(id);
      assertThat(plane.eventNotes(ns.name(), "reason=Expired"))
          .contains("spec.ttl 7d passed at " + expires);

      // The store's collector takes the blobs only that snapshot had. The test overlay, as in the
      // GitOps journey: a
      // collector every minute with a grace of 2 s (MinIO's object ages are real time).
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
      await()
          .atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofSeconds(3))
          .untilAsserted(
              () -> {
                advance(Duration.ofMinutes(1));
                assertThat(blobs)
                    .allSatisfy(b -> assertThat(exists(store, b)).as("blob %s", b).isFalse());
              });
    }
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
              assertThat(st.getStatus().lastGarbageCollection().result()).isEqualTo("Succeeded");
            });
  }

  static Condition healthy(KubernetesClient client, TestNamespace ns) {
    SnapshotStore st =
        client.resources(SnapshotStore.class).inNamespace(ns.name()).withName("minio").get();
    return st.getStatus() == null || st.getStatus().conditions() == null
        ? null
        : st.getStatus().conditions().stream()
            .filter(c -> "Healthy".equals(c.getType()))
            .findFirst()
            .orElse(null);
  }

  /**
   * The snapshot "first" of a claim "data" holding two files of 1 MiB (000001.sst, 000002.sst) of
   * random bytes from {@code seed}+1 and +2, once it succeeded; its id.
   */
  static String firstSnapshot(
      KubernetesClient client, KubeletStandIn kubelet, TestNamespace ns, long seed)
      throws IOException {
    OperatorSnapshotTest.claim(client, ns, "data");
    Path volume = kubelet.hostPathOf(ns.name(), "data");
    Files.write(volume.resolve("000001.sst"), OperatorSnapshotTest.random(seed + 1, 1 << 20));
    Files.write(volume.resolve("000002.sst"), OperatorSnapshotTest.random(seed + 2, 1 << 20));
    client
        .resources(StateSnapshot.class)
        .inNamespace(ns.name())
        .resource(manual("first", "data", null))
        .create();
    return ScheduleRetentionTest.awaitSucceeded(client, ns, "first")
        .getStatus()
        .snapshotIndex()
        .id();
  }

  @Test
  @Order(2)
  void aScheduledVerificationFindsALostBlobMarksItDamagedAndTheNextBackupMakesTheStoreWholeAgain(
      ControlPlane plane, KubeletStandIn kubelet, MinioServer minio, TestNamespace ns)
      throws IOException {
    KubernetesClient client = plane.client();
    store(client, ns, minio, new VerificationSpec("* * * * *", null, true, null, null, null));
    String id = firstSnapshot(client, kubelet, ns, 1800);

    // A due minute after the snapshot: every blob read, no damage.
    advance(Duration.ofMinutes(2));
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              Condition h = healthy(client, ns);
              assertThat(h.getStatus()).isEqualTo("True");
              assertThat(h.getReason()).isEqualTo("Verified");
              assertThat(h.getMessage())
                  .startsWith("1 snapshots verified, every blob read: no damage");
            });
    assertThat(operator.metrics())
        .contains(
            "strata_store_damaged_snapshots{namespace=\"" + ns.name() + "\",store=\"minio\"} 0.0");

    // A blob is damaged in the bucket (a byte of it flipped in its pack): the next verification,
    // which reads every
    // blob, finds it, and repair marks it damaged.
    try (BlobStoreManager store = bucket(minio, ns)) {
      String lost = blobsOf(store, id, "000002.sst").get(0);
      String damagedPack = corrupt(store, lost);
      await()
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofMillis(500))
          .untilAsserted(
              () -> {
                advance(Duration.ofMinutes(1));
                Condition h = healthy(client, ns);
                assertThat(h.getStatus()).isEqualTo("False");
                assertThat(h.getReason()).isEqualTo("Damaged");
                assertThat(h.getMessage()).startsWith("1 damaged snapshots (" + id + ")");
              });
      SnapshotStore st =
          client.resources(SnapshotStore.class).inNamespace(ns.name()).withName("minio").get();
      assertThat(st.getStatus().lastVerification().damaged()).containsExactly(id);
      assertThat(st.getStatus().lastVerification().blobsMarkedDamaged()).isEqualTo(1);
      assertThat(st.getStatus().lastVerification().reason())
          .as("it ran to its end (exit 1 with its report): damage found is no failure")
          .isNull();
      assertThat(store.stat(StoreLayout.damagedKey(lost), null)).as("marked damaged").isPresent();
      assertThat(operator.metrics())
          .contains(
              "strata_store_damaged_snapshots{namespace=\""
                  + ns.name()
                  + "\",store=\"minio\"} 1.0");
      assertThat(plane.eventNotes(ns.name(), "reason=Damaged")).contains(id);

      // The next backup of the source stores the lost content again; the next verification finds
      // every snapshot whole.
      client
          .resources(StateSnapshot.class)
          .inNamespace(ns.name())
          .resource(manual("second", "data", null))
          .create();
      ScheduleRetentionTest.awaitSucceeded(client, ns, "second");
      // Stored again in a new pack, which readers take it from (a verification that was reading the
      // damaged copy meanwhile
      // may mark it once more; the next one finds it whole).
      assertThat(packOf(store, lost)).as("stored again").isNotNull().isNotEqualTo(damagedPack);
      await()
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofMillis(500))
          .untilAsserted(
              () -> {
                advance(Duration.ofMinutes(1));
                Condition h = healthy(client, ns);
                assertThat(h.getStatus()).isEqualTo("True");
                assertThat(h.getMessage()).startsWith("2 snapshots verified");
              });
    }
    assertThat(operator.metrics())
        .contains(
            "strata_store_damaged_snapshots{namespace=\"" + ns.name() + "\",store=\"minio\"} 0.0")
        .contains(
            "strata_verify_runs_total{namespace=\""
                + ns.name()
                + "\",result=\"succeeded\",store=\"minio\"}");
  }
}
