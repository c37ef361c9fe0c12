package dev.strata.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.strata.api.v1alpha1.RestorePolicy;
import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.api.v1alpha1.StateRestore;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.e2e.support.ControlPlane;
import dev.strata.e2e.support.Examples;
import dev.strata.e2e.support.TestNamespace;
import dev.strata.e2e.support.node.RealCluster;
import dev.strata.e2e.support.node.RealClusterExtension;
import dev.strata.e2e.support.node.RealNode;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runner pod settings on a real node that is tainted for databases (issue 14): the node gets the
 * taint {@code dedicated=db:NoSchedule} and a pool label for the length of the test. A store's
 * spec.runner gives its runners the toleration, a nodeSelector, a priority class, annotations,
 * resources, a pull secret and the FileOwner profile (the files are root's, as the test writes
 * them), and the chart's runner.podDefaults an annotation of its own; a snapshot and a restore run
 * there with all of them on their real pods. A snapshot whose spec.runner takes the toleration away
 * stays Pending in the scheduler: its status says so with the scheduler's words while it waits, and
 * it fails at its deadline with that reason. A RestorePolicy's init container, injected by the
 * webhook into an app pod, takes the store's resources, profile and pull secret.
 */
@ExtendWith(RealClusterExtension.class)
class RunnerPodSettingsTest {

  static final String TAINT_KEY = "dedicated";
  static final String POOL_LABEL = "strata.dev/test-pool";
  static final String PRIORITY_CLASS = "strata-test-runners";
  static final String PULL_SECRET = "runner-registry";
  static RealCluster cluster;

  @BeforeAll
  static void installOperator(RealCluster realCluster, @TempDir Path dir) throws IOException {
    cluster = realCluster;
    cluster.installOperator(
        Files.writeString(
            dir.resolve("values.yaml"),
            String.join(
                "\n",
                "storeRecheckSeconds: 2",
                "progressIntervalSeconds: 1",
                "runner:",
                "  retryDeadlineSeconds: 10",
                "  podDefaults:",
                "    annotations: {example.com/cost-center: platform}",
                "webhook:",
                "  enabled: true",
                "")));
  }

  @AfterAll
  static void uninstallOperator() {
    if (cluster != null) {
      cluster.uninstallOperator();
    }
  }

  /** The store of the examples, with runner settings for a tainted database node. */
  static String store() {
    return Examples.read("snapshot-store.yaml")
        + "\n"
        + """
          runner:
            profile: FileOwner
            tolerations:
              - {key: %s, operator: Equal, value: db, effect: NoSchedule}
            nodeSelector: {%s: db}
            priorityClassName: %s
            annotations: {example.com/owner: db-team}
            resources:
              requests: {cpu: 100m, memory: 200Mi}
              limits: {memory: 640Mi}
            imagePullSecrets:
              - name: %s
        """
            .formatted(TAINT_KEY, POOL_LABEL, PRIORITY_CLASS, PULL_SECRET);
  }

  @Test
  void runnersWithTheTolerationRunOnTheTaintedNodeAndOneWithoutItSaysWhyItWaitsUntilItsDeadline(
      ControlPlane plane, RealNode node, TestNamespace ns) throws IOException {
    KubernetesClient client = plane.client();
    client
        .resource(
            new PriorityClassBuilder()
                .withNewMetadata()
                .withName(PRIORITY_CLASS)
                .endMetadata()
                .withValue(1000)
                .withDescription("runner pods of RunnerPodSettingsTest")
                .build())
        .serverSideApply();
    Examples.apply(plane, ns.name(), "store-credentials.yaml").assertSuccess();
    client
        .secrets()
        .inNamespace(ns.name())
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(PULL_SECRET)
                .endMetadata()
                .withType("kubernetes.io/dockerconfigjson")
                .addToData(
                    ".dockerconfigjson",
                    Base64.getEncoder()
                        .encodeToString("{\"auths\":{}}".getBytes(StandardCharsets.UTF_8)))
                .build())
        .create();
    HooksTest.apply(plane, ns, store());
    OperatorSnapshotTest.claim(client, ns, "state");
    OperatorSnapshotTest.claim(client, ns, "copy");
    Path volume = node.hostPathOf(ns.name(), "state");
    Files.write(
        Files.createDirectories(volume.resolve("db")).resolve("000007.sst"),
        OperatorSnapshotTest.random(1407, 2 << 20));
    Files.writeString(volume.resolve("db/CURRENT"), "MANIFEST-000001\n");

