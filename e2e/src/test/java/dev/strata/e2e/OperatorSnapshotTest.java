package dev.strata.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.strata.api.v1alpha1.CredentialsSecretRef;
import dev.strata.api.v1alpha1.LocalObjectRef;
import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.api.v1alpha1.SnapshotSource;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.SnapshotStoreSpec;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.api.v1alpha1.StateSnapshotSpec;
import dev.strata.api.v1alpha1.TransferProgress;
import dev.strata.e2e.support.CommandResult;
import dev.strata.e2e.support.ControlPlane;
import dev.strata.e2e.support.ControlPlaneExtension;
import dev.strata.e2e.support.CreatedObjects;
import dev.strata.e2e.support.DirectoryTree;
import dev.strata.e2e.support.Examples;
import dev.strata.e2e.support.MinioExtension;
import dev.strata.e2e.support.MinioServer;
import dev.strata.e2e.support.OperatorProcess;
import dev.strata.e2e.support.TestNamespace;
import dev.strata.e2e.support.ThrottledProxy;
import dev.strata.e2e.support.kubelet.KubeletStandIn;
import dev.strata.engine.Progress;
import dev.strata.engine.RestoreEngine;
import dev.strata.engine.RestoreMode;
import dev.strata.engine.RestoreOptions;
import dev.strata.engine.SnapshotCatalog;
import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.RetryPolicy;
import dev.strata.engine.store.RetryingBlobStoreManager;
import dev.strata.engine.store.S3BlobStoreManager;
import dev.strata.engine.store.S3StoreConfig;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4's proof on a real API server: the operator, as a process, turns SnapshotStores and
 * StateSnapshots (applied from examples/ with kubectl) into runner Jobs that the real Job
 * controller runs through the kubelet stand-in into MinIO, and reports the result in status.
 */
@ExtendWith({ControlPlaneExtension.class, MinioExtension.class})
class OperatorSnapshotTest {

  static final Duration SNAPSHOT_TIMEOUT = Duration.ofMinutes(3);
  static final String PVC = "data-kafka-streams-0";

  static OperatorProcess operator;
  static Path work;

  @TempDir Path tmp;

  @BeforeAll
  static void startOperator(ControlPlane plane, MinioServer minio, @TempDir Path dir) {
    work = dir;
    plane.kubectl("apply", "-f", Examples.dir().resolveSibling("crds").toString()).assertSuccess();
    minio.createBucket(Examples.EXAMPLE_BUCKET);
    operator = OperatorProcess.start(plane.kubeconfig(), dir, ENV);
  }

  static final Map<String, String> ENV =
      Map.of(
          "STRATA_STORE_RECHECK_SECONDS", "600",
          "STRATA_RUNNER_RETRY_DEADLINE_SECONDS", "20");

  @AfterAll
  static void stopOperator() {
    if (operator != null) {
      operator.close();
    }
  }

  /**
   * Secret and SnapshotStore from examples/, and a PVC named as the example snapshot expects, with
   * files.
   */
  static Path storeAndVolume(
      ControlPlane plane,
      dev.strata.e2e.support.VolumeHost kubelet,
      MinioServer minio,
      TestNamespace ns,
      Path tmp,
      long seed)
      throws IOException {
    Examples.apply(plane, ns.name(), "store-credentials.yaml").assertSuccess();
    Examples.apply(plane, ns.name(), "snapshot-store.yaml").assertSuccess();
    claim(plane.client(), ns, PVC);
    Path volume = kubelet.hostPathOf(ns.name(), PVC);
    DirectoryTree.seed(volume.resolve("rocksdb"), seed, 5);
    Files.write(volume.resolve("rocksdb/000042.sst"), random(seed, 6 << 20));
    Files.writeString(volume.resolve("outside-the-path.txt"), "not part of the snapshot");
    return volume;
  }

  static void claim(KubernetesClient client, TestNamespace ns, String name) {
    claim(client, ns, name, Map.of());
  }

