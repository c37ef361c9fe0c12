package dev.strata.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.api.v1alpha1.LocalObjectRef;
import dev.strata.api.v1alpha1.PodRestoreResult;
import dev.strata.api.v1alpha1.RestorePolicy;
import dev.strata.api.v1alpha1.RestorePolicySource;
import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.api.v1alpha1.SnapshotSource;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.api.v1alpha1.StateSnapshotSpec;
import dev.strata.e2e.support.CommandResult;
import dev.strata.e2e.support.ControlPlane;
import dev.strata.e2e.support.ControlPlaneExtension;
import dev.strata.e2e.support.DirectoryTree;
import dev.strata.e2e.support.Examples;
import dev.strata.e2e.support.FreePorts;
import dev.strata.e2e.support.MinioExtension;
import dev.strata.e2e.support.MinioServer;
import dev.strata.e2e.support.OperatorProcess;
import dev.strata.e2e.support.TestNamespace;
import dev.strata.e2e.support.kubelet.KubeletStandIn;
import dev.strata.engine.RestoreOptions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6's RestorePolicy proof on a real API server: the operator, as a process with its admission
 * webhook on a loopback port, injects a restore init container into the pods
 * examples/restore-policy.yaml selects; the kubelet stand-in runs it (a real strata process) before
 * the app container, against MinIO; the operator reports each restore in the policy's status and in
 * Events.
 */
@ExtendWith({ControlPlaneExtension.class, MinioExtension.class})
class RestorePolicyTest {

  static final Duration WAIT = Duration.ofMinutes(3);
  static final String PVC = "data-kafka-streams-0";
  static final String POD = "kafka-streams-0";
  static final ObjectMapper JSON = new ObjectMapper();

  static OperatorProcess operator;
  static int webhookPort;

  @TempDir Path tmp;

  @BeforeAll
  static void startOperatorWithTheWebhook(
      ControlPlane plane, MinioServer minio, @TempDir Path dir) {
    plane.kubectl("apply", "-f", Examples.dir().resolveSibling("crds").toString()).assertSuccess();
    minio.createBucket(Examples.EXAMPLE_BUCKET);
    webhookPort = FreePorts.next();
    operator =
        OperatorProcess.start(
            plane.kubeconfig(),
            dir,
            Map.of(
                "STRATA_WEBHOOK_ENABLED", "true",
                "STRATA_WEBHOOK_PORT", Integer.toString(webhookPort),
                "STRATA_WEBHOOK_URL", "https://127.0.0.1:" + webhookPort + "/mutate-pods",
                "STRATA_STORE_RECHECK_SECONDS", "30",
                "STRATA_RUNNER_RETRY_DEADLINE_SECONDS", "20"));
  }

  @AfterAll
  static void stopOperatorAndUnregisterTheWebhook(ControlPlane plane) {
    if (operator != null) {
      operator.close();
    }
    // Later test classes run operators without the webhook: leave no configuration pointing at a
    // closed port.
    plane
        .client()
        .admissionRegistration()
        .v1()
        .mutatingWebhookConfigurations()
        .withName("strata-restore-policy")
        .delete();
  }

  // ---- helpers ----