    try (PodsSeen pods = new PodsSeen(client, ns)) {
      try {
        tainted(client, true);
        // First the one that cannot run, so its deadline runs out while the others run.
        HooksTest.apply(
            plane,
            ns,
            snapshot(
                "untolerated", "  activeDeadlineSeconds: 60\n  runner:\n    tolerations: []\n"));
        HooksTest.apply(plane, ns, snapshot("tolerated", ""));

        StateSnapshot waiting = awaitReason(client, ns, "untolerated", "Unschedulable");
        assertThat(waiting.getStatus().phase()).isEqualTo(SnapshotPhase.Running);
        assertThat(waiting.getStatus().message())
            .contains("cannot be scheduled: 0/1 nodes are available")
            .contains("1 node(s) had untolerated taint")
            .contains("spec.activeDeadlineSeconds (60 s)");
        assertThat(pods.ofJob(waiting.getStatus().jobName()))
            .isNotEmpty()
            .allSatisfy(p -> assertThat(p.getStatus().getPhase()).isEqualTo("Pending"));

        StateSnapshot done =
            OperatorSnapshotTest.awaitPhase(client, ns, "tolerated", SnapshotPhase.Succeeded);
        assertThat(done.getStatus().snapshotIndex().files()).isEqualTo(2L);
        Pod backup = pods.ofJob(done.getStatus().jobName()).get(0);
        assertPlacedAsTheStoreSays(backup);

        HooksTest.apply(
            plane,
            ns,
            """
            apiVersion: strata.dev/v1alpha1
            kind: StateRestore
            metadata:
              name: back
            spec:
              source: {snapshotName: tolerated}
              target: {pvcName: copy, insteadOf: {pvcName: state}}
            """);
        StateRestore restored = OperatorRestoreTest.awaitSucceeded(client, ns, "back");
        assertThat(node.hostPathOf(ns.name(), "copy").resolve("db/000007.sst"))
            .hasSameBinaryContentAs(volume.resolve("db/000007.sst"));
        assertPlacedAsTheStoreSays(pods.ofJob(restored.getStatus().jobName()).get(0));

        // Its deadline ends the wait: Failed, with the reason it waited for and the scheduler's
        // words.
        await()
            .atMost(Duration.ofSeconds(150))
            .pollInterval(Duration.ofSeconds(1))
            .until(
                () ->
                    snapshotNamed(client, ns, "untolerated").getStatus().phase()
                        == SnapshotPhase.Failed);
        StateSnapshot failed = snapshotNamed(client, ns, "untolerated");
        assertThat(ready(failed.getStatus().conditions()).getReason()).isEqualTo("Unschedulable");
        assertThat(failed.getStatus().message())
            .contains("1 node(s) had untolerated taint")
            .endsWith("it had not started when spec.activeDeadlineSeconds (60 s) passed");
        assertThat(pods.all())
            .as("no runner pod ran without the toleration")
            .filteredOn(
                p ->
                    waiting
                        .getStatus()
                        .jobName()
                        .equals(p.getMetadata().getLabels().get("job-name")))
            .allSatisfy(p -> assertThat(p.getSpec().getNodeName()).isNull());
      } finally {
        tainted(client, false);
        client
            .resource(
                new PriorityClassBuilder()
                    .withNewMetadata()
                    .withName(PRIORITY_CLASS)
                    .endMetadata()
                    .withValue(1000)
                    .build())
            .delete();
      }
    }

