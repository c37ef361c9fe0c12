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
 * The images of images/ on the real node: what a cluster does with them that the stand-in never checked. The runner
 * runs as 65532 with a read-only root filesystem, maps its class-data-sharing archive, and reaches the examples' MinIO
 * by its Service name; a failing runner's message lands in the pod status.
 */
@ExtendWith(RealClusterExtension.class)
class RealNodeTest {

  static final String RUNNER = "ghcr.io/strata-dev/strata-runner:0.1.0";

  static Pod runnerPod(String name, List<String> args, String javaOptions) {
    return new PodBuilder().withNewMetadata().withName(name).endMetadata()
        .withNewSpec().withRestartPolicy("Never").withAutomountServiceAccountToken(false)
        .withNewSecurityContext().withRunAsNonRoot(true).withRunAsUser(65532L).withRunAsGroup(65532L)
        .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().endSecurityContext()
        .addNewContainer().withName("runner").withImage(RUNNER).withImagePullPolicy("Never").withArgs(args)
        .addNewEnv().withName("JAVA_TOOL_OPTIONS").withValue(javaOptions).endEnv()
        .addNewEnv().withName("AWS_ACCESS_KEY_ID").withValue(Examples.EXAMPLE_ACCESS_KEY_ID).endEnv()
        .addNewEnv().withName("AWS_SECRET_ACCESS_KEY").withValue(Examples.EXAMPLE_SECRET_ACCESS_KEY).endEnv()
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        .withNewSecurityContext().withReadOnlyRootFilesystem(true).withAllowPrivilegeEscalation(false)
        .withNewCapabilities().withDrop("ALL").endCapabilities().endSecurityContext()
        .addNewVolumeMount().withName("tmp").withMountPath("/tmp").endVolumeMount()
        .endContainer()
        .addNewVolume().withName("tmp").withNewEmptyDir().endEmptyDir().endVolume()
        .endSpec().build();
  }

  static ContainerStateTerminated awaitTerminated(KubernetesClient client, String ns, String name) {
    ContainerStateTerminated[] end = new ContainerStateTerminated[1];
    Waits.until("pod " + ns + "/" + name + " terminated", Duration.ofMinutes(2), Duration.ofMillis(300), () -> {
      Pod p = client.pods().inNamespace(ns).withName(name).get();
      if (p == null || p.getStatus() == null || p.getStatus().getContainerStatuses() == null
          || p.getStatus().getContainerStatuses().isEmpty()) {
        return false;
      }
      end[0] = p.getStatus().getContainerStatuses().get(0).getState().getTerminated();
      return end[0] != null;
    });
    return end[0];
  }

  @Test
  void theRunnerImageRunsAsNonRootOnAReadOnlyRootAndMapsItsClassArchive(ControlPlane plane, TestNamespace ns) {
    KubernetesClient client = plane.client();
    client.pods().inNamespace(ns.name()).resource(runnerPod("version", List.of("--version"),
        "-Xshare:on -Xlog:class+load=info")).create();
    ContainerStateTerminated end = awaitTerminated(client, ns.name(), "version");
    CommandResult log = plane.kubectl("logs", "-n", ns.name(), "version");
    assertThat(end.getExitCode()).as(log.stdout()).isZero();
    assertThat(log.stdout()).contains("dev.strata.cli.StrataCli source: shared objects file").contains("strata ");
    CommandResult id = plane.kubectl("get", "pod", "version", "-n", ns.name(), "-o", "jsonpath={.spec.nodeName}");
    assertThat(id.stdout()).isEqualTo("strata-node");
  }

  @Test
  void aRunnerPodReachesTheExamplesMinioByItsServiceNameAndAFailureIsItsTerminationMessage(ControlPlane plane,
      RealCluster cluster, TestNamespace ns) {
    KubernetesClient client = plane.client();
    client.pods().inNamespace(ns.name()).resource(runnerPod("list", List.of("snapshots", "--store", "s3://"
        + Examples.EXAMPLE_BUCKET, "--endpoint", Examples.EXAMPLE_ENDPOINT, "--path-style", "--json"), "-Xshare:auto")).create();
    ContainerStateTerminated ok = awaitTerminated(client, ns.name(), "list");
    assertThat(ok.getExitCode()).as(String.valueOf(ok.getMessage())).isZero();

    client.pods().inNamespace(ns.name()).resource(runnerPod("fail", List.of("snapshots", "--store", "s3://no-such-bucket",
        "--endpoint", Examples.EXAMPLE_ENDPOINT, "--path-style"), "-Xshare:auto")).create();
    ContainerStateTerminated failed = awaitTerminated(client, ns.name(), "fail");
    assertThat(failed.getExitCode()).isNotZero();
    assertThat(failed.getMessage()).contains("no-such-bucket");
  }
}
