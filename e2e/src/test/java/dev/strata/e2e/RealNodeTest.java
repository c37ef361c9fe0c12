package dev.strata.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.e2e.support.CommandResult;
import dev.strata.e2e.support.ControlPlane;
import dev.strata.e2e.support.Examples;
import dev.strata.e2e.support.TestNamespace;
import dev.strata.e2e.support.Waits;
import dev.strata.e2e.support.node.RealCluster;
import dev.strata.e2e.support.node.RealClusterExtension;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The images of images/ on the real node: what a cluster does with them that the stand-in never
 * checked. The runner runs as 65532 with a read-only root filesystem, maps its class-data-sharing
 * archive, and reaches the examples' MinIO by its Service name; a failing runner's message lands in
 * the pod status.
 */
@ExtendWith(RealClusterExtension.class)
class RealNodeTest {

  static final String RUNNER = "ghcr.io/strata-dev/strata-runner:0.1.0";

  static Pod runnerPod(String name, List<String> args, String javaOptions) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withRestartPolicy("Never")
        .withAutomountServiceAccountToken(false)
        .withNewSecurityContext()
        .withRunAsNonRoot(true)
        .withRunAsUser(65532L)
        .withRunAsGroup(65532L)
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .endSecurityContext()
        .addNewContainer()
        .withName("runner")
        .withImage(RUNNER)
        .withImagePullPolicy("Never")
        .withArgs(args)
        .addNewEnv()
        .withName("JAVA_TOOL_OPTIONS")
        .withValue(javaOptions)
        .endEnv()
        .addNewEnv()
        .withName("AWS_ACCESS_KEY_ID")
        .withValue(Examples.EXAMPLE_ACCESS_KEY_ID)
        .endEnv()
        .addNewEnv()
        .withName("AWS_SECRET_ACCESS_KEY")
        .withValue(Examples.EXAMPLE_SECRET_ACCESS_KEY)
        .endEnv()
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        .withNewSecurityContext()
        .withReadOnlyRootFilesystem(true)
        .withAllowPrivilegeEscalation(false)
        .withNewCapabilities()
        .withDrop("ALL")
        .endCapabilities()
        .endSecurityContext()
        .addNewVolumeMount()
        .withName("tmp")
        .withMountPath("/tmp")
        .endVolumeMount()
        .endContainer()
        .addNewVolume()
        .withName("tmp")
        .withNewEmptyDir()
        .endEmptyDir()
        .endVolume()
        .endSpec()
        .build();
  }

  static ContainerStateTerminated awaitTerminated(KubernetesClient client, String ns, String name) {
    ContainerStateTerminated[] end = new ContainerStateTerminated[1];
    Waits.until(
        "pod " + ns + "/" + name + " terminated",
        Duration.ofMinutes(2),
        Duration.ofMillis(300),
        () -> {
          Pod p = client.pods().inNamespace(ns).withName(name).get();
          if (p == null
              || p.getStatus() == null
              || p.getStatus().getContainerStatuses() == null
              || p.getStatus().getContainerStatuses().isEmpty()) {
            return false;
          }
          end[0] = p.getStatus().getContainerStatuses().get(0).getState().getTerminated();
          return end[0] != null;
        });
    return end[0];
  }

  @Test
  void theRunnerImageRunsAsNonRootOnAReadOnlyRootAndMapsItsClassArchive(
      ControlPlane plane, TestNamespace ns) {
    KubernetesClient client = plane.client();
    client
        .pods()
        .inNamespace(ns.name())
        .resource(runnerPod("version", List.of("--version"), "-Xshare:on -Xlog:class+load=info"))
        .create();
    ContainerStateTerminated end = awaitTerminated(client, ns.name(), "version");
    CommandResult log = plane.kubectl("logs", "-n", ns.name(), "version");
    assertThat(end.getExitCode()).as(log.stdout()).isZero();
    assertThat(log.stdout())
        .contains("dev.strata.cli.StrataCli source: shared objects file")
        .contains("strata ");
    CommandResult id =
        plane.kubectl("get", "pod", "version", "-n", ns.name(), "-o", "jsonpath={.spec.nodeName}");
    assertThat(id.stdout()).isEqualTo("strata-node");
  }

  @Test
  void aRunnerPodReachesTheExamplesMinioByItsServiceNameAndAFailureIsItsTerminationMessage(
      ControlPlane plane, RealCluster cluster, TestNamespace ns) {
    KubernetesClient client = plane.client();
    client
        .pods()
        .inNamespace(ns.name())
        .resource(
            runnerPod(
                "list",
                List.of(
                    "snapshots",
                    "--store",
                    "s3://" + Examples.EXAMPLE_BUCKET,
                    "--endpoint",
                    Examples.EXAMPLE_ENDPOINT,
                    "--path-style",
                    "--json"),
                "-Xshare:auto"))
        .create();
    ContainerStateTerminated ok = awaitTerminated(client, ns.name(), "list");
    assertThat(ok.getExitCode()).as(String.valueOf(ok.getMessage())).isZero();

    client
        .pods()
        .inNamespace(ns.name())
        .resource(
            runnerPod(
                "fail",
                List.of(
                    "snapshots",
                    "--store",
                    "s3://no-such-bucket",
                    "--endpoint",
                    Examples.EXAMPLE_ENDPOINT,
                    "--path-style"),
                "-Xshare:auto"))
        .create();
    ContainerStateTerminated failed = awaitTerminated(client, ns.name(), "fail");
    assertThat(failed.getExitCode()).isNotZero();
    assertThat(failed.getMessage()).contains("no-such-bucket");
  }

  /**
   * The operator image as the chart runs it (65532, read-only root, /tmp an emptyDir) starts and
   * serves /healthz.
   */
  @Test
  void theOperatorImageStartsAndServesHealthz(ControlPlane plane, TestNamespace ns)
      throws Exception {
    KubernetesClient client = plane.client();
    plane
        .kubectl("apply", "--server-side", "-f", Examples.dir().resolveSibling("crds").toString())
        .assertSuccess();
    client
        .rbac()
        .clusterRoleBindings()
        .resource(
            new io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder()
                .withNewMetadata()
                .withName("operator-image-" + ns.name())
                .endMetadata()
                .withNewRoleRef()
                .withApiGroup("rbac.authorization.k8s.io")
                .withKind("ClusterRole")
                .withName("cluster-admin")
                .endRoleRef()
                .addNewSubject()
                .withKind("ServiceAccount")
                .withName("default")
                .withNamespace(ns.name())
                .endSubject()
                .build())
        .serverSideApply();
    client
        .pods()
        .inNamespace(ns.name())
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName("operator")
                .endMetadata()
                .withNewSpec()
                .withNewSecurityContext()
                .withRunAsNonRoot(true)
                .withRunAsUser(65532L)
                .withRunAsGroup(65532L)
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile()
                .endSecurityContext()
                .addNewContainer()
                .withName("operator")
                .withImage("ghcr.io/strata-dev/strata-operator:0.1.0")
                .withImagePullPolicy("Never")
                .addNewEnv()
                .withName("STRATA_LEADER_ELECTION")
                .withValue("false")
                .endEnv()
                .addNewEnv()
                .withName("STRATA_NAMESPACES")
                .withValue(ns.name())
                .endEnv()
                .withNewSecurityContext()
                .withReadOnlyRootFilesystem(true)
                .withAllowPrivilegeEscalation(false)
                .withNewCapabilities()
                .withDrop("ALL")
                .endCapabilities()
                .endSecurityContext()
                .addNewVolumeMount()
                .withName("tmp")
                .withMountPath("/tmp")
                .endVolumeMount()
                .endContainer()
                .addNewVolume()
                .withName("tmp")
                .withNewEmptyDir()
                .endEmptyDir()
                .endVolume()
                .endSpec()
                .build())
        .create();
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    try {
      Waits.until(
          "the operator pod's /healthz",
          Duration.ofMinutes(2),
          Duration.ofMillis(500),
          () -> {
            Pod p = client.pods().inNamespace(ns.name()).withName("operator").get();
            String ip = p.getStatus() == null ? null : p.getStatus().getPodIP();
            if (ip == null || ip.isEmpty()) {
              return false;
            }
            try {
              return http.send(
                          java.net.http.HttpRequest.newBuilder(
                                  java.net.URI.create("http://" + ip + ":8080/healthz"))
                              .timeout(Duration.ofSeconds(2))
                              .build(),
                          java.net.http.HttpResponse.BodyHandlers.discarding())
                      .statusCode()
                  == 200;
            } catch (java.io.IOException e) {
              return false;
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              return false;
            }
          });
      assertThat(
              client
                  .pods()
                  .inNamespace(ns.name())
                  .withName("operator")
                  .get()
                  .getStatus()
                  .getPodIP())
          .startsWith("198.18.10.");
    } finally {
      client.rbac().clusterRoleBindings().withName("operator-image-" + ns.name()).delete();
    }
  }

  /**
   * One node per machine: a second one in this JVM fails at once, saying why, and the first keeps
   * running.
   */
  @Test
  void aSecondNodeFailsAtOnceAndLeavesTheFirstRunning(RealCluster cluster) {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                dev.strata.e2e.support.node.RealNode.start(
                    cluster.plane(), java.nio.file.Path.of("/nonexistent.tar")))
        .hasMessageContaining("A real node already runs in this JVM");
    cluster.node().checkAlive();
    assertThat(
            cluster
                .plane()
                .kubectl(
                    "get",
                    "node",
                    "strata-node",
                    "-o",
                    "jsonpath={.status.conditions[?(@.type==\"Ready\")].status}")
                .assertSuccess()
                .stdout())
        .isEqualTo("True");
  }
}