    // The init container a RestorePolicy injects into an app pod takes the store's resources and
    // its pull secret.
    HooksTest.apply(
        plane,
        ns,
        """
        apiVersion: strata.dev/v1alpha1
        kind: RestorePolicy
        metadata:
          name: db
        spec:
          podSelector: {matchLabels: {app: db}}
          volumeName: data
          storeRef: {name: minio}
        """);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              RestorePolicy p =
                  client.resources(RestorePolicy.class).inNamespace(ns.name()).withName("db").get();
              return p.getStatus() != null
                  && "True".equals(ready(p.getStatus().conditions()).getStatus());
            });
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                client
                    .pods()
                    .inNamespace(ns.name())
                    .resource(appPod("probe"))
                    .dryRun()
                    .create()
                    .getSpec()
                    .getInitContainers()
                    .stream()
                    .anyMatch(c -> "strata-restore".equals(c.getName())));
    // On a claim of its own: no snapshot of it yet, so the init container starts it fresh, as a new
    // replica's would.
    OperatorSnapshotTest.claim(client, ns, "app");
    client.pods().inNamespace(ns.name()).resource(appPod("db-0")).create();
    Pod app = RestorePolicyTest.awaitRunning(client, ns, "db-0");
    Container init =
        app.getSpec().getInitContainers().stream()
            .filter(c -> "strata-restore".equals(c.getName()))
            .findFirst()
            .orElseThrow();
    assertThat(init.getResources().getRequests())
        .containsEntry("cpu", new Quantity("100m"))
        .containsEntry("memory", new Quantity("200Mi"));
    assertThat(init.getResources().getLimits()).containsEntry("memory", new Quantity("640Mi"));
    assertThat(init.getSecurityContext().getRunAsUser())
        .as("the store's FileOwner profile")
        .isZero();
    assertThat(init.getSecurityContext().getCapabilities().getAdd())
        .containsExactly("CHOWN", "DAC_OVERRIDE", "FOWNER");
    assertThat(app.getSpec().getImagePullSecrets())
        .extracting(LocalObjectReference::getName)
        .containsExactly("app-registry", PULL_SECRET);
    assertThat(app.getSpec().getTolerations())
        .as("the app pod's scheduling stays the app's")
        .noneMatch(t -> TAINT_KEY.equals(t.getKey()));
    assertThat(RestorePolicyTest.restoreState(app))
        .hasValueSatisfying(s -> assertThat(s.getTerminated().getExitCode()).isZero());
  }

  /**
   * The settings of the store's spec.runner and the chart's runner.podDefaults, on a runner pod as
   * it ran.
   */
  static void assertPlacedAsTheStoreSays(Pod pod) {
    assertThat(pod.getSpec().getNodeName()).isEqualTo(RealNode.NODE_NAME);
    assertThat(pod.getSpec().getTolerations())
        .extracting(Toleration::getKey, Toleration::getValue, Toleration::getEffect)
        .contains(org.assertj.core.groups.Tuple.tuple(TAINT_KEY, "db", "NoSchedule"));
    assertThat(pod.getSpec().getNodeSelector()).containsEntry(POOL_LABEL, "db");
    assertThat(pod.getSpec().getPriorityClassName()).isEqualTo(PRIORITY_CLASS);
    assertThat(pod.getSpec().getPriority())
        .as("resolved by the API server from the PriorityClass")
        .isEqualTo(1000);
    assertThat(pod.getMetadata().getAnnotations())
        .containsEntry("example.com/owner", "db-team")
        .containsEntry("example.com/cost-center", "platform")
        .containsEntry("sidecar.istio.io/inject", "false");
    assertThat(pod.getSpec().getImagePullSecrets())
        .extracting(LocalObjectReference::getName)
        .containsExactly(PULL_SECRET);
    Container runner = pod.getSpec().getContainers().get(0);
    assertThat(runner.getResources().getRequests()).containsEntry("cpu", new Quantity("100m"));
    assertThat(runner.getResources().getLimits()).containsEntry("memory", new Quantity("640Mi"));
  }

  static String snapshot(String name, String spec) {
    return """
        apiVersion: strata.dev/v1alpha1
        kind: StateSnapshot
        metadata:
          name: %s
        spec:
          source: {pvcName: state}
          storeRef: {name: minio}
        %s"""
        .formatted(name, spec);
  }

  /** An app pod of user 1000 on the claim "app", with a pull secret of its own. */
  static Pod appPod(String name) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .addToLabels("app", "db")
        .endMetadata()
        .withNewSpec()
        .addToImagePullSecrets(new LocalObjectReference("app-registry"))
        .withNewSecurityContext()
        .withRunAsUser(1000L)
        .withRunAsGroup(1000L)
        .withFsGroup(1000L)
        .endSecurityContext()
        .addNewContainer()
        .withName("app")
        .withImage(JourneysTest.APP_IMAGE)
        .withImagePullPolicy("Never")
        .addNewVolumeMount()
        .withName("data")
        .withMountPath("/data")
        .endVolumeMount()
        .endContainer()
        .addNewVolume()
        .withName("data")
        .withNewPersistentVolumeClaim()
        .withClaimName("app")
        .endPersistentVolumeClaim()
        .endVolume()
        .endSpec()
        .build();
  }

  /** Taints the node for databases and labels it for the pool, or takes both away again. */
  static void tainted(KubernetesClient client, boolean on) {
    client
        .nodes()
        .withName(RealNode.NODE_NAME)
        .edit(
            n -> {
              List<io.fabric8.kubernetes.api.model.Taint> taints =
                  new java.util.ArrayList<>(
                      n.getSpec().getTaints() == null ? List.of() : n.getSpec().getTaints());
              taints.removeIf(t -> TAINT_KEY.equals(t.getKey()));
              if (on) {
                taints.add(
                    new io.fabric8.kubernetes.api.model.TaintBuilder()
                        .withKey(TAINT_KEY)
                        .withValue("db")
                        .withEffect("NoSchedule")
                        .build());
                n.getMetadata().getLabels().put(POOL_LABEL, "db");
              } else {
                n.getMetadata().getLabels().remove(POOL_LABEL);
              }
              n.getSpec().setTaints(taints);
              return n;
            });
  }

  static StateSnapshot snapshotNamed(KubernetesClient client, TestNamespace ns, String name) {
    return client.resources(StateSnapshot.class).inNamespace(ns.name()).withName(name).get();
  }

  static StateSnapshot awaitReason(
      KubernetesClient client, TestNamespace ns, String name, String reason) {
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> {
              StateSnapshot s = snapshotNamed(client, ns, name);
              Condition ready =
                  s == null || s.getStatus() == null ? null : ready(s.getStatus().conditions());
              return ready != null && reason.equals(ready.getReason());
            });
    return snapshotNamed(client, ns, name);
  }

  static Condition ready(List<Condition> conditions) {
    return conditions == null
        ? null
        : conditions.stream().filter(c -> "Ready".equals(c.getType())).findFirst().orElse(null);
  }

  /**
   * Every pod of the namespace as last seen, kept after it is deleted (a finished runner Job is
   * released).
   */
  static final class PodsSeen implements Watcher<Pod>, AutoCloseable {
    final Map<String, Pod> seen = new ConcurrentHashMap<>();
    final Watch watch;

    PodsSeen(KubernetesClient client, TestNamespace ns) {
      watch = client.pods().inNamespace(ns.name()).watch(this);
    }

    @Override
    public void eventReceived(Action action, Pod pod) {
      if (action != Action.DELETED) {
        seen.put(pod.getMetadata().getName(), pod);
      }
    }

    List<Pod> all() {
      return List.copyOf(seen.values());
    }

    List<Pod> ofJob(String job) {
      return seen.values().stream()
          .filter(
              p ->
                  p.getMetadata().getLabels() != null
                      && job.equals(p.getMetadata().getLabels().get("job-name")))
          .sorted(java.util.Comparator.comparing(p -> p.getMetadata().getName()))
          .toList();
    }

    @Override
    public void onClose(WatcherException cause) {}

    @Override
    public void close() {
      watch.close();
    }
  }
}
