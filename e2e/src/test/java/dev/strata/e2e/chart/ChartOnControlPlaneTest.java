package dev.strata.e2e.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.strata.api.v1alpha1.LocalObjectRef;
import dev.strata.api.v1alpha1.RestorePolicy;
import dev.strata.api.v1alpha1.RetentionPolicy;
import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.api.v1alpha1.SnapshotSchedule;
import dev.strata.api.v1alpha1.SnapshotSource;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.SnapshotStoreSpec;
import dev.strata.api.v1alpha1.StateRestore;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.api.v1alpha1.StateSnapshotSpec;
import dev.strata.api.v1alpha1.StoreCredentials;
import dev.strata.api.v1alpha1.WebIdentityCredentials;
import dev.strata.e2e.support.ControlPlane;
import dev.strata.e2e.support.DirectoryTree;
import dev.strata.e2e.support.Examples;
import dev.strata.e2e.support.FreePorts;
import dev.strata.e2e.support.Helm;
import dev.strata.e2e.support.MinioExtension;
import dev.strata.e2e.support.MinioServer;
import dev.strata.e2e.support.OperatorProcess;
import dev.strata.e2e.support.TokenKubeconfig;
import dev.strata.e2e.support.kubelet.KubeletStandIn;
import dev.strata.engine.SnapshotCatalog;
import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.RetryPolicy;
import dev.strata.engine.store.RetryingBlobStoreManager;
import dev.strata.engine.store.S3BlobStoreManager;
import dev.strata.engine.store.S3StoreConfig;
import dev.strata.operator.OperatorSettings;
import dev.strata.operator.restore.RestoreJobBuilder;
import dev.strata.operator.snapshot.RunnerJobBuilder;
import dev.strata.operator.webhook.WebhookSettings;
import dev.strata.operator.webhook.WebhookTlsSecret;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart installed like a user would, minus the Deployment (no images here): its CRDs,
 * ServiceAccount and RBAC on a real control plane with RBAC on, and the operator run as a process
 * that authenticates with that ServiceAccount's token (TokenRequest API) and the environment the
 * chart's Deployment gives it. The control plane is this class's own, because it is configured like
 * a hardened cluster: the OwnerReferencesPermissionEnforcement admission plugin is on (as on
 * OpenShift), and the API server writes an audit log of every ServiceAccount's requests, so the
 * test sees exactly what the operator asked for: any refused request fails the test, and so does
 * any granted permission that no flow used. The flows: store, snapshot, deletion (also of a running
 * one), schedule, retention, garbage collection, restore and leader failover with the default
 * values; the same with Roles only (watchNamespaces); the RestorePolicy webhook (restore,
 * certificate rotation, repaired configuration); helm install/upgrade/uninstall; and the
 * permissions that are not requests of their own, removed one at a time.
 */
@ExtendWith(MinioExtension.class)
class ChartOnControlPlaneTest {

  static final Duration SNAPSHOT_TIMEOUT = Duration.ofMinutes(2);
  static final String PVC = "data-kafka-streams-0";
  static final Duration TOKEN_LIFETIME = Duration.ofHours(1);

  static ControlPlane plane;
  static Path work;
  static Path auditLog;
  static final Helm HELM = Helm.installed();
  static final List<OperatorProcess> operators = new ArrayList<>();

  /** The operators' clock file while a test moves their clock (null: the system clock). */
  static Path clockFile;