  /**
   * The example store and credentials, a PVC named like replica 0's, and (seed > 0) files in its
   * rocksdb/.
   */
  static Path storeAndVolume(
      ControlPlane plane,
      KubeletStandIn kubelet,
      MinioServer minio,
      TestNamespace ns,
      Path tmp,
      long seed)
      throws IOException {
    KubernetesClient client = plane.client();
    Examples.apply(plane, ns.name(), "store-credentials.yaml").assertSuccess();
    Examples.apply(plane, ns.name(), "snapshot-store.yaml").assertSuccess();
    client
        .persistentVolumeClaims()
        .inNamespace(ns.name())
        .resource(
            new PersistentVolumeClaimBuilder()
                .withNewMetadata()
                .withName(PVC)
                .endMetadata()
                .withNewSpec()
                .withAccessModes("ReadWriteOnce")
                .withNewResources()
                .addToRequests("storage", new Quantity("1Gi"))
                .endResources()
                .endSpec()
                .build())
        .create();
    Path volume = kubelet.hostPathOf(ns.name(), PVC);
    if (seed > 0) {
      DirectoryTree.seed(volume.resolve("rocksdb"), seed, 4);
      byte[] sst = new byte[6 << 20];
      new Random(seed).nextBytes(sst);
      Files.write(volume.resolve("rocksdb/000042.sst"), sst);
    }
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
                  && Optional.ofNullable(condition(st.getStatus().conditions()))
                      .map(c -> "True".equals(c.getStatus()))
                      .orElse(false);
            });
    return volume;
  }

  /**
   * A StateSnapshot of the PVC's rocksdb/, as an on-call engineer or a schedule would take it;
   * waits for success.
   */
  static StateSnapshot snapshot(KubernetesClient client, TestNamespace ns, String name) {
    StateSnapshot s = new StateSnapshot();
    s.setMetadata(new ObjectMetaBuilder().withName(name).build());
    s.setSpec(
        new StateSnapshotSpec(
            new SnapshotSource(PVC, "rocksdb"),
            new LocalObjectRef("minio"),
            4,
            null,
            null,
            null,
            null));
    client.resources(StateSnapshot.class).inNamespace(ns.name()).resource(s).create();
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> {
              StateSnapshot now =
                  client.resources(StateSnapshot.class).inNamespace(ns.name()).withName(name).get();
              SnapshotPhase phase = now.getStatus() == null ? null : now.getStatus().phase();
              if (phase == SnapshotPhase.Failed) {
                throw new AssertionError("snapshot failed: " + now.getStatus().message());
              }
              return phase == SnapshotPhase.Succeeded;
            });
    return client.resources(StateSnapshot.class).inNamespace(ns.name()).withName(name).get();
  }

  /**
   * examples/restore-policy.yaml, applied as is; waits until it is Ready and the API server calls
   * the webhook.
   */
  static void applyPolicy(ControlPlane plane, TestNamespace ns, Path tmp) {
    KubernetesClient client = plane.client();
    Examples.apply(plane, ns.name(), "restore-policy.yaml").assertSuccess();
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              RestorePolicy p =
                  client
                      .resources(RestorePolicy.class)
                      .inNamespace(ns.name())
                      .withName("kafka-streams")
                      .get();
              assertThat(p.getStatus()).isNotNull();
              Condition ready = condition(p.getStatus().conditions());
              assertThat(ready.getStatus())
                  .as(ready.getReason() + ": " + ready.getMessage())
                  .isEqualTo("True");
              assertThat(ready.getReason()).isEqualTo("Serving");
            });
    // A server-side dry run goes through admission like a real create, without creating anything.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              Pod probe =
                  client
                      .pods()
                      .inNamespace(ns.name())
                      .resource(appPod("probe", "kafka-streams", "data", "probe-claim"))
                      .dryRun()
                      .create();
              return probe.getSpec().getInitContainers().stream()
                  .anyMatch(c -> "strata-restore".equals(c.getName()));
            });
  }

  /**
   * An app pod (any image but the runner's is an app container to the stand-in) with a PVC volume.
   */
  static Pod appPod(String name, String app, String volume, String claim) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .addToLabels("app", app)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("app")
        .withImage("example.com/kafka-streams:1")
        .addNewVolumeMount()
        .withName(volume)
        .withMountPath("/var/lib/kafka-streams")
        .endVolumeMount()
        .endContainer()
        .addNewVolume()
        .withName(volume)
        .withNewPersistentVolumeClaim()
        .withClaimName(claim)
        .endPersistentVolumeClaim()
        .endVolume()
        .endSpec()
        .build();
  }

  static Pod awaitRunning(KubernetesClient client, TestNamespace ns, String name) {
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> {
              Pod p = client.pods().inNamespace(ns.name()).withName(name).get();
              if (p != null && "Failed".equals(p.getStatus().getPhase())) {
                throw new AssertionError("pod " + name + " failed: " + p.getStatus());
              }
              return p != null
                  && "Running".equals(p.getStatus().getPhase())
                  && appStatus(p).map(s -> s.getState().getRunning() != null).orElse(false);
            });
    return client.pods().inNamespace(ns.name()).withName(name).get();
  }

  static Optional<ContainerStatus> appStatus(Pod p) {
    return p.getStatus() == null || p.getStatus().getContainerStatuses() == null
        ? Optional.empty()
        : p.getStatus().getContainerStatuses().stream()
            .filter(s -> "app".equals(s.getName()))
            .findFirst();
  }

  static Optional<ContainerState> restoreState(Pod p) {
    return p.getStatus() == null || p.getStatus().getInitContainerStatuses() == null
        ? Optional.empty()
        : p.getStatus().getInitContainerStatuses().stream()
            .filter(s -> "strata-restore".equals(s.getName()))
            .findFirst()
            .map(ContainerStatus::getState);
  }

  static JsonNode terminationMessage(Pod p) throws IOException {
    return JSON.readTree(restoreState(p).orElseThrow().getTerminated().getMessage());
  }

  static Condition condition(List<Condition> conditions) {
    return conditions == null
        ? null
        : conditions.stream().filter(c -> "Ready".equals(c.getType())).findFirst().orElse(null);
  }

  static RestorePolicySource awaitSource(
      KubernetesClient client, TestNamespace ns, String podUid, long restoresDone) {
    String source = OperatorSnapshotTest.sourceId(client, ns.name(), PVC, "rocksdb");
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              RestorePolicy p =
                  client
                      .resources(RestorePolicy.class)
                      .inNamespace(ns.name())
                      .withName("kafka-streams")
                      .get();
              assertThat(p.getStatus().restoresDone()).isEqualTo(restoresDone);
              assertThat(p.getStatus().sources())
                  .filteredOn(s -> s.sourceId().equals(source))
                  .singleElement()
                  .satisfies(s -> assertThat(s.podUid()).isEqualTo(podUid));
            });
    return client
        .resources(RestorePolicy.class)
        .inNamespace(ns.name())
        .withName("kafka-streams")
        .get()
        .getStatus()
        .sources()
        .stream()
        .filter(s -> s.sourceId().equals(source))
        .findFirst()
        .orElseThrow();
  }

  static Event awaitPodEvent(KubernetesClient client, TestNamespace ns, String pod, String reason) {
    return awaitPodEvent(client, ns, pod, null, reason);
  }

  /** An Event about the pod (of that uid, when given: pods of one name come and go). */
  static Event awaitPodEvent(
      KubernetesClient client, TestNamespace ns, String pod, String uid, String reason) {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> podEvent(client, ns, pod, uid, reason).isPresent());
    return podEvent(client, ns, pod, uid, reason).orElseThrow();
  }

  static Optional<Event> podEvent(
      KubernetesClient client, TestNamespace ns, String pod, String uid, String reason) {
    return client.resources(Event.class).inNamespace(ns.name()).list().getItems().stream()
        .filter(
            e ->
                reason.equals(e.getReason())
                    && e.getRegarding() != null
                    && "Pod".equals(e.getRegarding().getKind())
                    && pod.equals(e.getRegarding().getName())
                    && (uid == null || uid.equals(e.getRegarding().getUid())))
        .findFirst();
  }

  static void wipe(Path volume) throws IOException {
    try (Stream<Path> all = Files.walk(volume)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).filter(p -> !p.equals(volume)).toList()) {
        Files.delete(p);
      }
    }
  }

  /**
   * Every state the API server held for a pod, in order, from a watch started before the pod is
   * created.
   */
  static final class PodHistory implements Watcher<Pod>, AutoCloseable {
    final List<Pod> seen = new CopyOnWriteArrayList<>();
    final Watch watch;

    PodHistory(KubernetesClient client, TestNamespace ns, String name) {
      watch = client.pods().inNamespace(ns.name()).withField("metadata.name", name).watch(this);
    }

    @Override
    public void eventReceived(Action action, Pod pod) {
      seen.add(pod);
    }

    @Override
    public void onClose(WatcherException cause) {}

    @Override
    public void close() {
      watch.close();
    }
  }

  // ---- tests ----

  @Test
  void aPodCreatedOnAWipedVolumeIsRestoredByteIdenticalBeforeItsAppContainerStarts(
      ControlPlane plane, KubeletStandIn kubelet, MinioServer minio, TestNamespace ns)
      throws IOException {
    KubernetesClient client = plane.client();
    Path volume = storeAndVolume(plane, kubelet, minio, ns, tmp, 11);
    Map<String, DirectoryTree.Entry> original = DirectoryTree.describe(volume.resolve("rocksdb"));
    StateSnapshot snap = snapshot(client, ns, "before-the-loss");
    wipe(volume);
    assertThat(volume).isEmptyDirectory();
    applyPolicy(plane, ns, tmp);

    Pod running;
    List<Pod> history;
    try (PodHistory watch = new PodHistory(client, ns, POD)) {
      client
          .pods()
          .inNamespace(ns.name())
          .resource(appPod(POD, "kafka-streams", "data", PVC))
          .create();
      running = awaitRunning(client, ns, POD);
      history = List.copyOf(watch.seen);
    }

    // The webhook put its init container first and marked the pod.
    assertThat(running.getSpec().getInitContainers().get(0).getName()).isEqualTo("strata-restore");
    assertThat(running.getMetadata().getLabels())
        .containsEntry("strata.dev/restore-policy", "kafka-streams");
    assertThat(running.getMetadata().getAnnotations())
        .containsEntry("strata.dev/restore-policy", "kafka-streams")
        .containsEntry(
            "strata.dev/restore-source",
            OperatorSnapshotTest.sourceId(client, ns.name(), PVC, "rocksdb"));
    // Order: the restore ran (seen running while the app waited) and ended with 0 before the app
    // container started.
    assertThat(history)
        .anySatisfy(
            p -> {
              assertThat(restoreState(p))
                  .hasValueSatisfying(s -> assertThat(s.getRunning()).isNotNull());
              assertThat(appStatus(p))
                  .hasValueSatisfying(s -> assertThat(s.getState().getRunning()).isNull());
            });
    assertThat(history)
        .filteredOn(p -> appStatus(p).map(s -> s.getState().getRunning() != null).orElse(false))
        .isNotEmpty()
        .allSatisfy(
            p ->
                assertThat(restoreState(p))
                    .hasValueSatisfying(s -> assertThat(s.getTerminated().getExitCode()).isZero()));
    Instant restoreEnded =
        Instant.parse(restoreState(running).orElseThrow().getTerminated().getFinishedAt());
    Instant appStarted =
        Instant.parse(appStatus(running).orElseThrow().getState().getRunning().getStartedAt());
    assertThat(restoreEnded).isBeforeOrEqualTo(appStarted);
    // The files are back, byte-identical, with modes and mtimes.
    assertThat(DirectoryTree.describe(volume.resolve("rocksdb"))).isEqualTo(original);

    JsonNode result = terminationMessage(running);
    assertThat(result.get("restored").asBoolean()).isTrue();
    assertThat(result.get("snapshotId").asText()).isEqualTo(snap.getStatus().snapshotIndex().id());
    assertThat(result.get("files").asLong()).isEqualTo(snap.getStatus().snapshotIndex().files());
    assertThat(result.get("downloadedBytes").asLong()).isPositive();
    assertThat(result.get("reusedBytes").asLong()).isZero();

    RestorePolicySource source = awaitSource(client, ns, running.getMetadata().getUid(), 1);
    assertThat(source.result()).isEqualTo(PodRestoreResult.Restored);
    assertThat(source.snapshotId()).isEqualTo(snap.getStatus().snapshotIndex().id());
    assertThat(source.pod()).isEqualTo(POD);
    assertThat(source.downloadedBytes()).isEqualTo(result.get("downloadedBytes").asLong());
    assertThat(source.resolvedAt()).isNotBlank();
    assertThat(awaitPodEvent(client, ns, POD, "Restored").getNote())
        .contains("restored snapshot " + snap.getStatus().snapshotIndex().id())
        .contains("downloaded")
        .contains("0 B reused");
    assertThat(plane.kubectl("get", "restorepolicies", "-n", ns.name()).assertSuccess().stdout())
        .contains("kafka-streams")
        .contains("data")
        .contains("minio")
        .contains("Serving");
  }

  @Test
  void aPodWhoseVolumeAlreadyMatchesDownloadsNothingAndAStaleOneOnlyTheDifference(
      ControlPlane plane, KubeletStandIn kubelet, MinioServer minio, TestNamespace ns)
      throws IOException {
    KubernetesClient client = plane.client();
    Path volume = storeAndVolume(plane, kubelet, minio, ns, tmp, 12);
    Map<String, DirectoryTree.Entry> original = DirectoryTree.describe(volume.resolve("rocksdb"));
    StateSnapshot snap = snapshot(client, ns, "current");
    applyPolicy(plane, ns, tmp);

    client
        .pods()
        .inNamespace(ns.name())
        .resource(appPod(POD, "kafka-streams", "data", PVC))
        .create();
    Pod first = awaitRunning(client, ns, POD);
    JsonNode result = terminationMessage(first);
    assertThat(result.get("snapshotId").asText()).isEqualTo(snap.getStatus().snapshotIndex().id());
    assertThat(result.get("downloadedBytes").asLong()).isZero();
    assertThat(result.get("reusedBytes").asLong())
        .isEqualTo(result.get("totalBytes").asLong())
        .isPositive();
    assertThat(awaitSource(client, ns, first.getMetadata().getUid(), 1).downloadedBytes()).isZero();
    assertThat(awaitPodEvent(client, ns, POD, "Restored").getNote()).contains("0 B downloaded");
    assertThat(DirectoryTree.describe(volume.resolve("rocksdb"))).isEqualTo(original);

    // The pod moves on; meanwhile its copy went stale (one 6 MiB file lost, one file that the
    // snapshot lacks).
    client.pods().inNamespace(ns.name()).withName(POD).delete();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> client.pods().inNamespace(ns.name()).withName(POD).get() == null);
    Files.delete(volume.resolve("rocksdb/000042.sst"));
    Files.writeString(volume.resolve("rocksdb/LOG.old"), "not in the snapshot");
    client
        .pods()
        .inNamespace(ns.name())
        .resource(appPod(POD, "kafka-streams", "data", PVC))
        .create();
    Pod second = awaitRunning(client, ns, POD);
    // The lost file's blobs, and what lies between them in their packs when one ranged read is
    // cheaper than two
    // (store format 2 reads across gaps of up to a range gap): never the whole snapshot again.
    long downloaded = terminationMessage(second).get("downloadedBytes").asLong();
    assertThat(downloaded).isBetween(6L << 20, (6L << 20) + 2L * RestoreOptions.DEFAULT_RANGE_GAP);
    assertThat(awaitPodEvent(client, ns, POD, second.getMetadata().getUid(), "Restored").getNote())
        .containsPattern("\\d\\.\\d MiB downloaded");
    assertThat(DirectoryTree.describe(volume.resolve("rocksdb"))).isEqualTo(original);
    assertThat(awaitSource(client, ns, second.getMetadata().getUid(), 2).downloadedBytes())
        .isEqualTo(downloaded);
  }

  @Test
  void withNoSnapshotYetThePodStartsEmptyAndAnEventSaysSo(
      ControlPlane plane, KubeletStandIn kubelet, MinioServer minio, TestNamespace ns)
      throws IOException {
    KubernetesClient client = plane.client();
    Path volume = storeAndVolume(plane, kubelet, minio, ns, tmp, 0);
    applyPolicy(plane, ns, tmp);

    client
        .pods()
        .inNamespace(ns.name())
        .resource(appPod(POD, "kafka-streams", "data", PVC))
        .create();
    Pod running = awaitRunning(client, ns, POD);

    assertThat(restoreState(running).orElseThrow().getTerminated().getExitCode()).isZero();
    JsonNode result = terminationMessage(running);
    assertThat(result.get("restored").asBoolean()).isFalse();
    assertThat(volume).isEmptyDirectory();
    String source = OperatorSnapshotTest.sourceId(client, ns.name(), PVC, "rocksdb");
    assertThat(awaitPodEvent(client, ns, POD, "FreshStart").getNote())
        .isEqualTo("no snapshot of " + source + " yet: the pod starts empty");
    RestorePolicySource entry = awaitSource(client, ns, running.getMetadata().getUid(), 1);
    assertThat(entry.result()).isEqualTo(PodRestoreResult.FreshStart);
    assertThat(entry.snapshotId()).isNull();
  }

  @Test
  void podsThePolicyDoesNotSelectOrThatLackItsVolumeAreNotMutated(
      ControlPlane plane, KubeletStandIn kubelet, MinioServer minio, TestNamespace ns)
      throws IOException {
    KubernetesClient client = plane.client();
    storeAndVolume(plane, kubelet, minio, ns, tmp, 0);
    applyPolicy(plane, ns, tmp);
    claim(client, ns, "data-web-0");
    claim(client, ns, "cache-kafka-streams-9");

    client
        .pods()
        .inNamespace(ns.name())
        .resource(appPod("web-0", "web", "data", "data-web-0"))
        .create();
    client
        .pods()
        .inNamespace(ns.name())
        .resource(appPod("kafka-streams-9", "kafka-streams", "cache", "cache-kafka-streams-9"))
        .create();

    for (String name : List.of("web-0", "kafka-streams-9")) {
      Pod p = awaitRunning(client, ns, name);
      assertThat(p.getSpec().getInitContainers()).as(name).isEmpty();
      assertThat(p.getMetadata().getAnnotations())
          .as(name)
          .doesNotContainKey("strata.dev/restore-policy");
      assertThat(p.getMetadata().getLabels())
          .as(name)
          .doesNotContainKey("strata.dev/restore-policy");
    }
  }

  @Test
  void theWebhookIsRegisteredWithTheCaOfItsOwnSecretAndIgnoresAnOutageByDefault(ControlPlane plane)
      throws Exception {
    KubernetesClient client = plane.client();
    MutatingWebhook webhook =
        client
            .admissionRegistration()
            .v1()
            .mutatingWebhookConfigurations()
            .withName("strata-restore-policy")
            .get()
            .getWebhooks()
            .get(0);
    assertThat(webhook.getClientConfig().getUrl())
        .isEqualTo("https://127.0.0.1:" + webhookPort + "/mutate-pods");
    assertThat(webhook.getFailurePolicy()).isEqualTo("Ignore");
    assertThat(webhook.getTimeoutSeconds()).isEqualTo(5);
    assertThat(webhook.getSideEffects()).isEqualTo("None");
    assertThat(webhook.getRules().get(0).getOperations()).containsExactly("CREATE");

    // The serving certificate in the Secret (operator namespace: "default" here) chains to the
    // configuration's CA.
    Secret tls = client.secrets().inNamespace("default").withName("strata-webhook-tls").get();
    CertificateFactory x509 = CertificateFactory.getInstance("X.509");
    X509Certificate serving =
        (X509Certificate)
            x509.generateCertificate(
                new ByteArrayInputStream(Base64.getDecoder().decode(tls.getData().get("tls.crt"))));
    X509Certificate ca =
        (X509Certificate)
            x509.generateCertificate(
                new ByteArrayInputStream(
                    Base64.getDecoder().decode(webhook.getClientConfig().getCaBundle())));
    serving.verify(ca.getPublicKey());
    assertThat(serving.getSubjectAlternativeNames())
        .anySatisfy(san -> assertThat(san.get(1)).isEqualTo("127.0.0.1"));
    assertThat(serving.getNotAfter().toInstant()).isAfter(Instant.now().plus(Duration.ofDays(330)));
  }

  @Test
  void invalidPoliciesAreRefusedWithAMessageThatSaysWhatToFix(ControlPlane plane, TestNamespace ns)
      throws IOException {
    String base = Examples.read("restore-policy.yaml");
    Map<String, String> cases =
        Map.of(
            base.replace("path: rocksdb", "path: /var/rocksdb"),
                "path must be relative to the volume's root",
            base.replace("path: rocksdb", "path: rocksdb\n  sourcePath: ../other"),
                "sourcePath must be relative to the volume's root and must not contain '..'",
            base.replace("failurePolicy: Fail", "failurePolicy: Fail\n  mode: Overwrite"),
                "a RestorePolicy restores in Sync mode only",
            base.replace("volumeName: data", "volumeName: Data_Volume"),
                "spec.volumeName: Invalid value: \"string\": must be a DNS label",
            base.replace("name: kafka-streams\nspec", "name: " + "k".repeat(64) + "\nspec"),
                "use at most 63 characters");
    for (var c : cases.entrySet()) {
      Path file = Files.createTempFile(tmp, "invalid", ".yaml");
      Files.writeString(file, c.getKey());
      CommandResult r = plane.kubectl("apply", "-n", ns.name(), "-f", file.toString());
      assertThat(r.exitCode()).as(c.getValue()).isNotZero();
      assertThat(r.stderr()).contains(c.getValue());
    }
  }

  @Test
  void aFailedRestoreKeepsAFailPodFromStartingAndLetsAContinuePodStartWithItsVolumeAsItWas(
      ControlPlane plane, KubeletStandIn kubelet, MinioServer minio, TestNamespace ns)
      throws IOException {
    KubernetesClient client = plane.client();
    Path volume = storeAndVolume(plane, kubelet, minio, ns, tmp, 13);
    Map<String, DirectoryTree.Entry> before = DirectoryTree.describe(volume);
    applyPolicy(plane, ns, tmp);
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

    client
        .pods()
        .inNamespace(ns.name())
        .resource(appPod(POD, "kafka-streams", "data", PVC))
        .create();
    Event failed = awaitPodEvent(client, ns, POD, "RestoreFailed");
    assertThat(failed.getNote())
        .contains(
            "restoring "
                + OperatorSnapshotTest.sourceId(client, ns.name(), PVC, "rocksdb")
                + " into pod "
                + POD
                + " failed: ")
        .contains("does not start until a retry succeeds")
        .doesNotContain("not-the-secret");
    Pod held = client.pods().inNamespace(ns.name()).withName(POD).get();
    assertThat(held.getStatus().getPhase()).isEqualTo("Pending");
    assertThat(appStatus(held))
        .hasValueSatisfying(s -> assertThat(s.getState().getRunning()).isNull());
    RestorePolicySource entry = awaitSource(client, ns, held.getMetadata().getUid(), 0);
    assertThat(entry.result()).isEqualTo(PodRestoreResult.Failed);
    assertThat(entry.message()).isNotBlank();
    assertThat(DirectoryTree.describe(volume))
        .as("a failed restore leaves the volume as it was")
        .isEqualTo(before);

    // With Continue, a new pod starts anyway, on its volume as it was, and the failure is still
    // reported.
    client.pods().inNamespace(ns.name()).withName(POD).delete();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> client.pods().inNamespace(ns.name()).withName(POD).get() == null);
    plane
        .kubectl(
            "patch",
            "restorepolicy",
            "kafka-streams",
            "-n",
            ns.name(),
            "--type=merge",
            "-p",
            "{\"spec\":{\"failurePolicy\":\"Continue\"}}")
        .assertSuccess();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              RestorePolicy p =
                  client
                      .resources(RestorePolicy.class)
                      .inNamespace(ns.name())
                      .withName("kafka-streams")
                      .get();
              assertThat(condition(p.getStatus().conditions()).getObservedGeneration())
                  .isEqualTo(2L);
              assertThat(condition(p.getStatus().conditions()).getStatus()).isEqualTo("True");
            });
    client
        .pods()
        .inNamespace(ns.name())
        .resource(appPod(POD, "kafka-streams", "data", PVC))
        .create();
    Pod started = awaitRunning(client, ns, POD);
    assertThat(terminationMessage(started).get("error").asText()).isNotBlank();
    assertThat(
            awaitPodEvent(client, ns, POD, started.getMetadata().getUid(), "RestoreFailed")
                .getNote())
        .contains("the pod starts with its volume as it was (failurePolicy Continue)");
    assertThat(awaitSource(client, ns, started.getMetadata().getUid(), 0).result())
        .isEqualTo(PodRestoreResult.Failed);
    assertThat(DirectoryTree.describe(volume)).isEqualTo(before);
  }

  static void claim(KubernetesClient client, TestNamespace ns, String name) {
    client
        .persistentVolumeClaims()
        .inNamespace(ns.name())
        .resource(
            new PersistentVolumeClaimBuilder()
                .withNewMetadata()
                .withName(name)
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
}