  /** A claim with labels of its own (what a schedule's pvcSelector matches). */
  static void claim(
      KubernetesClient client, TestNamespace ns, String name, Map<String, String> labels) {
    client
        .persistentVolumeClaims()
        .inNamespace(ns.name())
        .resource(
            new PersistentVolumeClaimBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(labels)
                .endMetadata()
                .withNewSpec()
                .withAccessModes("ReadWriteOnce")
                .withNewResources()
                .addToRequests("storage", new Quantity("1Gi"))
                .endResources()
                .endSpec()
                .build())
        .create();
  }

  static byte[] random(long seed, int size) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  static StateSnapshot awaitPhase(
      KubernetesClient client, TestNamespace ns, String name, SnapshotPhase phase) {
    await()
        .atMost(SNAPSHOT_TIMEOUT)
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> {
              StateSnapshot s =
                  client.resources(StateSnapshot.class).inNamespace(ns.name()).withName(name).get();
              SnapshotPhase now = s == null || s.getStatus() == null ? null : s.getStatus().phase();
              if (now == SnapshotPhase.Failed && phase != SnapshotPhase.Failed) {
                throw new AssertionError(
                    "snapshot " + name + " failed: " + s.getStatus().message());
              }
              return now == phase;
            });
    return client.resources(StateSnapshot.class).inNamespace(ns.name()).withName(name).get();
  }

  static StateSnapshot snapshotOf(String name, String pvc, String path) {
    StateSnapshot s = new StateSnapshot();
    s.setMetadata(new ObjectMetaBuilder().withName(name).build());
    s.setSpec(
        new StateSnapshotSpec(
            new SnapshotSource(pvc, path), new LocalObjectRef("minio"), 2, null, null, null, null));
    return s;
  }

  /**
   * The source id the operator gives a PVC and path of a namespace of this control plane: the
   * cluster is named by the kube-system namespace's UID (no STRATA_CLUSTER_ID in these tests).
   */
  static String sourceId(KubernetesClient client, String namespace, String pvc, String path) {
    return client.namespaces().withName("kube-system").get().getMetadata().getUid()
        + ":"
        + namespace
        + "/"
        + pvc
        + "/"
        + path;
  }

  public static BlobStoreManager minioStore(MinioServer minio) {
    return new RetryingBlobStoreManager(
        new S3BlobStoreManager(
            new S3StoreConfig(
                minio.endpoint(),
                Examples.EXAMPLE_BUCKET,
                "snapshots",
                minio.region(),
                true,
                minio.accessKey(),
                minio.secretKey(),
                null)),
        RetryPolicy.defaults());
  }

  public static Condition ready(List<Condition> conditions) {
    return conditions.stream().filter(c -> "Ready".equals(c.getType())).findFirst().orElseThrow();
  }

  @Test
  void snapshotFromExamplesSucceedsRestoresByteIdenticalAndTheNextUploadsOnlyTheChange(
      ControlPlane plane, KubeletStandIn kubelet, MinioServer minio, TestNamespace ns)
      throws IOException {
    KubernetesClient client = plane.client();
    Path volume = storeAndVolume(plane, kubelet, minio, ns, tmp, 1);
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
                  && "True".equals(ready(st.getStatus().conditions()).getStatus());
            });

    Examples.apply(plane, ns.name(), "state-snapshot.yaml").assertSuccess();
    StateSnapshot done =
        awaitPhase(client, ns, "kafka-streams-0-manual-1", SnapshotPhase.Succeeded);

    var index = done.getStatus().snapshotIndex();
    assertThat(index.id()).isNotBlank();
    assertThat(index.key()).startsWith("snapshots/").endsWith(index.id() + ".json.gz");
    assertThat(index.parent()).isNull();
    assertThat(index.files())
        .isEqualTo(
            DirectoryTree.describe(volume.resolve("rocksdb")).values().stream()
                .filter(e -> e.type().equals("file"))
                .count());
    // A first snapshot uploads everything but the few bytes that repeat inside the tree (the seed
    // has a hard link).
    assertThat(index.uploadedBytes() + index.reusedBytes()).isEqualTo(index.totalBytes());
    assertThat(index.reusedBytes()).isLessThan(1024);
    assertThat(done.getStatus().sourceId()).isEqualTo(sourceId(client, ns.name(), PVC, "rocksdb"));
    assertThat(done.getStatus().progress().bytesDone()).isEqualTo(index.totalBytes());
    assertThat(done.getStatus().completionTime()).isNotNull();
    assertThat(done.getMetadata().getLabels())
        .containsEntry("strata.dev/phase", "Succeeded")
        .containsEntry("strata.dev/pvc", PVC);
    assertThat(ready(done.getStatus().conditions()).getStatus()).isEqualTo("True");
    assertThat(
            plane
                .kubectl(
                    "get",
                    "statesnapshots",
                    "-n",
                    ns.name(),
                    "-l",
                    "strata.dev/phase=Succeeded",
                    "-o",
                    "name")
                .assertSuccess()
                .stdout())
        .contains("kafka-streams-0-manual-1");

    // The store holds a snapshot that restores byte-identical (and holds nothing outside
    // source.path).
    Path restored = tmp.resolve("restored");
    try (BlobStoreManager store = minioStore(minio)) {
      new RestoreEngine(store, RestoreOptions.of(RestoreMode.EMPTY), new Progress())
          .restore(new SnapshotCatalog(store).load(index.id()), restored);
    }
    assertThat(DirectoryTree.describe(restored))
        .isEqualTo(DirectoryTree.describe(volume.resolve("rocksdb")));

    // A second snapshot after a small change uploads about the change.
    Files.write(volume.resolve("rocksdb/000043.sst"), random(99, 1 << 20));
    client
        .resources(StateSnapshot.class)
        .inNamespace(ns.name())
        .resource(snapshotOf("second", PVC, "rocksdb"))
        .create();
    StateSnapshot second = awaitPhase(client, ns, "second", SnapshotPhase.Succeeded);
    assertThat(second.getStatus().snapshotIndex().parent()).isEqualTo(index.id());
    assertThat(second.getStatus().snapshotIndex().uploadedBytes())
        .isBetween((long) (1 << 20), (long) (1 << 20) + 64 * 1024);

    // Events record the start and the success.
    String events =
        plane
            .kubectl(
                "get", "events.events.k8s.io", "-n", ns.name(), "-o", "jsonpath={.items[*].reason}")
            .assertSuccess()
            .stdout();
    assertThat(events).contains("Started").contains("Succeeded");
    assertThat(operator.metrics())
        .contains("strata_snapshots_total{namespace=\"" + ns.name() + "\",result=\"succeeded\"}");

    // Deleting a snapshot (deletionPolicy Delete) removes its index from the store.
    client.resources(StateSnapshot.class).inNamespace(ns.name()).withName("second").delete();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                client
                        .resources(StateSnapshot.class)
                        .inNamespace(ns.name())
                        .withName("second")
                        .get()
                    == null);
    try (BlobStoreManager store = minioStore(minio)) {
      assertThat(new SnapshotCatalog(store).entries(null))
          .extracting(SnapshotCatalog.Entry::snapshotId)
          .contains(index.id())
          .doesNotContain(second.getStatus().snapshotIndex().id());
    }
  }

  /**
   * Progress read while a run is in flight: the store's endpoint is a proxy that passes uploads at
   * 3 MiB/s, so the runner is still uploading when the operator reads its counters from the store,
   * and the status shows them.
   */
  @Test
  void progressIsReadFromTheStoreWhileTheRunnerUploads(
      ControlPlane plane, KubeletStandIn kubelet, MinioServer minio, TestNamespace ns)
      throws IOException {
    KubernetesClient client = plane.client();
    Path volume = storeAndVolume(plane, kubelet, minio, ns, tmp, 4);
    for (int i = 0; i < 3; i++) {
      Files.write(volume.resolve("rocksdb/slow-" + i + ".sst"), random(40 + i, 8 << 20));
    }
    try (ThrottledProxy proxy = ThrottledProxy.start(minio.endpoint(), 3L << 20)) {
      SnapshotStore slow = new SnapshotStore();
      slow.setMetadata(new ObjectMetaBuilder().withName("slow").build());
      slow.setSpec(
          new SnapshotStoreSpec(
              proxy.endpoint(),
              Examples.EXAMPLE_BUCKET,
              "slow",
              minio.region(),
              true,
              new CredentialsSecretRef("minio-credentials", null, null),
              null,
              null,
              null));
      client.resources(SnapshotStore.class).inNamespace(ns.name()).resource(slow).create();
      StateSnapshot s = snapshotOf("watched", PVC, "rocksdb");
      s.setSpec(
          new StateSnapshotSpec(
              new SnapshotSource(PVC, "rocksdb"),
              new LocalObjectRef("slow"),
              1,
              null,
              null,
              null,
              null));
      client.resources(StateSnapshot.class).inNamespace(ns.name()).resource(s).create();

      TransferProgress[] seen = new TransferProgress[1];
      await()
          .atMost(SNAPSHOT_TIMEOUT)
          .pollInterval(Duration.ofMillis(200))
          .until(
              () -> {
                StateSnapshot now =
                    client
                        .resources(StateSnapshot.class)
                        .inNamespace(ns.name())
                        .withName("watched")
                        .get();
                if (now.getStatus() != null && now.getStatus().phase() == SnapshotPhase.Succeeded) {
                  throw new AssertionError(
                      "the snapshot ended before any progress in flight was seen");
                }
                TransferProgress p = now.getStatus() == null ? null : now.getStatus().progress();
                if (now.getStatus() != null
                    && now.getStatus().phase() == SnapshotPhase.Running
                    && p != null
                    && p.bytesDone() > 0
                    && p.bytesTotal() > 0
                    && p.bytesDone() < p.bytesTotal()) {
                  seen[0] = p;
                  // kstatus: a running snapshot is Reconciling.
                  assertThat(now.getStatus().conditions())
                      .extracting(x -> x.getType() + "=" + x.getStatus())
                      .containsExactly("Ready=False", "Reconciling=True", "Stalled=False");
                  return true;
                }
                return false;
              });
      StateSnapshot done = awaitPhase(client, ns, "watched", SnapshotPhase.Succeeded);
      // The total grows while the runner still scans; what was done in flight was less than the
      // snapshot holds.
      assertThat(seen[0].bytesTotal())
          .isLessThanOrEqualTo(done.getStatus().snapshotIndex().totalBytes());
      assertThat(seen[0].bytesDone()).isLessThan(done.getStatus().snapshotIndex().totalBytes());
      assertThat(done.getStatus().progress().bytesDone())
          .isEqualTo(done.getStatus().snapshotIndex().totalBytes());
    }
  }

  @Test
  void aVolumeInUseByARunningPodIsSnapshottedOnThatPodsNode(
      ControlPlane plane, KubeletStandIn kubelet, MinioServer minio, TestNamespace ns)
      throws IOException {
    KubernetesClient client = plane.client();
    storeAndVolume(plane, kubelet, minio, ns, tmp, 2);
    String node = kubelet.nodeNames().get(kubelet.nodeNames().size() - 1);
    client
        .pods()
        .inNamespace(ns.name())
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName("kafka-streams-0")
                .endMetadata()
                .withNewSpec()
                .withNodeName(node)
                .addNewContainer()
                .withName("app")
                .withImage("example.com/kafka-streams:1")
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
                            .withName("kafka-streams-0")
                            .get()
                            .getStatus()
                            .getPhase()));

    StateSnapshot done;
    List<Job> jobs;
    List<Pod> runners;
    try (CreatedObjects<Job> createdJobs = CreatedObjects.jobs(client, ns.name());
        CreatedObjects<Pod> createdPods = CreatedObjects.pods(client, ns.name())) {
      client
          .resources(StateSnapshot.class)
          .inNamespace(ns.name())
          .resource(snapshotOf("pinned", PVC, "rocksdb"))
          .create();
      done = awaitPhase(client, ns, "pinned", SnapshotPhase.Succeeded);
      jobs = createdJobs.withLabel("strata.dev/operation", "backup");
      runners = createdPods.withLabel("job-name", done.getStatus().jobName());
    }

    assertThat(jobs)
        .singleElement()
        .satisfies(
            job -> {
              var terms =
                  job.getSpec()
                      .getTemplate()
                      .getSpec()
                      .getAffinity()
                      .getNodeAffinity()
                      .getRequiredDuringSchedulingIgnoredDuringExecution()
                      .getNodeSelectorTerms();
              assertThat(terms.get(0).getMatchFields().get(0).getValues()).containsExactly(node);
            });
    assertThat(runners)
        .isNotEmpty()
        .allSatisfy(p -> assertThat(p.getSpec().getNodeName()).isEqualTo(node));

    // Once the result is recorded, the finished Job and its pod go: a finished pod that names a PVC
    // keeps
    // `kubectl delete pvc` waiting (pvc-protection).
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              assertThat(client.batch().v1().jobs().inNamespace(ns.name()).list().getItems())
                  .isEmpty();
              assertThat(
                      client
                          .pods()
                          .inNamespace(ns.name())
                          .withLabel("job-name", done.getStatus().jobName())
                          .list()
                          .getItems())
                  .isEmpty();
            });
    client.pods().inNamespace(ns.name()).withName("kafka-streams-0").delete();
    plane.kubectl("delete", "pvc", PVC, "-n", ns.name(), "--timeout=60s").assertSuccess();
  }

  @Test
  void badCredentialsMakeTheStoreNotReadyAndTheSnapshotFailWithAMessage(
      ControlPlane plane, KubeletStandIn kubelet, MinioServer minio, TestNamespace ns)
      throws IOException {
    KubernetesClient client = plane.client();
    storeAndVolume(plane, kubelet, minio, ns, tmp, 3);
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
              assertThat(st.getStatus()).isNotNull();
              assertThat(ready(st.getStatus().conditions()).getStatus()).isEqualTo("True");
            });
    // The operator re-checks stores only every STRATA_STORE_RECHECK_SECONDS (longer than this
    // test): the Secret's
    // change alone must wake the store, through an informer that caches no Secret's data.
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
                        "not-the-secret"))
                .build())
        .update();
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
              assertThat(st.getStatus()).isNotNull();
              Condition c = ready(st.getStatus().conditions());
              assertThat(c.getStatus()).isEqualTo("False");
              assertThat(c.getReason()).isEqualTo("InvalidCredentials");
              assertThat(c.getMessage()).doesNotContain("not-the-secret");
            });
    client
        .resources(StateSnapshot.class)
        .inNamespace(ns.name())
        .resource(snapshotOf("doomed", PVC, null))
        .create();
    StateSnapshot failed = awaitPhase(client, ns, "doomed", SnapshotPhase.Failed);
    assertThat(failed.getStatus().message())
        .contains("SnapshotStore minio is not ready (InvalidCredentials)");
    assertThat(client.batch().v1().jobs().inNamespace(ns.name()).list().getItems()).isEmpty();
  }

  /** The example store, volume and StateSnapshot (examples/), applied; the snapshot's name. */
  String exampleSnapshot(
      ControlPlane plane, KubeletStandIn kubelet, MinioServer minio, TestNamespace ns, long seed)
      throws IOException {
    storeAndVolume(plane, kubelet, minio, ns, tmp, seed);
    Examples.apply(plane, ns.name(), "state-snapshot.yaml").assertSuccess();
    return "kafka-streams-0-manual-1";
  }

  /**
   * The operator is down while the runner finishes, and longer than the Job's TTL: the TTL
   * controller deletes the Job, but the Job and its pod, which holds the runner's result, stay (the
   * strata.dev/result finalizer) until the operator comes back, reads the result and lets them go.
   * Without the finalizer they were gone, and only what the runner committed to the store rescued
   * the run (LostResults, still the way for a Job deleted without its finalizer).
   */
  @Test
  void aResultWhoseJobExpiredWhileTheOperatorWasDownIsStillRead(
      ControlPlane plane, KubeletStandIn kubelet, MinioServer minio, TestNamespace ns)
      throws IOException {
    KubernetesClient client = plane.client();
    String name = exampleSnapshot(plane, kubelet, minio, ns, 8);
    String jobName = awaitPhase(client, ns, name, SnapshotPhase.Running).getStatus().jobName();
    operator.kill();
    try {
      assertThat(
              client
                  .resources(StateSnapshot.class)
                  .inNamespace(ns.name())
                  .withName(name)
                  .get()
                  .getStatus()
                  .phase())
          .as("the operator died before it read the runner's result")
          .isEqualTo(SnapshotPhase.Running);
      expireWhileNoOperatorRuns(client, ns.name(), jobName);
    } finally {
      operator = OperatorProcess.start(plane.kubeconfig(), work, ENV);
    }
    StateSnapshot done = awaitPhase(client, ns, name, SnapshotPhase.Succeeded);
    assertThat(done.getStatus().jobName()).isEqualTo(jobName);
    try (BlobStoreManager store = minioStore(minio)) {
      assertThat(new SnapshotCatalog(store).summaries(done.getStatus().sourceId()))
          .singleElement()
          .satisfies(
              s -> {
                assertThat(s.snapshotId()).isEqualTo(done.getStatus().snapshotIndex().id());
                assertThat(s.stats().files()).isEqualTo(done.getStatus().snapshotIndex().files());
              });
    }
    awaitGone(client, ns.name(), jobName);
  }

  /**
   * Waits for the runner Job to finish, then deletes it as the TTL controller does once its
   * ttlSecondsAfterFinished passed (in the foreground, so the garbage collector deletes its pods
   * first), and waits until the garbage collector has: the Job and its pods are deleted, and held.
   */
  static void expireWhileNoOperatorRuns(KubernetesClient client, String ns, String jobName) {
    await()
        .atMost(SNAPSHOT_TIMEOUT)
        .until(
            () -> {
              Job job = client.batch().v1().jobs().inNamespace(ns).withName(jobName).get();
              return job.getStatus() != null
                  && job.getStatus().getSucceeded() != null
                  && job.getStatus().getSucceeded() > 0;
            });
    client
        .batch()
        .v1()
        .jobs()
        .inNamespace(ns)
        .withName(jobName)
        .withPropagationPolicy(DeletionPropagation.FOREGROUND)
        .delete();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              List<Pod> pods =
                  client.pods().inNamespace(ns).withLabel("job-name", jobName).list().getItems();
              return !pods.isEmpty()
                  && pods.stream().allMatch(p -> p.getMetadata().getDeletionTimestamp() != null);
            });
    Job held = client.batch().v1().jobs().inNamespace(ns).withName(jobName).get();
    assertThat(held).as("the expired Job is kept until its result is read").isNotNull();
    assertThat(held.getMetadata().getDeletionTimestamp()).isNotNull();
  }

  /** The operator let go of the Job and its pods once their result was recorded. */
  static void awaitGone(KubernetesClient client, String ns, String jobName) {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                client.batch().v1().jobs().inNamespace(ns).withName(jobName).get() == null
                    && client
                        .pods()
                        .inNamespace(ns)
                        .withLabel("job-name", jobName)
                        .list()
                        .getItems()
                        .isEmpty());
  }

  /**
   * A deleted StateSnapshot whose store refuses the removal (credentials revoked) stays
   * Terminating, and its CleanupFailed Warning says how to let it go: the annotation
   * strata.dev/deletion-policy=Retain, after which it goes and its snapshot stays in the bucket.
   */
  @Test
  void aDeletedSnapshotWhoseStoreRefusesGoesWhenAnnotatedRetain(
      ControlPlane plane, KubeletStandIn kubelet, MinioServer minio, TestNamespace ns)
      throws IOException {
    KubernetesClient client = plane.client();
    String name = exampleSnapshot(plane, kubelet, minio, ns, 9);
    refusedUntilAnnotatedRetain(
        client, minio, ns, awaitPhase(client, ns, name, SnapshotPhase.Succeeded));
  }

  /**
   * Revokes the store's credentials, deletes the succeeded StateSnapshot {@code done}, awaits the
   * CleanupFailed Warning naming the annotation, annotates it Retain, and checks that it goes and
   * its snapshot stays in the bucket.
   */
  static void refusedUntilAnnotatedRetain(
      KubernetesClient client, MinioServer minio, TestNamespace ns, StateSnapshot done)
      throws IOException {
    String name = done.getMetadata().getName();
    client
        .secrets()
        .inNamespace(ns.name())
        .withName("minio-credentials")
        .edit(
            s -> {
              s.setStringData(Map.of("AWS_SECRET_ACCESS_KEY", "revoked"));
              return s;
            });
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                "False"
                    .equals(
                        ready(
                                client
                                    .resources(SnapshotStore.class)
                                    .inNamespace(ns.name())
                                    .withName("minio")
                                    .get()
                                    .getStatus()
                                    .conditions())
                            .getStatus()));
    var snapshots = client.resources(StateSnapshot.class).inNamespace(ns.name());
    snapshots.withName(name).delete();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                client.resources(Event.class).inNamespace(ns.name()).list().getItems().stream()
                    .anyMatch(
                        e ->
                            "CleanupFailed".equals(e.getReason())
                                && e.getNote()
                                    .contains(
                                        "kubectl annotate statesnapshot "
                                            + name
                                            + " strata.dev/deletion-policy=Retain")));
    assertThat(snapshots.withName(name).get().getMetadata().getDeletionTimestamp()).isNotNull();
    snapshots
        .withName(name)
        .edit(
            s -> {
              s.getMetadata().setAnnotations(Map.of("strata.dev/deletion-policy", "Retain"));
              return s;
            });
    await().atMost(Duration.ofSeconds(90)).until(() -> snapshots.withName(name).get() == null);
    try (BlobStoreManager store = minioStore(minio)) {
      assertThat(new SnapshotCatalog(store).summaries(done.getStatus().sourceId()))
          .extracting(s -> s.snapshotId())
          .containsExactly(done.getStatus().snapshotIndex().id());
    }
  }

  @Test
  void aMissingPvcIsAConditionAndNoJob(ControlPlane plane, MinioServer minio, TestNamespace ns) {
    KubernetesClient client = plane.client();
    Examples.apply(plane, ns.name(), "store-credentials.yaml").assertSuccess();
    Examples.apply(plane, ns.name(), "snapshot-store.yaml").assertSuccess();
    client
        .resources(StateSnapshot.class)
        .inNamespace(ns.name())
        .resource(snapshotOf("nowhere", "no-such-pvc", null))
        .create();
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              StateSnapshot s =
                  client
                      .resources(StateSnapshot.class)
                      .inNamespace(ns.name())
                      .withName("nowhere")
                      .get();
              assertThat(s.getStatus()).isNotNull();
              assertThat(s.getStatus().phase()).isEqualTo(SnapshotPhase.Pending);
              Condition c = ready(s.getStatus().conditions());
              assertThat(c.getReason()).isEqualTo("PVCNotFound");
              assertThat(c.getMessage())
                  .contains("PersistentVolumeClaim no-such-pvc does not exist");
              // kstatus: it waits for a user to create the PVC.
              assertThat(s.getStatus().conditions())
                  .extracting(x -> x.getType() + "=" + x.getStatus() + " " + x.getReason())
                  .containsExactly(
                      "Ready=False PVCNotFound",
                      "Reconciling=False PVCNotFound",
                      "Stalled=True PVCNotFound");
            });
    // Not now, and not a moment later: the pending snapshot makes no Job while it waits.
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(
            () ->
                assertThat(client.batch().v1().jobs().inNamespace(ns.name()).list().getItems())
                    .isEmpty());
  }

  @Test
  void aStateSnapshotsSpecIsImmutable(ControlPlane plane, TestNamespace ns) {
    KubernetesClient client = plane.client();
    client
        .resources(StateSnapshot.class)
        .inNamespace(ns.name())
        .resource(snapshotOf("fixed", "some-pvc", null))
        .create();
    CommandResult r =
        plane.kubectl(
            "patch",
            "statesnapshot",
            "fixed",
            "-n",
            ns.name(),
            "--type=merge",
            "-p",
            "{\"spec\":{\"parallelism\":3}}");
    assertThat(r.exitCode()).isNotZero();
    assertThat(r.stderr()).contains("a StateSnapshot's spec is immutable");
  }
}