  @RegisterExtension
  static final TestWatcher DIAGNOSTICS =
      new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
          if (plane == null) {
            return;
          }
          StringBuilder report =
              new StringBuilder(
                  "\n===== chart e2e diagnostics for " + context.getDisplayName() + " =====\n");
          report.append(plane.diagnostics(30));
          for (OperatorProcess op : operators) {
            report
                .append("---- operator ")
                .append(op.logFile())
                .append(" ----\n")
                .append(op.tail(80))
                .append('\n');
          }
          KubeletStandIn kubelet = plane.kubeletIfStarted();
          if (kubelet != null) {
            report.append(kubelet.diagnostics(null, 40));
          }
          System.err.println(report);
        }
      };

  @BeforeAll
  static void startControlPlane(@TempDir Path dir, MinioServer minio) throws IOException {
    work = dir;
    Path policy = Files.writeString(dir.resolve("audit-policy.yaml"), AuditLog.POLICY);
    auditLog = dir.resolve("audit.log");
    plane =
        ControlPlane.start(
            List.of(
                "--enable-admission-plugins=OwnerReferencesPermissionEnforcement",
                "--audit-policy-file=" + policy,
                "--audit-log-path=" + auditLog,
                "--audit-log-format=json",
                "--audit-log-mode=blocking"));
    minio.createBucket(Examples.EXAMPLE_BUCKET);
    // The chart's CRDs, as `helm install` applies them from its crds/ directory.
    RenderedChart crds = RenderedChart.render(HELM, "strata", "default", "--include-crds");
    for (CustomResourceDefinition crd : crds.all(CustomResourceDefinition.class)) {
      plane.client().resource(crd).create();
    }
    for (CustomResourceDefinition crd : crds.all(CustomResourceDefinition.class)) {
      plane
          .client()
          .apiextensions()
          .v1()
          .customResourceDefinitions()
          .resource(crd)
          .waitUntilCondition(
              c ->
                  c.getStatus() != null
                      && c.getStatus().getConditions().stream()
                          .anyMatch(
                              x ->
                                  "Established".equals(x.getType())
                                      && "True".equals(x.getStatus())),
              30,
              java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  @AfterEach
  void stopOperators() {
    operators.forEach(OperatorProcess::close);
    operators.clear();
    clockFile = null;
  }

  static void setClock(Path file, Instant t) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(tmp, t.toString());
    Files.move(
        tmp,
        file,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  static List<StateSnapshot> scheduled(String ns) {
    return plane
        .client()
        .resources(StateSnapshot.class)
        .inNamespace(ns)
        .withLabel("strata.dev/schedule", "hourly")
        .list()
        .getItems();
  }

  static List<String> awaitScheduled(String ns, int count) {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(300))
        .until(() -> scheduled(ns).size() == count);
    return scheduled(ns).stream().map(x -> x.getMetadata().getName()).toList();
  }

  @AfterAll
  static void stopControlPlane() throws IOException {
    if (plane != null) {
      plane.close();
    }
    // Kept for a look after the run: every request of every ServiceAccount, with its answer.
    if (auditLog != null && Files.exists(auditLog)) {
      Path kept = Path.of("target", "chart-e2e-audit.log");
      Files.createDirectories(kept.toAbsolutePath().getParent());
      Files.copy(auditLog, kept, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
  }

  // ---------------------------------------------------------------------------------------------------------------

  @Test
  void allNamespacesInstallRunsTheCoreFlowsAsItsServiceAccountAndFailsOver(MinioServer minio)
      throws IOException {
    KubernetesClient admin = plane.client();
    KubeletStandIn kubelet = plane.kubelet();
    String releaseNs = restrictedNamespace("strata-system");
    // Defaults, but schedules and retention polled every second or two, so that a moved clock takes
    // effect at once.
    RenderedChart chart =
        RenderedChart.render(
            HELM,
            "strata",
            releaseNs,
            "--set",
            "schedulePollSeconds=1",
            "--set",
            "retentionIntervalSeconds=2");
    install(chart);
    admitsTheOperatorPod(chart, releaseNs);
    Path kubeconfig =
        TokenKubeconfig.forServiceAccount(
            plane, releaseNs, "strata", TOKEN_LIFETIME, work.resolve("strata.kubeconfig"));
    Path clock = work.resolve("clock");
    setClock(clock, Instant.now());
    clockFile = clock;

    OperatorProcess first = start(chart, kubeconfig, releaseNs, "strata-6d5f8b7c4-first");
    awaitLeader(releaseNs, "strata-6d5f8b7c4-first");

    // A store becomes Ready (its Secret read with the ServiceAccount's rights; status patched).
    String ns = restrictedNamespace("team-a");
    Examples.apply(plane, ns, "store-credentials.yaml").assertSuccess();
    Examples.apply(plane, ns, "snapshot-store.yaml").assertSuccess();
    awaitStoreReady(ns, "minio", "True", "Reachable");

    // A RestorePolicy while the webhook is off (the default): its status says so.
    Examples.apply(plane, ns, "restore-policy.yaml").assertSuccess();
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              RestorePolicy p =
                  admin
                      .resources(RestorePolicy.class)
                      .inNamespace(ns)
                      .withName("kafka-streams")
                      .get();
              assertThat(p.getStatus()).isNotNull();
              assertThat(ready(p.getStatus().conditions()).getReason())
                  .isEqualTo("WebhookDisabled");
            });

    // A snapshot of a PVC with files succeeds: finalizer, runner Job (admitted under
    // OwnerReferencesPermissionEnforcement
    // and the restricted Pod Security level), pods read for the result, Events, status and labels
    // written.
    claim(ns, PVC);
    Path volume = kubelet.hostPathOf(ns, PVC);
    DirectoryTree.seed(volume.resolve("rocksdb"), 7, 3);
    Examples.apply(plane, ns, "state-snapshot.yaml").assertSuccess();
    StateSnapshot first1 = awaitPhase(ns, "kafka-streams-0-manual-1", SnapshotPhase.Succeeded);
    long files =
        DirectoryTree.describe(volume.resolve("rocksdb")).values().stream()
            .filter(e -> e.type().equals("file"))
            .count();
    assertThat(first1.getStatus().snapshotIndex().files()).isEqualTo(files);
    assertThat(first1.getMetadata().getFinalizers())
        .containsExactly("statesnapshots.strata.dev/finalizer");
    assertThat(first1.getMetadata().getLabels()).containsEntry("strata.dev/phase", "Succeeded");
    // The Events, read the ways docs/operations.md shows.
    assertThat(
            plane
                .kubectl(
                    "get",
                    "events.events.k8s.io",
                    "-n",
                    ns,
                    "--sort-by=.metadata.creationTimestamp",
                    "--field-selector",
                    "regarding.kind=StateSnapshot")
                .assertSuccess()
                .stdout())
        .contains("Started")
        .contains("Succeeded");
    assertThat(
            plane
                .kubectl(
                    "get",
                    "events",
                    "-n",
                    ns,
                    "--field-selector",
                    "involvedObject.name=kafka-streams-0-manual-1")
                .assertSuccess()
                .stdout())
        .contains("Started")
        .contains("Succeeded");
    assertThat(
            plane
                .kubectl(
                    "get",
                    "statesnapshot",
                    "-n",
                    ns,
                    "kafka-streams-0-manual-1",
                    "-o",
                    "jsonpath={range .status.conditions[*]}{.type}={.status} {.reason}: {.message}{\"\\n\"}{end}")
                .assertSuccess()
                .stdout())
        .startsWith("Ready=True Succeeded: ");

    // A missing PVC is a condition, not an error.
    admin
        .resources(StateSnapshot.class)
        .inNamespace(ns)
        .resource(snapshot("nowhere", "no-such-pvc"))
        .create();
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              StateSnapshot s =
                  admin.resources(StateSnapshot.class).inNamespace(ns).withName("nowhere").get();
              assertThat(s.getStatus()).isNotNull();
              assertThat(s.getStatus().phase()).isEqualTo(SnapshotPhase.Pending);
              assertThat(ready(s.getStatus().conditions()).getReason()).isEqualTo("PVCNotFound");
            });

    // A store whose CA bundle is in a ConfigMap: the operator reads it (and then finds nothing
    // listening).
    admin
        .configMaps()
        .inNamespace(ns)
        .resource(
            new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                .withNewMetadata()
                .withName("store-ca")
                .endMetadata()
                .addToData("ca.crt", Files.readString(plane.caCertificate()))
                .build())
        .create();
    Examples.apply(
            plane,
            ns,
            String.join(
                "\n",
                "apiVersion: strata.dev/v1alpha1",
                "kind: SnapshotStore",
                "metadata:",
                "  name: tls",
                "spec:",
                "  endpoint: https://127.0.0.1:" + FreePorts.next(),
                "  bucket: strata",
                "  pathStyle: true",
                "  credentialsSecretRef:",
                "    name: minio-credentials",
                "  caBundle:",
                "    configMapRef:",
                "      name: store-ca",
                "      key: ca.crt",
                ""),
            work)
        .assertSuccess();
    awaitStoreReady(ns, "tls", "False", "Unreachable");

    // A web identity store whose runners' ServiceAccount does not exist: the operator looks for it
    // and says so.
    SnapshotStore irsa = new SnapshotStore();
    irsa.setMetadata(
        new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("irsa").build());
    irsa.setSpec(
        new SnapshotStoreSpec(
            null,
            "strata",
            null,
            "eu-west-1",
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            new StoreCredentials(
                null,
                new WebIdentityCredentials(
                    "arn:aws:iam::123456789012:role/strata-backup", "strata-runner", null, null))));
    admin.resources(SnapshotStore.class).inNamespace(ns).resource(irsa).create();
    awaitStoreReady(ns, "irsa", "False", "ServiceAccountNotFound");

    // Deleting a snapshot whose runner cannot start: the operator deletes the runner Job first,
    // then lets it go.
    // The PVC's user is bound to a node that does not exist, so the runner, pinned next to it, is
    // never scheduled.
    claim(ns, "data-stuck");
    kubelet.hostPathOf(ns, "data-stuck");
    admin.pods().inNamespace(ns).resource(appPodOn("node-gone", "data-stuck")).create();
    admin
        .resources(StateSnapshot.class)
        .inNamespace(ns)
        .resource(snapshot("stuck", "data-stuck"))
        .create();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              StateSnapshot s =
                  admin.resources(StateSnapshot.class).inNamespace(ns).withName("stuck").get();
              return s.getStatus() != null && s.getStatus().jobName() != null;
            });
    String stuckJob =
        admin
            .resources(StateSnapshot.class)
            .inNamespace(ns)
            .withName("stuck")
            .get()
            .getStatus()
            .jobName();
    assertThat(
            admin
                .batch()
                .v1()
                .jobs()
                .inNamespace(ns)
                .withName(stuckJob)
                .get()
                .getStatus()
                .getSucceeded())
        .isNull();
    admin.resources(StateSnapshot.class).inNamespace(ns).withName("stuck").delete();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                admin.resources(StateSnapshot.class).inNamespace(ns).withName("stuck").get()
                    == null);
    assertThat(admin.batch().v1().jobs().inNamespace(ns).withName(stuckJob).get()).isNull();

    // Deleting a succeeded snapshot removes it from the store before the object goes (the
    // finalizer).
    String firstId = first1.getStatus().snapshotIndex().id();
    assertThat(catalog(minio)).contains(firstId);
    admin
        .resources(StateSnapshot.class)
        .inNamespace(ns)
        .withName("kafka-streams-0-manual-1")
        .delete();
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                admin
                        .resources(StateSnapshot.class)
                        .inNamespace(ns)
                        .withName("kafka-streams-0-manual-1")
                        .get()
                    == null);
    assertThat(catalog(minio)).doesNotContain(firstId);

    // A schedule creates snapshots when they are due (the operator's clock is moved by the test),
    // and a retention
    // policy that keeps one expires the older, asks for a garbage collection of the store, and the
    // snapshot goes.
    Examples.apply(
            plane,
            ns,
            String.join(
                "\n",
                "apiVersion: strata.dev/v1alpha1",
                "kind: RetentionPolicy",
                "metadata:",
                "  name: keep-one",
                "spec:",
                "  keepLast: 1",
                "  minKeep: 1",
                "  keepFailed: 0",
                "---",
                "apiVersion: strata.dev/v1alpha1",
                "kind: SnapshotSchedule",
                "metadata:",
                "  name: hourly",
                "spec:",
                "  schedule: \"0 * * * *\"",
                "  retentionPolicyRef:",
                "    name: keep-one",
                "  snapshotTemplate:",
                "    source:",
                "      pvcName: " + PVC,
                "      path: rocksdb",
                "    storeRef:",
                "      name: minio",
                "    deletionPolicy: Delete",
                ""),
            work)
        .assertSuccess();
    Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS).plus(1, ChronoUnit.HOURS);
    setClock(clock, hour.plusSeconds(60));
    String run1 = awaitScheduled(ns, 1).get(0);
    awaitPhase(ns, run1, SnapshotPhase.Succeeded);
    setClock(clock, hour.plus(1, ChronoUnit.HOURS).plusSeconds(60));
    await()
        .atMost(SNAPSHOT_TIMEOUT)
        .pollInterval(Duration.ofMillis(300))
        .untilAsserted(
            () -> {
              List<StateSnapshot> runs = scheduled(ns);
              assertThat(runs)
                  .extracting(r -> r.getMetadata().getName())
                  .doesNotContain(run1)
                  .hasSize(1);
              assertThat(runs.get(0).getStatus()).isNotNull();
              assertThat(runs.get(0).getStatus().phase()).isEqualTo(SnapshotPhase.Succeeded);
            });
    // (The status counts what its latest run expired, so after the deletion it reads 0 again: the
    // Event keeps it.)
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              var policy =
                  admin.resources(RetentionPolicy.class).inNamespace(ns).withName("keep-one").get();
              assertThat(policy.getStatus()).isNotNull();
              assertThat(policy.getStatus().sources())
                  .singleElement()
                  .satisfies(src -> assertThat(src.kept()).isEqualTo(1));
              assertThat(
                      plane
                          .kubectl(
                              "get",
                              "events.events.k8s.io",
                              "-n",
                              ns,
                              "--field-selector",
                              "regarding.name=keep-one",
                              "-o",
                              "jsonpath={.items[*].note}")
                          .assertSuccess()
                          .stdout())
                  .contains("expired 1 snapshots of")
                  .contains(run1);
            });
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                !admin
                    .batch()
                    .v1()
                    .jobs()
                    .inNamespace(ns)
                    .withLabel("strata.dev/operation", "gc")
                    .list()
                    .getItems()
                    .isEmpty());
    assertThat(
            admin
                .resources(SnapshotSchedule.class)
                .inNamespace(ns)
                .withName("hourly")
                .get()
                .getStatus()
                .lastScheduleTime())
        .isNotNull();

    // A restore of the source's latest snapshot into a new PVC from the claim template
    // (examples/restore.yaml).
    Examples.apply(plane, ns, "restore.yaml").assertSuccess();
    await()
        .atMost(SNAPSHOT_TIMEOUT)
        .pollInterval(Duration.ofMillis(300))
        .untilAsserted(
            () -> {
              StateRestore r =
                  admin
                      .resources(StateRestore.class)
                      .inNamespace(ns)
                      .withName("kafka-streams-0-restore")
                      .get();
              assertThat(r.getStatus()).isNotNull();
              assertThat(r.getStatus().phase())
                  .as("%s", r.getStatus().message())
                  .isIn(SnapshotPhase.Succeeded);
            });
    assertThat(
            DirectoryTree.describe(
                kubelet.hostPathOf(ns, "data-kafka-streams-0-restored").resolve("rocksdb")))
        .isEqualTo(DirectoryTree.describe(volume.resolve("rocksdb")));

    // A schedule of a StatefulSet's volumes (its StatefulSet read, the namespace's claims listed)
    // makes a group of one
    // snapshot per replica at once (the clock is past its first due hour), and a group restore (one
    // StateRestore per
    // member, created by the operator) puts each back into its own claim.
    admin
        .apps()
        .statefulSets()
        .inNamespace(ns)
        .resource(
            new io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder()
                .withNewMetadata()
                .withName("web")
                .endMetadata()
                .withNewSpec()
                .withReplicas(2)
                .withServiceName("web")
                .withNewSelector()
                .addToMatchLabels("app", "web")
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .addToLabels("app", "web")
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("app")
                .withImage("example.com/web:1")
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
                .build())
        .create();
    Map<String, Map<String, DirectoryTree.Entry>> webTrees = new java.util.LinkedHashMap<>();
    for (int r = 0; r < 2; r++) {
      // The control plane's StatefulSet controller makes the claim of the first replica (whose pod,
      // not Restricted, is
      // refused admission, which stops it there); the test makes the others, as it would.
      String webClaim = "data-web-" + r;
      if (admin.persistentVolumeClaims().inNamespace(ns).withName(webClaim).get() == null) {
        try {
          claim(ns, webClaim);
        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
          assertThat(e.getCode()).as("made by the StatefulSet controller meanwhile").isEqualTo(409);
        }
      }
      DirectoryTree.seed(kubelet.hostPathOf(ns, "data-web-" + r).resolve("rocksdb"), 70 + r, 2);
      webTrees.put(
          "data-web-" + r,
          DirectoryTree.describe(kubelet.hostPathOf(ns, "data-web-" + r).resolve("rocksdb")));
    }
    Examples.apply(
            plane,
            ns,
            String.join(
                "\n",
                "apiVersion: strata.dev/v1alpha1",
                "kind: SnapshotSchedule",
                "metadata:",
                "  name: web-hourly",
                "spec:",
                "  schedule: \"0 * * * *\"",
                "  statefulSet:",
                "    name: web",
                "  snapshotTemplate:",
                "    source:",
                "      path: rocksdb",
                "    storeRef:",
                "      name: minio",
                ""),
            work)
        .assertSuccess();
    await()
        .atMost(SNAPSHOT_TIMEOUT)
        .pollInterval(Duration.ofMillis(300))
        .untilAsserted(
            () -> {
              SnapshotSchedule web =
                  admin
                      .resources(SnapshotSchedule.class)
                      .inNamespace(ns)
                      .withName("web-hourly")
                      .get();
              assertThat(web.getStatus()).isNotNull();
              assertThat(web.getStatus().lastSuccessfulGroup()).isNotNull();
              assertThat(web.getStatus().lastGroup().succeeded()).isEqualTo(2);
            });
    String webGroup =
        admin
            .resources(SnapshotSchedule.class)
            .inNamespace(ns)
            .withName("web-hourly")
            .get()
            .getStatus()
            .lastSuccessfulGroup();
    for (int r = 0; r < 2; r++) {
      Files.writeString(
          kubelet.hostPathOf(ns, "data-web-" + r).resolve("rocksdb/after-the-snapshot.sst"),
          "later");
    }
    Examples.apply(
            plane,
            ns,
            String.join(
                "\n",
                "apiVersion: strata.dev/v1alpha1",
                "kind: StateRestore",
                "metadata:",
                "  name: web-back",
                "spec:",
                "  source:",
                "    group: " + webGroup,
                "  mode: Sync",
                ""),
            work)
        .assertSuccess();
    await()
        .atMost(SNAPSHOT_TIMEOUT)
        .pollInterval(Duration.ofMillis(300))
        .untilAsserted(
            () -> {
              StateRestore r =
                  admin.resources(StateRestore.class).inNamespace(ns).withName("web-back").get();
              assertThat(r.getStatus()).isNotNull();
              assertThat(r.getStatus().phase())
                  .as("%s", r.getStatus().message())
                  .isEqualTo(SnapshotPhase.Succeeded);
              assertThat(r.getStatus().group().members())
                  .extracting(m -> m.pvc())
                  .containsExactly("data-web-0", "data-web-1");
            });
    for (int r = 0; r < 2; r++) {
      assertThat(DirectoryTree.describe(kubelet.hostPathOf(ns, "data-web-" + r).resolve("rocksdb")))
          .as("data-web-" + r)
          .isEqualTo(webTrees.get("data-web-" + r));
    }
    // A one-off group of the same StatefulSet, by the kubectl plugin: one StateSnapshot per claim,
    // grouped as a run's are.
    dev.strata.e2e.support.CommandResult once =
        kubectlStrata(
            SNAPSHOT_TIMEOUT,
            List.of(
                "snapshot",
                "--statefulset",
                "web",
                "--path",
                "rocksdb",
                "--store",
                "minio",
                "--name",
                "web-once",
                "--ttl",
                "7d",
                "--wait",
                "-n",
                ns));
    assertThat(once.exitCode()).as(once.stdout() + once.stderr()).isZero();
    assertThat(once.stdout()).contains("group web-once: 2 StateSnapshots");
    assertThat(
            admin
                .resources(StateSnapshot.class)
                .inNamespace(ns)
                .withLabel("strata.dev/group", "web-once")
                .list()
                .getItems())
        .extracting(
            x ->
                x.getMetadata().getName()
                    + " "
                    + x.getMetadata().getLabels().get("strata.dev/group-size")
                    + " "
                    + x.getStatus().phase())
        .containsExactlyInAnyOrder(
            "web-once-data-web-0 2 Succeeded", "web-once-data-web-1 2 Succeeded");
    // The same by a label selector: the claims that match, whatever made them.
    plane.kubectl("label", "pvc", "data-web-0", "data-web-1", "tier=web", "-n", ns).assertSuccess();
    dev.strata.e2e.support.CommandResult selected =
        kubectlStrata(
            SNAPSHOT_TIMEOUT,
            List.of(
                "snapshot",
                "-l",
                "tier=web",
                "--path",
                "rocksdb",
                "--store",
                "minio",
                "--name",
                "web-selected",
                "--wait",
                "-n",
                ns));
    assertThat(selected.exitCode()).as(selected.stdout() + selected.stderr()).isZero();
    assertThat(selected.stdout()).contains("group web-selected: 2 StateSnapshots");
    assertThat(
            admin
                .resources(StateSnapshot.class)
                .inNamespace(ns)
                .withLabel("strata.dev/group", "web-selected")
                .list()
                .getItems())
        .extracting(x -> x.getSpec().source().pvcName() + " " + x.getStatus().phase())
        .containsExactlyInAnyOrder("data-web-0 Succeeded", "data-web-1 Succeeded");
    // A selector that matches nothing, or one given with PVC names, is refused before anything is
    // made.
    for (List<String> bad :
        List.of(
            List.of("-l", "tier=nothing-has-this"),
            List.of("-l", "tier=web", "data-web-0"),
            List.of("-l", "tier=web", "--statefulset", "web"))) {
      List<String> args = new ArrayList<>(List.of("snapshot"));
      args.addAll(bad);
      args.addAll(List.of("--store", "minio", "-n", ns));
      dev.strata.e2e.support.CommandResult refused = kubectlStrata(Duration.ofSeconds(30), args);
      assertThat(refused.exitCode()).as(String.join(" ", bad)).isEqualTo(2);
      assertThat(refused.stderr())
          .as(String.join(" ", bad))
          .containsAnyOf("no PVC in this namespace matches", "one of them");
    }
    // Without --name, what they would have made is named <first PVC>-manual-<time>.
    assertThat(admin.resources(StateSnapshot.class).inNamespace(ns).list().getItems())
        .extracting(x -> x.getMetadata().getName())
        .as("nothing made by the refused commands")
        .noneMatch(n -> n.contains("-manual-"));

    // The clock is an hour or two ahead now: a snapshot with a TTL of 30 minutes expires as soon as
    // it has succeeded. It
    // is Retain, so it stays in the bucket, and the store's catalog, read on request, brings it
    // back as imported.
    admin.resources(StateSnapshot.class).inNamespace(ns).resource(kept("kept", PVC)).create();
    await()
        .atMost(SNAPSHOT_TIMEOUT)
        .pollInterval(Duration.ofMillis(300))
        .until(
            () ->
                admin.resources(StateSnapshot.class).inNamespace(ns).withName("kept").get()
                    == null);
    plane
        .kubectl(
            "patch",
            "snapshotstore",
            "minio",
            "-n",
            ns,
            "--type=merge",
            "-p",
            "{\"spec\":{\"catalog\":{\"requestedAt\":\""
                + Instant.now()
                + "\"},\"verification\":{\"schedule\":\"* * * * *\","
                + "\"readData\":false}}}")
        .assertSuccess();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(300))
        .untilAsserted(
            () ->
                assertThat(
                        admin
                            .resources(StateSnapshot.class)
                            .inNamespace(ns)
                            .withLabel("strata.dev/imported", "true")
                            .list()
                            .getItems())
                    .filteredOn(
                        s ->
                            s.getStatus() != null
                                && s.getStatus().phase() == SnapshotPhase.Succeeded)
                    .isNotEmpty());
    // The store's verification runs (the clock is past its first due minute; blobs' presence only,
    // the examples' prefix
    // holds every test's snapshots) and Healthy says what it found: the prefix is shared with tests
    // that damage
    // snapshots on purpose, so whole or not depends on which ran before.
    await()
        .atMost(SNAPSHOT_TIMEOUT)
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              SnapshotStore st =
                  admin.resources(SnapshotStore.class).inNamespace(ns).withName("minio").get();
              assertThat(st.getStatus().lastVerification()).isNotNull();
              assertThat(st.getStatus().lastVerification().result()).isEqualTo("Succeeded");
              assertThat(st.getStatus().lastVerification().snapshots()).isPositive();
              String whole =
                  st.getStatus().lastVerification().damagedSnapshots() == 0 ? "True" : "False";
              assertThat(st.getStatus().conditions())
                  .filteredOn(c -> c.getType().equals("Healthy"))
                  .singleElement()
                  .satisfies(c -> assertThat(c.getStatus()).isEqualTo(whole));
            });

    // Leader election: a second replica waits as a standby while the first holds the Lease...
    OperatorProcess second = start(chart, kubeconfig, releaseNs, "strata-6d5f8b7c4-second");
    await()
        .during(Duration.ofSeconds(4))
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> "strata-6d5f8b7c4-first".equals(holder(releaseNs)));
    // ...and takes over when the first is killed without a chance to release it.
    first.kill();
    awaitLeader(releaseNs, "strata-6d5f8b7c4-second");
    Files.write(volume.resolve("rocksdb/000100.sst"), random(100, 1 << 20));
    admin
        .resources(StateSnapshot.class)
        .inNamespace(ns)
        .resource(snapshot("after-failover", PVC))
        .create();
    StateSnapshot after = awaitPhase(ns, "after-failover", SnapshotPhase.Succeeded);
    assertThat(after.getStatus().snapshotIndex().files()).isEqualTo(files + 1);
    assertThat(Files.readString(second.logFile())).contains("created Job after-failover-backup");
    assertThat(Files.readString(first.logFile())).doesNotContain("after-failover");
    second.close();

    String user = "system:serviceaccount:" + releaseNs + ":strata";
    assertNothingForbidden(user, first, second);
    // Every permission the chart grants was used by some request of the operator (bar the one
    // checked at admission).
    Set<String> used = AuditLog.permissionsUsed(AuditLog.read(auditLog, user));
    Set<String> granted = new TreeSet<>(ExpectedRbac.EXERCISED_BY.keySet());
    granted.removeAll(ExpectedRbac.NOT_A_REQUEST.keySet());
    granted.removeAll(
        ExpectedRbac.webhookOnly()); // not granted without the webhook; its own test proves them
    assertThat(used).as("permissions the operator used (audit log)").containsAll(granted);
    Set<String> beyond = new TreeSet<>(used);
    beyond.removeAll(ExpectedRbac.EXERCISED_BY.keySet());
    // Granted to every authenticated user by system:basic-user: the framework checks its Lease
    // access this way.
    assertThat(beyond)
        .as("requests outside the chart's rules")
        .containsOnly("authorization.k8s.io/selfsubjectrulesreviews create");
  }

  @Test
  void watchedNamespacesInstallWorksWithRolesOnly(MinioServer minio) throws IOException {
    KubernetesClient admin = plane.client();
    KubeletStandIn kubelet = plane.kubelet();
    String releaseNs = restrictedNamespace("strata-ops");
    String watched = restrictedNamespace("team-b");
    String unwatched = restrictedNamespace("team-c");
    // With a clusterId the operator reads nothing cluster-scoped (not even kube-system, whose UID
    // names it otherwise).
    RenderedChart chart =
        RenderedChart.render(
            HELM,
            "scoped",
            releaseNs,
            "--set",
            "watchNamespaces={" + watched + "}",
            "--set",
            "clusterId=scoped-test");
    assertThat(chart.kinds()).doesNotContain("ClusterRole", "ClusterRoleBinding");
    install(chart);
    Path kubeconfig =
        TokenKubeconfig.forServiceAccount(
            plane, releaseNs, "scoped-strata", TOKEN_LIFETIME, work.resolve("scoped.kubeconfig"));
    OperatorProcess operator = start(chart, kubeconfig, releaseNs, "scoped-strata-7c9d-only");
    awaitLeader(releaseNs, "scoped-strata-7c9d-only");

    for (String ns : List.of(watched, unwatched)) {
      Examples.apply(plane, ns, "store-credentials.yaml").assertSuccess();
      Examples.apply(plane, ns, "snapshot-store.yaml").assertSuccess();
    }
    awaitStoreReady(watched, "minio", "True", "Reachable");
    claim(watched, PVC);
    DirectoryTree.seed(kubelet.hostPathOf(watched, PVC).resolve("rocksdb"), 11, 1);
    Examples.apply(plane, watched, "state-snapshot.yaml").assertSuccess();
    awaitPhase(watched, "kafka-streams-0-manual-1", SnapshotPhase.Succeeded);
    // The namespace it does not watch is left alone (and it has no right to look there anyway).
    assertThat(
            admin
                .resources(SnapshotStore.class)
                .inNamespace(unwatched)
                .withName("minio")
                .get()
                .getStatus())
        .isNull();
    operator.close();

    String user = "system:serviceaccount:" + releaseNs + ":scoped-strata";
    assertNothingForbidden(user, operator);
    List<AuditLog.Entry> requests = AuditLog.read(auditLog, user);
    assertThat(requests).isNotEmpty();
    // Only namespaced requests in its namespaces, bar the framework's self-check of its rights.
    assertThat(requests)
        .filteredOn(e -> !"selfsubjectrulesreviews".equals(e.resource()))
        .allSatisfy(e -> assertThat(e.namespace()).as("%s", e).isIn(watched, releaseNs));
  }

  @Test
  void webhookInstallRestoresThePodsAPolicySelectsAndKeepsItsCertificateAndConfiguration(
      MinioServer minio) throws IOException {
    KubernetesClient admin = plane.client();
    plane.kubelet();
    String releaseNs = restrictedNamespace("strata-hooked");
    String ns = restrictedNamespace("team-w");
    RenderedChart chart =
        RenderedChart.render(
            HELM,
            "hooked",
            releaseNs,
            "--set",
            "webhook.enabled=true",
            "--set",
            "webhook.checkSeconds=2",
            "--set",
            "watchNamespaces={" + ns + "}");
    install(chart);
    Path kubeconfig =
        TokenKubeconfig.forServiceAccount(
            plane, releaseNs, "hooked-strata", TOKEN_LIFETIME, work.resolve("hooked.kubeconfig"));
    Map<String, String> env = operatorEnv(chart, releaseNs, "hooked-strata-5c8d-0");
    // The API server reaches the webhook on loopback here, not through the chart's Service (no
    // cluster network).
    assertThat(env.get("STRATA_WEBHOOK_PORT")).isEqualTo("9443");
    int port = FreePorts.next();
    env.put("STRATA_WEBHOOK_PORT", Integer.toString(port));
    env.put("STRATA_WEBHOOK_URL", "https://127.0.0.1:" + port + "/mutate-pods");
    OperatorProcess operator = OperatorProcess.start(kubeconfig, work, env);
    operators.add(operator);
    try {
      // It created its certificate Secret and filled in the chart's configuration (it is ready only
      // once it serves).
      Secret tls =
          admin.secrets().inNamespace(releaseNs).withName(ExpectedRbac.WEBHOOK_SECRET).get();
      assertThat(tls).isNotNull();
      assertThat(tls.getType()).isEqualTo("kubernetes.io/tls");
      MutatingWebhookConfiguration config =
          admin
              .admissionRegistration()
              .v1()
              .mutatingWebhookConfigurations()
              .withName(ExpectedRbac.WEBHOOK_CONFIGURATION)
              .get();
      assertThat(config.getWebhooks())
          .singleElement()
          .satisfies(w -> assertThat(w.getFailurePolicy()).isEqualTo("Ignore"));

      Examples.apply(plane, ns, "store-credentials.yaml").assertSuccess();
      Examples.apply(plane, ns, "snapshot-store.yaml").assertSuccess();
      Examples.apply(plane, ns, "restore-policy.yaml").assertSuccess();
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () -> {
                RestorePolicy p =
                    admin
                        .resources(RestorePolicy.class)
                        .inNamespace(ns)
                        .withName("kafka-streams")
                        .get();
                assertThat(p.getStatus()).isNotNull();
                assertThat(ready(p.getStatus().conditions()).getReason()).isEqualTo("Serving");
              });

      // A Secret that no longer holds a usable certificate is re-issued, and the configuration
      // trusts the new CA.
      String caBefore = config.getWebhooks().get(0).getClientConfig().getCaBundle();
      admin
          .secrets()
          .inNamespace(releaseNs)
          .withName(ExpectedRbac.WEBHOOK_SECRET)
          .edit(
              sec -> {
                sec.getData()
                    .put(
                        "tls.crt",
                        java.util.Base64.getEncoder()
                            .encodeToString("not a certificate".getBytes()));
                return sec;
              });
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  !caBefore.equals(
                      admin
                          .admissionRegistration()
                          .v1()
                          .mutatingWebhookConfigurations()
                          .withName(ExpectedRbac.WEBHOOK_CONFIGURATION)
                          .get()
                          .getWebhooks()
                          .get(0)
                          .getClientConfig()
                          .getCaBundle()));
      assertThat(
              new String(
                  java.util.Base64.getDecoder()
                      .decode(
                          admin
                              .secrets()
                              .inNamespace(releaseNs)
                              .withName(ExpectedRbac.WEBHOOK_SECRET)
                              .get()
                              .getData()
                              .get("tls.crt"))))
          .startsWith("-----BEGIN CERTIFICATE-----");

      // A pod the policy selects gets the restore init container; with no snapshot yet it starts
      // fresh.
      claim(ns, PVC);
      Pod pod =
          admin
              .pods()
              .inNamespace(ns)
              .resource(
                  new PodBuilder(appPodOn(null, PVC))
                      .editMetadata()
                      .withName("kafka-streams-0")
                      .addToLabels("app", "kafka-streams")
                      .endMetadata()
                      .editSpec()
                      .editFirstVolume()
                      .withName("data")
                      .endVolume()
                      .endSpec()
                      .build())
              .create();
      assertThat(pod.getSpec().getInitContainers())
          .extracting(c -> c.getName())
          .contains("strata-restore");
      await()
          .atMost(SNAPSHOT_TIMEOUT)
          .untilAsserted(
              () -> {
                RestorePolicy p =
                    admin
                        .resources(RestorePolicy.class)
                        .inNamespace(ns)
                        .withName("kafka-streams")
                        .get();
                assertThat(p.getStatus().restoresDone()).isEqualTo(1L);
              });
      assertThat(
              plane
                  .kubectl(
                      "get",
                      "events.events.k8s.io",
                      "-n",
                      ns,
                      "--field-selector",
                      "regarding.name=kafka-streams-0",
                      "-o",
                      "jsonpath={.items[*].reason}")
                  .assertSuccess()
                  .stdout())
          .contains("FreshStart");

      // An edit to the configuration is repaired at the next check.
      admin
          .admissionRegistration()
          .v1()
          .mutatingWebhookConfigurations()
          .withName(ExpectedRbac.WEBHOOK_CONFIGURATION)
          .edit(
              c -> {
                c.getWebhooks().get(0).setFailurePolicy("Fail");
                return c;
              });
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  "Ignore"
                      .equals(
                          admin
                              .admissionRegistration()
                              .v1()
                              .mutatingWebhookConfigurations()
                              .withName(ExpectedRbac.WEBHOOK_CONFIGURATION)
                              .get()
                              .getWebhooks()
                              .get(0)
                              .getFailurePolicy()));
    } finally {
      operator.close();
      // Nothing on this control plane should call a closed port.
      admin
          .admissionRegistration()
          .v1()
          .mutatingWebhookConfigurations()
          .withName(ExpectedRbac.WEBHOOK_CONFIGURATION)
          .delete();
    }

    String user = "system:serviceaccount:" + releaseNs + ":hooked-strata";
    assertNothingForbidden(user, operator);
    Set<String> used = AuditLog.permissionsUsed(AuditLog.read(auditLog, user));
    Set<String> webhook = ExpectedRbac.permissions(ExpectedRbac.WEBHOOK_CLUSTER_RULES);
    webhook.addAll(
        ExpectedRbac.permissions(ExpectedRbac.webhookSecretRules("hooked-strata-webhook", false)));
    webhook.removeAll(ExpectedRbac.NOT_A_REQUEST.keySet()); // their proof is the uninstall test's
    assertThat(used)
        .as("permissions the operator used (audit log)")
        .containsAll(webhook)
        .contains(
            "strata.dev/restorepolicies/status patch",
            "core/pods watch",
            "events.k8s.io/events create");
    Set<String> beyond = new TreeSet<>(used);
    beyond.removeAll(ExpectedRbac.EXERCISED_BY.keySet());
    assertThat(beyond)
        .as("requests outside the chart's rules")
        .containsOnly("authorization.k8s.io/selfsubjectrulesreviews create");
  }

  @Test
  void withoutTheFinalizersRulesNoRunnerJobIsAdmitted() {
    KubernetesClient admin = plane.client();
    String ns = restrictedNamespace("strata-ablation");
    RenderedChart chart =
        RenderedChart.render(HELM, "ablation", ns, "--set", "watchNamespaces={" + ns + "}");
    install(chart);
    Role role =
        chart.all(Role.class).stream()
            .filter(r -> r.getMetadata().getName().equals("ablation-strata"))
            .findFirst()
            .orElseThrow();

    // The Jobs the operator would create for a snapshot and for a restore: each owned by its
    // object, with
    // blockOwnerDeletion (no operator runs here, so nothing else happens to them).
    admin
        .resources(SnapshotStore.class)
        .inNamespace(ns)
        .resource(
            admin
                .getKubernetesSerialization()
                .unmarshal(Examples.read("snapshot-store.yaml"), SnapshotStore.class))
        .create();
    SnapshotStore store =
        admin.resources(SnapshotStore.class).inNamespace(ns).withName("minio").get();
    StateSnapshot snapshotOwner =
        admin
            .resources(StateSnapshot.class)
            .inNamespace(ns)
            .resource(snapshot("owner", PVC))
            .create();
    StateRestore restoreOwner =
        admin
            .resources(StateRestore.class)
            .inNamespace(ns)
            .resource(
                admin
                    .getKubernetesSerialization()
                    .unmarshal(Examples.read("restore.yaml"), StateRestore.class))
            .create();
    Map<String, Job> jobs =
        Map.of(
            "statesnapshots/finalizers",
                new RunnerJobBuilder(OperatorSettings.defaults())
                    .build(snapshotOwner, store, Optional.empty()),
            "staterestores/finalizers",
                new RestoreJobBuilder(OperatorSettings.defaults())
                    .build(
                        restoreOwner,
                        store,
                        "20261126T000000.000Z-000000",
                        "data-kafka-streams-0-restored",
                        Optional.empty()));

    try (KubernetesClient asOperator = plane.clientAs(ns, "ablation-strata")) {
      for (var e : jobs.entrySet()) {
        Job job = e.getValue();
        assertThat(job.getMetadata().getOwnerReferences())
            .singleElement()
            .satisfies(o -> assertThat(o.getBlockOwnerDeletion()).isTrue());
        // With the chart's rules the Job is admitted (a dry run: admission runs, nothing is
        // stored)...
        asOperator.resource(job).dryRun().create();
        // ...without the rule on its owner's finalizers it is refused...
        setRules(ns, role, without(ExpectedRbac.RULES, e.getKey(), null));
        await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(
                () ->
                    assertThatThrownBy(() -> asOperator.resource(job).dryRun().create())
                        .as(e.getKey())
                        .isInstanceOf(KubernetesClientException.class)
                        .hasMessageContaining(
                            "cannot set blockOwnerDeletion if an ownerReference refers to a resource you can't set finalizers on"));
        // ...and admitted again with it.
        setRules(ns, role, ExpectedRbac.RULES);
        await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(() -> asOperator.resource(job).dryRun().create());
      }
    }
  }

  @Test
  void withoutLeaseUpdateTheOperatorRefusesToStart() throws IOException {
    String ns = restrictedNamespace("strata-lease");
    RenderedChart chart =
        RenderedChart.render(HELM, "lease", ns, "--set", "watchNamespaces={" + ns + "}");
    install(chart);
    Role lease =
        chart.all(Role.class).stream()
            .filter(r -> r.getMetadata().getName().endsWith("-leader-election"))
            .findFirst()
            .orElseThrow();
    List<PolicyRule> rules = ExpectedRbac.leaseRules("lease-strata");
    List<PolicyRule> withoutUpdate =
        List.of(
            rules.get(0),
            new io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder(rules.get(1))
                .withVerbs("get", "patch")
                .build(),
            rules.get(2));
    setRules(ns, lease, withoutUpdate);
    Path kubeconfig =
        TokenKubeconfig.forServiceAccount(
            plane, ns, "lease-strata", TOKEN_LIFETIME, work.resolve("lease.kubeconfig"));
    OperatorProcess operator =
        OperatorProcess.launch(kubeconfig, work, operatorEnv(chart, ns, "lease-strata-0"));
    operators.add(operator);
    String refusal =
        "No permission to lease resource. in namespace: "
            + ns
            + "; missing required verbs: [update]";
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () ->
                Files.exists(operator.logFile())
                    && Files.readString(operator.logFile()).contains(refusal));
    // It never reconciles: no Lease is taken, and the process exits so that Kubernetes would
    // restart it.
    assertThat(holder(ns)).isNull();
    await().atMost(Duration.ofSeconds(30)).until(() -> !operator.isAlive());
  }

  @Test
  void helmInstallsUpgradesAndUninstallsAsTheOperationsGuideSays(@TempDir Path tmp)
      throws IOException {
    KubernetesClient admin = plane.client();
    plane.kubelet(); // runs the Deployment's pod (as a stand-in container: the image is not pulled)
    String ns = restrictedNamespace("strata-helm");
    String chartDir = Helm.chartDir().toString();
    String kubeconfig = plane.kubeconfig().toString();
    // The CRDs exist already on this control plane (as after a first install): helm leaves them
    // alone.
    String notes =
        HELM.run(
                List.of(
                    "install",
                    "helmed",
                    chartDir,
                    "--namespace",
                    ns,
                    "--kubeconfig",
                    kubeconfig,
                    "--wait",
                    "--timeout",
                    "90s"))
            .assertSuccess()
            .stdout();
    assertThat(notes)
        .contains("Strata " + RenderedChart.APP_VERSION + " is installed in namespace " + ns)
        .contains("in all namespaces.")
        .contains("kubectl apply --server-side --force-conflicts -f charts/strata/crds/");
    Deployment d = admin.apps().deployments().inNamespace(ns).withName("helmed-strata").get();
    assertThat(d.getStatus().getReadyReplicas()).isEqualTo(1);
    // Its pod was admitted by the restricted Pod Security level of the namespace.
    assertThat(
            admin
                .pods()
                .inNamespace(ns)
                .withLabel("app.kubernetes.io/instance", "helmed")
                .list()
                .getItems())
        .hasSize(1);
    pluginNamesTheInstalledOperatorsVersion(ns, tmp);

    plane
        .kubectl(
            "apply",
            "--server-side",
            "--force-conflicts",
            "-f",
            Helm.chartDir().resolve("crds").toString())
        .assertSuccess();
    HELM.run(
            List.of(
                "upgrade",
                "helmed",
                chartDir,
                "--namespace",
                ns,
                "--kubeconfig",
                kubeconfig,
                "--reuse-values",
                "--set",
                "logLevel=DEBUG",
                "--wait",
                "--timeout",
                "90s"))
        .assertSuccess();
    assertThat(
            admin
                .apps()
                .deployments()
                .inNamespace(ns)
                .withName("helmed-strata")
                .get()
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getEnv())
        .anySatisfy(
            e -> {
              assertThat(e.getName()).isEqualTo("STRATA_LOG_LEVEL");
              assertThat(e.getValue()).isEqualTo("DEBUG");
            });

    HELM.run(
            List.of(
                "uninstall",
                "helmed",
                "--namespace",
                ns,
                "--kubeconfig",
                kubeconfig,
                "--wait",
                "--timeout",
                "90s"))
        .assertSuccess();
    assertThat(admin.apps().deployments().inNamespace(ns).withName("helmed-strata").get()).isNull();
    assertThat(admin.serviceAccounts().inNamespace(ns).withName("helmed-strata").get()).isNull();
    assertThat(admin.rbac().clusterRoles().withName("helmed-strata").get()).isNull();
    assertThat(admin.rbac().clusterRoleBindings().withName("helmed-strata").get()).isNull();
    // The CRDs stay.
    assertThat(admin.apiextensions().v1().customResourceDefinitions().list().getItems())
        .extracting(c -> c.getMetadata().getName())
        .contains("snapshotstores.strata.dev", "statesnapshots.strata.dev");
  }

  /**
   * Issue 17: helm uninstall of a release with the webhook left the MutatingWebhookConfiguration
   * and its Secret behind, and with failurePolicy Fail no pod of a selected namespace could be
   * created until someone deleted them by hand. Now the configuration is the chart's (the operator
   * fills in its webhook), the Secret and the Lease are owned by the release's Service and
   * Deployment, and the garbage collector takes them with the release.
   */
  @Test
  void helmUninstallOfAWebhookReleaseLeavesNoConfigurationSecretOrLeaseBehind() throws IOException {
    KubernetesClient admin = plane.client();
    plane
        .kubelet(); // runs the Deployment's pod (as a stand-in container); the operator itself runs
    // as a process below
    String ns = restrictedNamespace("strata-unhooked");
    String team = restrictedNamespace("team-u");
    String chartDir = Helm.chartDir().toString();
    String kubeconfig = plane.kubeconfig().toString();
    List<String> values =
        List.of(
            "--set",
            "webhook.enabled=true",
            "--set",
            "webhook.failurePolicy=Fail",
            "--set",
            "webhook.checkSeconds=2",
            "--set",
            "watchNamespaces={" + team + "}");
    List<String> install =
        new ArrayList<>(
            List.of(
                "install",
                "unhooked",
                chartDir,
                "--namespace",
                ns,
                "--kubeconfig",
                kubeconfig,
                "--wait",
                "--timeout",
                "90s"));
    install.addAll(values);
    HELM.run(install).assertSuccess();
    var configs = admin.admissionRegistration().v1().mutatingWebhookConfigurations();
    try {
      MutatingWebhookConfiguration chartConfig =
          configs.withName(ExpectedRbac.WEBHOOK_CONFIGURATION).get();
      assertThat(chartConfig.getMetadata().getAnnotations())
          .containsEntry("meta.helm.sh/release-name", "unhooked");
      assertThat(chartConfig.getWebhooks())
          .as("the chart's configuration, before the operator fills it in")
          .isEmpty();

      RenderedChart chart =
          RenderedChart.render(HELM, "unhooked", ns, values.toArray(String[]::new));
      Path token =
          TokenKubeconfig.forServiceAccount(
              plane, ns, "unhooked-strata", TOKEN_LIFETIME, work.resolve("unhooked.kubeconfig"));
      Map<String, String> env = operatorEnv(chart, ns, "unhooked-strata-5c8d-0");
      assertThat(env).containsEntry("STRATA_LEASE_OWNER", "unhooked-strata");
      int port = FreePorts.next();
      env.put("STRATA_WEBHOOK_PORT", Integer.toString(port));
      env.put("STRATA_WEBHOOK_URL", "https://127.0.0.1:" + port + "/mutate-pods");
      String user = "system:serviceaccount:" + ns + ":unhooked-strata";
      String serviceUid =
          admin
              .services()
              .inNamespace(ns)
              .withName("unhooked-strata-webhook")
              .get()
              .getMetadata()
              .getUid();
      String deploymentUid =
          admin
              .apps()
              .deployments()
              .inNamespace(ns)
              .withName("unhooked-strata")
              .get()
              .getMetadata()
              .getUid();

      // A Secret as an earlier release's operator left it, with no owner (an upgrade).
      WebhookSettings webhook = WebhookSettings.fromEnv(env);
      new WebhookTlsSecret(
              admin,
              ns,
              ExpectedRbac.WEBHOOK_SECRET,
              webhook.dnsNames(),
              webhook.ipAddresses(),
              Duration.ofDays(365),
              Duration.ofDays(30))
          .ensure(Instant.now());
      assertThat(
              admin
                  .secrets()
                  .inNamespace(ns)
                  .withName(ExpectedRbac.WEBHOOK_SECRET)
                  .get()
                  .getMetadata()
                  .getOwnerReferences())
          .isNullOrEmpty();

      // Without delete on the Lease and the Secret, OwnerReferencesPermissionEnforcement refuses
      // their new owner: the
      // operator still serves (it is ready), it only warns, and the two would stay after helm
      // uninstall.
      Role leaseRole = role(chart, "unhooked-strata-leader-election");
      Role secretRole = role(chart, "unhooked-strata-webhook");
      setRules(ns, leaseRole, withoutVerb(ExpectedRbac.leaseRules("unhooked-strata"), "delete"));
      setRules(
          ns,
          secretRole,
          withoutVerb(ExpectedRbac.webhookSecretRules("unhooked-strata-webhook", false), "delete"));
      OperatorProcess withoutDelete = OperatorProcess.start(token, work, env);
      operators.add(withoutDelete);
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .untilAsserted(
              () ->
                  assertThat(AuditLog.read(auditLog, user))
                      .filteredOn(e -> e.code() == 403)
                      .allSatisfy(
                          e ->
                              assertThat(e.message())
                                  .contains(
                                      "cannot set an ownerRef on a resource you can't delete"))
                      .extracting(AuditLog.Entry::resource)
                      .contains("leases", "secrets"));
      withoutDelete.close();
      assertThat(
              admin
                  .secrets()
                  .inNamespace(ns)
                  .withName(ExpectedRbac.WEBHOOK_SECRET)
                  .get()
                  .getMetadata()
                  .getOwnerReferences())
          .isNullOrEmpty();
      int refusals =
          (int) AuditLog.read(auditLog, user).stream().filter(e -> e.code() == 403).count();

      // With the chart's rules, the operator fills in the configuration and gives both their
      // owners.
      setRules(ns, leaseRole, ExpectedRbac.leaseRules("unhooked-strata"));
      setRules(ns, secretRole, ExpectedRbac.webhookSecretRules("unhooked-strata-webhook", false));
      OperatorProcess operator = OperatorProcess.start(token, work, env);
      operators.add(operator);
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .untilAsserted(
              () -> {
                MutatingWebhookConfiguration c =
                    configs.withName(ExpectedRbac.WEBHOOK_CONFIGURATION).get();
                assertThat(c.getWebhooks())
                    .as("webhooks")
                    .singleElement()
                    .satisfies(w -> assertThat(w.getFailurePolicy()).isEqualTo("Fail"));
                // Helm's metadata stays: the next helm upgrade or uninstall still knows it as the
                // release's.
                assertThat(c.getMetadata().getAnnotations())
                    .containsEntry("meta.helm.sh/release-name", "unhooked");
                Secret tls =
                    admin.secrets().inNamespace(ns).withName(ExpectedRbac.WEBHOOK_SECRET).get();
                assertThat(tls.getMetadata().getOwnerReferences())
                    .as("the Secret's owners")
                    .singleElement()
                    .satisfies(
                        o -> {
                          assertThat(o.getKind()).isEqualTo("Service");
                          assertThat(o.getName()).isEqualTo("unhooked-strata-webhook");
                          assertThat(o.getUid()).isEqualTo(serviceUid);
                        });
                Lease lease =
                    admin.leases().inNamespace(ns).withName(ExpectedRbac.LEASE_NAME).get();
                assertThat(lease).isNotNull();
                assertThat(lease.getMetadata().getOwnerReferences())
                    .as("the Lease's owners")
                    .singleElement()
                    .satisfies(
                        o -> {
                          assertThat(o.getKind()).isEqualTo("Deployment");
                          assertThat(o.getUid()).isEqualTo(deploymentUid);
                        });
              });
      operator.close();
      assertThat(AuditLog.read(auditLog, user).stream().filter(e -> e.code() == 403).count())
          .as("refusals with the chart's rules")
          .isEqualTo(refusals);
      assertThat(Files.readAllLines(operator.logFile()))
          .noneMatch(line -> line.toLowerCase(Locale.ROOT).contains("forbidden"));

      // No operator answers and the policy is Fail: pod creation in the selected namespace is
      // refused (a dry run also
      // goes through admission)...
      Pod pod = appPodOn(null, "data-u");
      assertThatThrownBy(() -> admin.pods().inNamespace(team).resource(pod).dryRun().create())
          .isInstanceOf(KubernetesClientException.class)
          .hasMessageContaining("failed calling webhook");

      // ...until helm uninstall, which now takes the configuration, and the garbage collector the
      // Secret and the Lease.
      HELM.run(
              List.of(
                  "uninstall",
                  "unhooked",
                  "--namespace",
                  ns,
                  "--kubeconfig",
                  kubeconfig,
                  "--wait",
                  "--timeout",
                  "90s"))
          .assertSuccess();
      assertThat(configs.withName(ExpectedRbac.WEBHOOK_CONFIGURATION).get()).isNull();
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .untilAsserted(
              () -> {
                assertThat(
                        admin.secrets().inNamespace(ns).withName(ExpectedRbac.WEBHOOK_SECRET).get())
                    .as("the webhook Secret")
                    .isNull();
                assertThat(admin.leases().inNamespace(ns).withName(ExpectedRbac.LEASE_NAME).get())
                    .as("the Lease")
                    .isNull();
              });
      admin.pods().inNamespace(team).resource(pod).dryRun().create();

      // Nothing of the release is left: the release namespace holds only what Kubernetes puts in
      // every namespace.
      assertThat(admin.secrets().inNamespace(ns).list().getItems()).isEmpty();
      assertThat(admin.leases().inNamespace(ns).list().getItems()).isEmpty();
      assertThat(admin.services().inNamespace(ns).list().getItems()).isEmpty();
      assertThat(admin.apps().deployments().inNamespace(ns).list().getItems()).isEmpty();
      assertThat(admin.policy().v1().podDisruptionBudget().inNamespace(ns).list().getItems())
          .isEmpty();
      assertThat(admin.rbac().roles().inNamespace(ns).list().getItems()).isEmpty();
      assertThat(admin.rbac().roleBindings().inNamespace(ns).list().getItems()).isEmpty();
      assertThat(admin.rbac().roles().inNamespace(team).list().getItems()).isEmpty();
      assertThat(admin.serviceAccounts().inNamespace(ns).list().getItems())
          .extracting(a -> a.getMetadata().getName())
          .containsOnly("default");
      assertThat(admin.configMaps().inNamespace(ns).list().getItems())
          .extracting(c -> c.getMetadata().getName())
          .containsOnly("kube-root-ca.crt");
      assertThat(admin.rbac().clusterRoles().list().getItems())
          .noneMatch(r -> r.getMetadata().getName().startsWith("unhooked"));
      assertThat(admin.rbac().clusterRoleBindings().list().getItems())
          .noneMatch(r -> r.getMetadata().getName().startsWith("unhooked"));
    } finally {
      // Whatever failed above, nothing on this shared control plane may call a webhook that no
      // longer answers.
      configs.withName(ExpectedRbac.WEBHOOK_CONFIGURATION).delete();
    }
  }

  // ---------------------------------------------------------------------------------------------------------------

  /**
   * {@code kubectl strata version} names the version of the operator the chart installed in {@code
   * ns} (its appVersion), and warns when a released plugin's differs.
   */
  static void pluginNamesTheInstalledOperatorsVersion(String ns, Path tmp) throws IOException {
    String operator = "operator " + RenderedChart.APP_VERSION + " (namespace " + ns + ")";
    dev.strata.e2e.support.CommandResult here =
        kubectlStrata(Duration.ofSeconds(30), List.of("version", "-n", ns));
    assertThat(here.exitCode()).as(here.stdout() + here.stderr()).isZero();
    assertThat(here.stdout().lines().toList()).containsExactly("kubectl-strata dev", operator);
    assertThat(here.stderr()).as("a checkout's plugin is no release to compare").isEmpty();
    // Without -n it looks in every namespace (others on this control plane may hold operators too).
    dev.strata.e2e.support.CommandResult anywhere =
        kubectlStrata(Duration.ofSeconds(30), List.of("version"));
    assertThat(anywhere.exitCode()).as(anywhere.stdout() + anywhere.stderr()).isZero();
    assertThat(anywhere.stdout().lines())
        .anyMatch(
            l ->
                l.equals(operator)
                    || l.equals(operator.replace(")", ", Deployment helmed-strata)")));
    // A user who may list Deployments in this namespace only is told to name it.
    KubernetesClient admin = plane.client();
    admin
        .rbac()
        .roles()
        .inNamespace(ns)
        .resource(
            new RoleBuilder()
                .withNewMetadata()
                .withName("deployment-reader")
                .endMetadata()
                .addNewRule()
                .withApiGroups("apps")
                .withResources("deployments")
                .withVerbs("list")
                .endRule()
                .build())
        .create();
    admin
        .rbac()
        .roleBindings()
        .inNamespace(ns)
        .resource(
            new io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder()
                .withNewMetadata()
                .withName("deployment-reader")
                .endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "Role", "deployment-reader")
                .addNewSubject()
                .withKind("ServiceAccount")
                .withName("default")
                .withNamespace(ns)
                .endSubject()
                .build())
        .create();
    Path reader =
        TokenKubeconfig.forServiceAccount(
            plane, ns, "default", TOKEN_LIFETIME, tmp.resolve("reader.kubeconfig"));
    Path checkout = Examples.dir().resolveSibling("bin");
    dev.strata.e2e.support.CommandResult refused =
        kubectlStrata(checkout, reader, Duration.ofSeconds(30), List.of("version"));
    assertThat(refused.exitCode()).as(refused.stdout() + refused.stderr()).isZero();
    assertThat(refused.stdout().lines().toList())
        .containsExactly(
            "kubectl-strata dev",
            "operator: not found (Error from server (Forbidden): deployments.apps is forbidden:"
                + " User \"system:serviceaccount:"
                + ns
                + ":default\" cannot list resource \"deployments\" in API group \"apps\" at the"
                + " cluster scope; name the operator's namespace with -n)");
    dev.strata.e2e.support.CommandResult named =
        kubectlStrata(checkout, reader, Duration.ofSeconds(30), List.of("version", "-n", ns));
    assertThat(named.stdout().lines().toList()).containsExactly("kubectl-strata dev", operator);
    // Released plugins, as `mvn package` writes their version in: the operator's own release
    // (built as -SNAPSHOT between releases) matches; another one is warned about.
    String script =
        Files.readString(Examples.dir().resolveSibling("bin").resolve("kubectl-strata"));
    for (String version :
        List.of(RenderedChart.APP_VERSION + "-SNAPSHOT (commit 0123456789ab)", "9.8.7")) {
      Path bin = Files.createDirectories(tmp.resolve("plugin-" + version.length()));
      Path copy = bin.resolve("kubectl-strata");
      Files.writeString(
          copy,
          script.replaceFirst(
              "(?m)^PLUGIN_VERSION=\"dev\"$",
              "PLUGIN_VERSION=\"" + java.util.regex.Matcher.quoteReplacement(version) + "\""));
      assertThat(copy.toFile().setExecutable(true)).isTrue();
      dev.strata.e2e.support.CommandResult released =
          kubectlStrata(
              bin,
              plane.kubeconfig(),
              Duration.ofSeconds(30),
              List.of("version", "--namespace", ns));
      assertThat(released.exitCode()).as(released.stdout() + released.stderr()).isZero();
      assertThat(released.stdout().lines().toList())
          .containsExactly("kubectl-strata " + version, operator);
      if (version.equals("9.8.7")) {
        assertThat(released.stderr())
            .isEqualTo(
                "kubectl strata: warning: the plugin (9.8.7) and the operator ("
                    + RenderedChart.APP_VERSION
                    + ", namespace "
                    + ns
                    + ") differ: use the plugin of the operator's version\n");
      } else {
        assertThat(released.stderr()).as(version).isEmpty();
      }
    }
  }

  /** {@code kubectl strata ARGS} with the checkout's plugin on the PATH, as a user runs it. */
  static dev.strata.e2e.support.CommandResult kubectlStrata(Duration timeout, List<String> args) {
    return kubectlStrata(Examples.dir().resolveSibling("bin"), plane.kubeconfig(), timeout, args);
  }

  /**
   * {@code kubectl strata ARGS} with the plugin in {@code bin} on the PATH, as {@code kubeconfig}.
   */
  static dev.strata.e2e.support.CommandResult kubectlStrata(
      Path bin, Path kubeconfig, Duration timeout, List<String> args) {
    List<String> command = new ArrayList<>(List.of(plane.kubectl().toString(), "strata"));
    command.addAll(args);
    return dev.strata.e2e.support.CommandResult.run(
        command,
        Map.of(
            "PATH",
            plane.kubectl().getParent() + ":" + bin + ":/usr/local/bin:/usr/bin:/bin",
            "KUBECONFIG",
            kubeconfig.toString()),
        timeout);
  }

  /** The rules with {@code verb} taken out of each rule that has it. */
  static List<PolicyRule> withoutVerb(List<PolicyRule> rules, String verb) {
    List<PolicyRule> out =
        rules.stream()
            .map(
                r ->
                    new io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder(r)
                        .withVerbs(r.getVerbs().stream().filter(v -> !v.equals(verb)).toList())
                        .build())
            .toList();
    assertThat(out).isNotEqualTo(rules);
    return out;
  }

  static Role role(RenderedChart chart, String name) {
    return chart.all(Role.class).stream()
        .filter(r -> r.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  /**
   * A namespace that enforces the restricted Pod Security level: the operator's and the runners'
   * pods must pass.
   */
  static String restrictedNamespace(String prefix) {
    String ns = plane.createNamespace(prefix);
    plane
        .client()
        .namespaces()
        .withName(ns)
        .edit(
            n -> {
              n.getMetadata().getLabels().put("pod-security.kubernetes.io/enforce", "restricted");
              return n;
            });
    return ns;
  }

  /**
   * Everything the chart renders except the Deployment, which needs an image this machine cannot
   * run.
   */
  static void install(RenderedChart chart) {
    for (HasMetadata o :
        chart.ofKinds(
            "ServiceAccount",
            "ClusterRole",
            "ClusterRoleBinding",
            "Role",
            "RoleBinding",
            "Service",
            "MutatingWebhookConfiguration",
            "PodDisruptionBudget")) {
      plane.client().resource(o).create();
    }
  }

  /**
   * The API server accepts the Deployment, and its pod passes the restricted Pod Security level
   * (dry runs).
   */
  static void admitsTheOperatorPod(RenderedChart chart, String releaseNs) {
    Deployment d = chart.deployment();
    plane.client().resource(d).dryRun().create();
    Pod pod =
        new PodBuilder()
            .withNewMetadataLike(d.getSpec().getTemplate().getMetadata())
            .withName("strata-operator-admission-check")
            .withNamespace(releaseNs)
            .endMetadata()
            .withSpec(d.getSpec().getTemplate().getSpec())
            .build();
    plane.client().resource(pod).dryRun().create();
  }

  /**
   * The operator as its Deployment would run it: the chart's env (downward-API fields resolved for
   * this pod name), but a free HTTP port (the processes share one host), and the logging
   * configuration of the operator's image rather than the test classpath's.
   */
  static OperatorProcess start(
      RenderedChart chart, Path kubeconfig, String releaseNs, String podName) {
    OperatorProcess operator =
        OperatorProcess.start(kubeconfig, work, operatorEnv(chart, releaseNs, podName));
    operators.add(operator);
    return operator;
  }

  static Map<String, String> operatorEnv(RenderedChart chart, String releaseNs, String podName) {
    Map<String, String> env = new HashMap<>(chart.resolvedEnv(podName, releaseNs));
    assertThat(env.remove("STRATA_HTTP_PORT")).isEqualTo("8080");
    if (clockFile != null) {
      // The operator's test hook for its clock (OperatorClock): schedules run when the test moves
      // it.
      env.put("STRATA_CLOCK_FILE", clockFile.toString());
    }
    Path logback =
        Examples.dir().resolveSibling("operator").resolve("src/main/resources/logback.xml");
    env.put("JAVA_TOOL_OPTIONS", "-Dlogback.configurationFile=" + logback);
    return env;
  }

  static String holder(String releaseNs) {
    Lease lease =
        plane.client().leases().inNamespace(releaseNs).withName(ExpectedRbac.LEASE_NAME).get();
    return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
  }

  static void awaitLeader(String releaseNs, String identity) {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> identity.equals(holder(releaseNs)));
  }

  /** No request of {@code user} was refused (audit log), and no operator logged a refusal. */
  static void assertNothingForbidden(String user, OperatorProcess... processes) throws IOException {
    assertThat(AuditLog.read(auditLog, user))
        .as("requests of %s refused by the API server", user)
        .filteredOn(e -> e.code() == 403)
        .isEmpty();
    for (OperatorProcess p : processes) {
      assertThat(Files.readAllLines(p.logFile()))
          .as("operator log %s", p.logFile())
          .noneMatch(line -> line.toLowerCase(Locale.ROOT).contains("forbidden"));
    }
  }

  static void awaitStoreReady(String ns, String name, String status, String reason) {
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              SnapshotStore st =
                  plane
                      .client()
                      .resources(SnapshotStore.class)
                      .inNamespace(ns)
                      .withName(name)
                      .get();
              assertThat(st.getStatus()).as("status of store %s", name).isNotNull();
              Condition c = ready(st.getStatus().conditions());
              assertThat(c.getStatus()).as("%s", c).isEqualTo(status);
              assertThat(c.getReason()).as("%s", c).isEqualTo(reason);
            });
  }

  static StateSnapshot awaitPhase(String ns, String name, SnapshotPhase phase) {
    KubernetesClient client = plane.client();
    await()
        .atMost(SNAPSHOT_TIMEOUT)
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> {
              StateSnapshot s =
                  client.resources(StateSnapshot.class).inNamespace(ns).withName(name).get();
              SnapshotPhase now = s == null || s.getStatus() == null ? null : s.getStatus().phase();
              if (now == SnapshotPhase.Failed && phase != SnapshotPhase.Failed) {
                throw new AssertionError(
                    "snapshot " + name + " failed: " + s.getStatus().message());
              }
              return now == phase;
            });
    return client.resources(StateSnapshot.class).inNamespace(ns).withName(name).get();
  }

  static void claim(String ns, String name) {
    plane
        .client()
        .persistentVolumeClaims()
        .inNamespace(ns)
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

  /**
   * A workload pod that uses {@code pvc}, bound to {@code node}; restricted-compliant, as the
   * namespace demands.
   */
  static Pod appPodOn(String node, String pvc) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("app-" + pvc)
        .endMetadata()
        .withNewSpec()
        .withNodeName(node) // null: the stand-in schedules it
        .withNewSecurityContext()
        .withRunAsNonRoot(true)
        .withRunAsUser(1000L)
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .endSecurityContext()
        .addNewContainer()
        .withName("app")
        .withImage("example.com/kafka-streams:1")
        .withNewSecurityContext()
        .withAllowPrivilegeEscalation(false)
        .withNewCapabilities()
        .withDrop("ALL")
        .endCapabilities()
        .endSecurityContext()
        .endContainer()
        .addNewVolume()
        .withName("data")
        .withNewPersistentVolumeClaim()
        .withClaimName(pvc)
        .endPersistentVolumeClaim()
        .endVolume()
        .endSpec()
        .build();
  }

  static StateSnapshot snapshot(String name, String pvc) {
    StateSnapshot s = new StateSnapshot();
    s.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name).build());
    s.setSpec(
        new StateSnapshotSpec(
            new SnapshotSource(pvc, "rocksdb"),
            new LocalObjectRef("minio"),
            2,
            null,
            null,
            null,
            null));
    return s;
  }

  /** A snapshot kept in the store when it goes, which goes 30 minutes after its creation. */
  static StateSnapshot kept(String name, String pvc) {
    StateSnapshot s = new StateSnapshot();
    s.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name).build());
    s.setSpec(
        new StateSnapshotSpec(
            new SnapshotSource(pvc, "rocksdb"),
            new LocalObjectRef("minio"),
            2,
            dev.strata.api.v1alpha1.DeletionPolicy.Retain,
            null,
            null,
            null,
            "30m",
            null));
    return s;
  }

  static Condition ready(List<Condition> conditions) {
    return conditions.stream().filter(c -> "Ready".equals(c.getType())).findFirst().orElseThrow();
  }

  static List<String> catalog(MinioServer minio) {
    try (BlobStoreManager store =
        new RetryingBlobStoreManager(
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
            RetryPolicy.defaults())) {
      return new SnapshotCatalog(store)
          .entries(null).stream().map(SnapshotCatalog.Entry::snapshotId).toList();
    }
  }

  static byte[] random(long seed, int size) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** The rules without one resource (verb null), or without one verb of it. */
  static List<PolicyRule> without(List<PolicyRule> rules, String resource, String verb) {
    List<PolicyRule> out = new ArrayList<>();
    for (PolicyRule r : rules) {
      if (!r.getResources().contains(resource)) {
        out.add(r);
      } else if (verb != null) {
        List<String> verbs = new ArrayList<>(r.getVerbs());
        assertThat(verbs.remove(verb)).as("%s has verb %s", resource, verb).isTrue();
        out.add(ExpectedRbac.rule(r.getApiGroups().get(0), resource, verbs.toArray(String[]::new)));
      }
    }
    assertThat(out).isNotEqualTo(rules);
    return out;
  }

  static void setRules(String ns, Role role, List<PolicyRule> rules) {
    plane
        .client()
        .rbac()
        .roles()
        .inNamespace(ns)
        .withName(role.getMetadata().getName())
        .edit(r -> new RoleBuilder(r).withRules(rules).build());
  }
}
