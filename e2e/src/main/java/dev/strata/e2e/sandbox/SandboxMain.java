package dev.strata.e2e.sandbox;

import dev.strata.e2e.support.ControlPlane;
import dev.strata.e2e.support.Examples;
import dev.strata.e2e.support.MinioServer;
import dev.strata.e2e.support.node.RealCluster;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The local sandbox (see e2e/sandbox): the cluster the end-to-end journeys run on ({@link
 * RealCluster}: a control plane, a real node with containerd and the images built from images/,
 * MinIO as the examples' Service), the operator installed with {@code helm install charts/strata}
 * (webhook on), and a demo workload whose RocksDB-like state changes every minute, owned by the
 * app's user 1000. It writes a kubeconfig and usage notes into its state directory, then runs until
 * it is sent SIGTERM, and stops everything it started (putting back what the node changed on the
 * host). With {@code --cluster-only} it starts the cluster alone (no operator, no demo), as
 * docs/walkthrough.md begins.
 */
public final class SandboxMain {

  static final String DEMO = "demo";
  static final String PVC = "data-kafka-streams-0";
  static final long APP_USER = 1000;

  public static void main(String[] args) throws Exception {
    boolean clusterOnly = java.util.Arrays.asList(args).contains("--cluster-only");
    List<String> positional =
        java.util.Arrays.stream(args).filter(a -> !a.startsWith("--")).toList();
    Path state =
        Path.of(
                positional.isEmpty()
                    ? System.getProperty("user.home") + "/.cache/strata-sandbox"
                    : positional.get(0))
            .toAbsolutePath();
    Files.createDirectories(state);
    Instant start = Instant.now();
    List<AutoCloseable> started = new ArrayList<>();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stopAll(started, state), "sandbox-stop"));

    RealCluster cluster = RealCluster.start();
    started.add(cluster);
    ControlPlane plane = cluster.plane();
    MinioServer minio = cluster.minio();
    KubernetesClient admin = plane.client();
    Path kubeconfig = state.resolve("kubeconfig");
    Files.copy(plane.kubeconfig(), kubeconfig, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    String exports =
        "  export "
            + String.join(
                " ",
                cluster.userEnvironment(kubeconfig, "$PATH").entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue())
                    .toList());
    if (clusterOnly) {
      String usage =
          String.join(
              "\n",
              "Strata sandbox (cluster only) is up ("
                  + Duration.between(start, Instant.now()).toSeconds()
                  + " s): Kubernetes "
                  + plane.kubernetesVersion()
                  + " with a real node and the images of images/, MinIO at "
                  + minio.endpoint()
                  + " ("
                  + Examples.EXAMPLE_ENDPOINT
                  + " in pods, bucket "
                  + Examples.EXAMPLE_BUCKET
                  + "); no operator yet.",
              exports,
              "Then follow docs/walkthrough.md from step 2. Stop it with: e2e/sandbox down",
              "");
      runUntilStopped(state, usage);
    }
    Path values =
        Files.writeString(
            state.resolve("values.yaml"), "webhook:\n  enabled: true\nstoreRecheckSeconds: 60\n");
    cluster.installOperator(values);

    // The demo workload: a store, a PVC with RocksDB-like state that changes, and the app pod that
    // uses it.
    admin
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(DEMO).endMetadata().build())
        .serverSideApply();
    // The examples as committed: MinIO answers their endpoint (minio.strata-system:9000) and
    // credentials.
    Examples.apply(plane, DEMO, "store-credentials.yaml").assertSuccess();
    Examples.apply(plane, DEMO, "snapshot-store.yaml").assertSuccess();
    admin
        .persistentVolumeClaims()
        .inNamespace(DEMO)
        .resource(
            new PersistentVolumeClaimBuilder()
                .withNewMetadata()
                .withName(PVC)
                .endMetadata()
                .withNewSpec()
                .withAccessModes("ReadWriteOnce")
                .withNewResources()
                .addToRequests("storage", new Quantity("2Gi"))
                .endResources()
                .endSpec()
                .build())
        .serverSideApply();
    // The app runs as user 1000 with fsGroup 1000, as a real one would; the runners' Restricted
    // profile finds that user.
    admin
        .pods()
        .inNamespace(DEMO)
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName("kafka-streams-0")
                .withLabels(Map.of("app", "kafka-streams"))
                .endMetadata()
                .withNewSpec()
                .withNewSecurityContext()
                .withRunAsUser(APP_USER)
                .withRunAsGroup(APP_USER)
                .withFsGroup(APP_USER)
                .endSecurityContext()
                .addNewContainer()
                .withName("app")
                .withImage("strata.local/pause:1")
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
        .serverSideApply();
    Path volume = cluster.node().hostPathOf(DEMO, PVC);
    DemoWorkload workload = new DemoWorkload(volume.resolve("rocksdb"), 42);
    workload.seed();
    ScheduledExecutorService changes =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "demo-workload");
              t.setDaemon(true);
              return t;
            });
    changes.scheduleWithFixedDelay(workload::step, 60, 60, TimeUnit.SECONDS);

    String usage =
        String.join(
            "\n",
            "Strata sandbox is up ("
                + Duration.between(start, Instant.now()).toSeconds()
                + " s): Kubernetes "
                + plane.kubernetesVersion()
                + " with a real node, MinIO at "
                + minio.endpoint()
                + " ("
                + Examples.EXAMPLE_ENDPOINT
                + " in pods), the operator"
                + " installed with helm in "
                + RealCluster.RELEASE_NAMESPACE
                + ".",
            exports,
            "  kubectl -n demo get snapshotstores                      # the demo store (examples/snapshot-store.yaml), Ready",
            "  kubectl -n demo apply -f examples/state-snapshot.yaml    # snapshot the demo volume (it changes every minute)",
            "  kubectl -n demo get statesnapshots -w",
            "  kubectl -n demo apply -f examples/retention-policy.yaml -f examples/snapshot-schedule.yaml",
            "  kubectl -n demo apply -f examples/restore.yaml && kubectl -n demo get staterestores -w",
            "  kubectl strata ls -n demo",
            "  kubectl -n strata-system logs deploy/strata              # the operator",
            "Stop it with: e2e/sandbox down",
            "");
    runUntilStopped(state, usage);
  }

  /**
   * Says it is up (e2e/sandbox waits for the ready file and prints the usage) and runs until
   * SIGTERM.
   */
  private static void runUntilStopped(Path state, String usage) throws Exception {
    Files.writeString(state.resolve("usage.txt"), usage);
    Files.writeString(state.resolve("ready"), Instant.now().toString());
    System.out.println(usage);
    Thread.currentThread().join();
  }

  private static void stopAll(List<AutoCloseable> started, Path state) {
    for (int i = started.size() - 1; i >= 0; i--) {
      try {
        started.get(i).close();
      } catch (Exception e) {
        System.err.println("sandbox: could not stop " + started.get(i) + ": " + e.getMessage());
      }
    }
    try {
      Files.deleteIfExists(state.resolve("ready"));
    } catch (Exception ignored) {
      // best effort
    }
  }
}
