package dev.strata.e2e.sandbox;

import dev.strata.e2e.support.CommandResult;
import dev.strata.e2e.support.ControlPlane;
import dev.strata.e2e.support.Examples;
import dev.strata.e2e.support.FreePorts;
import dev.strata.e2e.support.MinioServer;
import dev.strata.e2e.support.OperatorProcess;
import dev.strata.e2e.support.TokenKubeconfig;
import dev.strata.e2e.support.kubelet.KubeletStandIn;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The local sandbox (see e2e/sandbox): a real control plane with its controller-manager, the kubelet stand-in,
 * MinIO with a bucket, Strata's CRDs and the Helm chart's ServiceAccount and RBAC, the operator running as that
 * ServiceAccount, and a demo workload whose RocksDB-like state changes every minute. It writes a kubeconfig and usage
 * notes into its state directory, then runs until it is sent SIGTERM, and stops everything it started.
 */
public final class SandboxMain {

  static final String OPERATOR_NAMESPACE = "strata-system";
  static final String DEMO = "demo";
  static final String PVC = "data-kafka-streams-0";

  public static void main(String[] args) throws Exception {
    Path state = Path.of(args.length > 0 ? args[0] : System.getProperty("user.home") + "/.cache/strata-sandbox").toAbsolutePath();
    Path repo = Examples.dir().getParent();
    Files.createDirectories(state);
    Instant start = Instant.now();
    List<AutoCloseable> started = new ArrayList<>();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stopAll(started, state), "sandbox-stop"));

    ControlPlane plane = ControlPlane.start();
    started.add(plane);
    MinioServer minio = MinioServer.startNew();
    started.add(minio);
    minio.createBucket(Examples.EXAMPLE_BUCKET);
    KubeletStandIn kubelet = plane.kubelet();
    KubernetesClient admin = plane.client();

    plane.kubectl("apply", "-f", repo.resolve("crds").toString()).assertSuccess();
    admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(OPERATOR_NAMESPACE).endMetadata().build()).serverSideApply();
    Path operatorKubeconfig = installChartAccess(plane, repo, state);

    int webhookPort = FreePorts.next();
    Map<String, String> env = new HashMap<>();
    env.put("POD_NAMESPACE", OPERATOR_NAMESPACE);
    env.put("STRATA_LEADER_ELECTION", "true");
    env.put("STRATA_LEASE_NAMESPACE", OPERATOR_NAMESPACE);
    env.put("STRATA_WEBHOOK_ENABLED", "true");
    env.put("STRATA_WEBHOOK_PORT", Integer.toString(webhookPort));
    env.put("STRATA_WEBHOOK_URL", "https://127.0.0.1:" + webhookPort + "/mutate-pods");
    env.put("STRATA_STORE_RECHECK_SECONDS", "60");
    OperatorProcess operator = OperatorProcess.start(operatorKubeconfig, state, env);
    started.add(operator);

    // The demo workload: a store, a PVC with RocksDB-like state that changes, and the app pod that uses it.
    admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(DEMO).endMetadata().build()).serverSideApply();
    // The examples as committed: MinIO answers their endpoint (minio.strata-system:9000) and credentials.
    Examples.apply(plane, DEMO, "store-credentials.yaml").assertSuccess();
    Examples.apply(plane, DEMO, "snapshot-store.yaml").assertSuccess();
    admin.persistentVolumeClaims().inNamespace(DEMO).resource(new PersistentVolumeClaimBuilder()
        .withNewMetadata().withName(PVC).endMetadata()
        .withNewSpec().withAccessModes("ReadWriteOnce").withNewResources().addToRequests("storage", new Quantity("2Gi")).endResources().endSpec()
        .build()).serverSideApply();
    Path volume = kubelet.hostPathOf(DEMO, PVC);
    DemoWorkload workload = new DemoWorkload(volume.resolve("rocksdb"), 42);
    workload.seed();
    admin.pods().inNamespace(DEMO).resource(new PodBuilder()
        .withNewMetadata().withName("kafka-streams-0").withLabels(Map.of("app", "kafka-streams")).endMetadata()
        .withNewSpec()
        .addNewContainer().withName("app").withImage("example.com/kafka-streams:demo").endContainer()
        .addNewVolume().withName("data").withNewPersistentVolumeClaim().withClaimName(PVC).endPersistentVolumeClaim().endVolume()
        .endSpec().build()).serverSideApply();
    ScheduledExecutorService changes = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "demo-workload");
      t.setDaemon(true);
      return t;
    });
    changes.scheduleWithFixedDelay(workload::step, 60, 60, TimeUnit.SECONDS);

    Path kubeconfig = state.resolve("kubeconfig");
    Files.copy(plane.kubeconfig(), kubeconfig, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    String kubectlDir = plane.kubectl().getParent().toString();
    String usage = String.join("\n",
        "Strata sandbox is up (" + Duration.between(start, Instant.now()).toSeconds() + " s): Kubernetes " + plane.kubernetesVersion()
            + ", MinIO at " + minio.endpoint() + " (" + Examples.EXAMPLE_ENDPOINT + " in pods)" + ", the operator as ServiceAccount " + OPERATOR_NAMESPACE + "/strata.",
        "  export KUBECONFIG=" + kubeconfig + " PATH=" + kubectlDir + ":" + repo.resolve("bin") + ":$PATH",
        "  kubectl -n demo get snapshotstores                      # the demo store (examples/snapshot-store.yaml), Ready",
        "  kubectl -n demo apply -f examples/state-snapshot.yaml    # snapshot the demo volume (it changes every minute)",
        "  kubectl -n demo get statesnapshots -w",
        "  kubectl -n demo apply -f examples/retention-policy.yaml -f examples/snapshot-schedule.yaml",
        "  kubectl -n demo apply -f examples/restore.yaml && kubectl -n demo get staterestores -w",
        "  kubectl strata ls -n demo",
        "Stop it with: e2e/sandbox down",
        "");
    Files.writeString(state.resolve("usage.txt"), usage);
    Files.writeString(state.resolve("ready"), Instant.now().toString());
    System.out.println(usage);
    Thread.currentThread().join();
  }

  /**
   * Renders the Helm chart and applies its ServiceAccount and RBAC (not the Deployment: there are no images here), then
   * writes a kubeconfig with a token of that ServiceAccount from the TokenRequest API.
   */
  static Path installChartAccess(ControlPlane plane, Path repo, Path state) throws Exception {
    Path helm = plane.tools().require("helm");
    CommandResult rendered = CommandResult.run(
        List.of(helm.toString(), "template", "strata", repo.resolve("charts/strata").toString(), "--namespace", OPERATOR_NAMESPACE,
            "--set", "webhook.enabled=true"),
        Map.of("HOME", state.toString()), Duration.ofMinutes(2)).assertSuccess();
    Set<String> kinds = Set.of("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding");
    List<String> docs = new ArrayList<>();
    for (String doc : rendered.stdout().split("(?m)^---\\s*$")) {
      if (doc.isBlank()) {
        continue;
      }
      HasMetadata object = Serialization.unmarshal(doc, HasMetadata.class);
      if (object != null && kinds.contains(object.getKind())) {
        docs.add(doc);
      }
    }
    Path rbac = state.resolve("chart-rbac.yaml");
    Files.writeString(rbac, String.join("\n---\n", docs));
    plane.kubectl("apply", "-f", rbac.toString()).assertSuccess();
    Path kubeconfig = TokenKubeconfig.forServiceAccount(plane, OPERATOR_NAMESPACE, "strata", Duration.ofDays(7),
        state.resolve("operator.kubeconfig"));
    return kubeconfig;
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
