package dev.strata.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.e2e.support.CommandResult;
import dev.strata.e2e.support.ControlPlane;
import dev.strata.e2e.support.ControlPlaneExtension;
import dev.strata.e2e.support.DirectoryTree;
import dev.strata.e2e.support.RunnerLaunch;
import dev.strata.e2e.support.RunnerOutput;
import dev.strata.e2e.support.TestNamespace;
import dev.strata.e2e.support.kubelet.KubeletStandIn;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kubelet stand-in against the real control plane: what the operator's runner Jobs will rely
 * on.
 */
@ExtendWith(ControlPlaneExtension.class)
class KubeletStandInTest {

  private static final String RUNNER = KubeletStandIn.RUNNER_IMAGE + ":dev";

  @TempDir Path tmp;

  @Test
  void jobBackupToAFileStoreCompletesAndRestoresIdentically(
      ControlPlane plane, KubeletStandIn kubelet, TestNamespace ns) {
    KubernetesClient client = plane.client();
    claim(client, ns, "state");
    claim(client, ns, "store");
    Path state = kubelet.hostPathOf(ns.name(), "state");
    int files = DirectoryTree.seed(state, 7, 3);
    Map<String, DirectoryTree.Entry> seeded = DirectoryTree.describe(state);

    client
        .batch()
        .v1()
        .jobs()
        .inNamespace(ns.name())
        .resource(
            new JobBuilder()
                .withNewMetadata()
                .withName("backup")
                .endMetadata()
                .withNewSpec()
                .withBackoffLimit(0)
                .withNewTemplate()
                .withNewSpec()
                .withRestartPolicy("Never")
                .addNewContainer()
                .withName("runner")
                .withImage(RUNNER)
                .withArgs(
                    "backup",
                    "--store",
                    "file:///store",
                    "--source",
                    "/data",
                    "--source-id",
                    ns + "/state/",
                    "--json",
                    "--result-file",
                    "/dev/termination-log")
                .withTerminationMessagePolicy("FallbackToLogsOnError")
                .addNewVolumeMount()
                .withName("state")
                .withMountPath("/data")
                .withReadOnly(true)
                .endVolumeMount()
                .addNewVolumeMount()
                .withName("store")
                .withMountPath("/store")
                .endVolumeMount()
                .endContainer()
                .addNewVolume()
                .withName("state")
                .withNewPersistentVolumeClaim()
                .withClaimName("state")
                .endPersistentVolumeClaim()
                .endVolume()
                .addNewVolume()
                .withName("store")
                .withNewPersistentVolumeClaim()
                .withClaimName("store")
                .endPersistentVolumeClaim()
                .endVolume()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
        .create();

    Job job = awaitJobCondition(client, ns, "backup", "Complete", Duration.ofMinutes(2));
    assertThat(job.getStatus().getSucceeded()).isEqualTo(1);
    Pod pod =
        client
            .pods()
            .inNamespace(ns.name())
            .withLabel("job-name", "backup")
            .list()
            .getItems()
            .get(0);
    assertThat(pod.getStatus().getPhase()).isEqualTo("Succeeded");
    assertThat(pod.getSpec().getNodeName()).isIn("node-a", "node-b");
    ContainerStateTerminated terminated =
        pod.getStatus().getContainerStatuses().get(0).getState().getTerminated();
    assertThat(terminated.getExitCode()).isZero();
    assertThat(terminated.getReason()).isEqualTo("Completed");
    String log = kubelet.containerLog(ns.name(), pod.getMetadata().getName(), "runner");
    JsonNode result = RunnerOutput.requireJson(log);
    assertThat(result.path("files").asLong()).isEqualTo(files);
    assertThat(result.path("symlinks").asLong()).isEqualTo(1);
    assertThat(result.path("totalBytes").asLong()).isEqualTo(DirectoryTree.totalBytes(seeded));
    // The runner's --result-file lands in the pod status as the termination message, as on a real
    // kubelet.
    assertThat(RunnerOutput.requireJson(terminated.getMessage()).path("snapshotId").asText())
        .isEqualTo(result.path("snapshotId").asText());

    Path target = tmp.resolve("restored");
    CommandResult restore =
        CommandResult.run(
                RunnerLaunch.detect()
                    .command(
                        List.of(
                            "restore",
                            "--store",
                            "file://" + kubelet.hostPathOf(ns.name(), "store"),
                            "--latest",
                            "--source-id",
                            ns + "/state/",
                            "--target",
                            target.toString())),
                Map.of(),
                Duration.ofMinutes(2))
            .assertSuccess();
    assertThat(restore.exitCode()).isZero();
    assertThat(DirectoryTree.describe(target)).isEqualTo(seeded);
  }

  @Test
  void failingRunnerReportsItsErrorAndFailsTheJob(
      ControlPlane plane, KubeletStandIn kubelet, TestNamespace ns) {
    KubernetesClient client = plane.client();
    claim(client, ns, "store");
    client
        .batch()
        .v1()
        .jobs()
        .inNamespace(ns.name())
        .resource(
            new JobBuilder()
                .withNewMetadata()
                .withName("restore")
                .endMetadata()
                .withNewSpec()
                .withBackoffLimit(0)
                .withNewTemplate()
                .withNewSpec()
                .withRestartPolicy("Never")
                .addNewContainer()
                .withName("runner")
                .withImage(RUNNER)
                .withArgs(
                    "restore",
                    "--store",
                    "file:///store",
                    "--latest",
                    "--source-id",
                    "nothing/here/",
                    "--target",
                    "/restore")
                .withTerminationMessagePolicy("FallbackToLogsOnError")
                .addNewVolumeMount()
                .withName("store")
                .withMountPath("/store")
                .endVolumeMount()
                .endContainer()
                .addNewVolume()
                .withName("store")
                .withNewPersistentVolumeClaim()
                .withClaimName("store")
                .endPersistentVolumeClaim()
                .endVolume()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
        .create();

    awaitJobCondition(client, ns, "restore", "Failed", Duration.ofMinutes(2));
    Pod pod =
        client
            .pods()
            .inNamespace(ns.name())
            .withLabel("job-name", "restore")
            .list()
            .getItems()
            .get(0);
    assertThat(pod.getStatus().getPhase()).isEqualTo("Failed");
    ContainerStateTerminated terminated =
        pod.getStatus().getContainerStatuses().get(0).getState().getTerminated();
    assertThat(terminated.getExitCode()).isNotZero();
    assertThat(terminated.getReason()).isEqualTo("Error");
    assertThat(terminated.getMessage()).contains("nothing/here/");
  }

  @Test
  void initContainersRunFirstWithEnvExpansionAndReadOnlyMounts(
      ControlPlane plane, KubeletStandIn kubelet, TestNamespace ns) throws Exception {
    KubernetesClient client = plane.client();
    claim(client, ns, "out");
    client
        .configMaps()
        .inNamespace(ns.name())
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("settings")
                .endMetadata()
                .withData(Map.of("key", "from-configmap"))
                .build())
        .create();
    client
        .pods()
        .inNamespace(ns.name())
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName("steps")
                .endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .addNewInitContainer()
                .withName("prepare")
                .withImage(RUNNER)
                .withCommand("sh", "-c", "echo init-$(POD) > /scratch/marker")
                .addNewEnv()
                .withName("POD")
                .withNewValueFrom()
                .withNewFieldRef()
                .withFieldPath("metadata.name")
                .endFieldRef()
                .endValueFrom()
                .endEnv()
                .addNewVolumeMount()
                .withName("scratch")
                .withMountPath("/scratch")
                .endVolumeMount()
                .endInitContainer()
                .addNewContainer()
                .withName("check")
                .withImage(RUNNER)
                .withCommand(
                    "sh",
                    "-c",
                    "cat /scratch/marker > /out/result;"
                        + " (touch /config/x 2>/dev/null && echo writable || echo read-only) >> /out/result;"
                        + " cat /config/key >> /out/result; echo done > /dev/termination-log")
                .addNewVolumeMount()
                .withName("scratch")
                .withMountPath("/scratch")
                .endVolumeMount()
                .addNewVolumeMount()
                .withName("out")
                .withMountPath("/out")
                .endVolumeMount()
                .addNewVolumeMount()
                .withName("config")
                .withMountPath("/config")
                .endVolumeMount()
                .endContainer()
                .addNewVolume()
                .withName("scratch")
                .withNewEmptyDir()
                .endEmptyDir()
                .endVolume()
                .addNewVolume()
                .withName("out")
                .withNewPersistentVolumeClaim()
                .withClaimName("out")
                .endPersistentVolumeClaim()
                .endVolume()
                .addNewVolume()
                .withName("config")
                .withNewConfigMap()
                .withName("settings")
                .endConfigMap()
                .endVolume()
                .endSpec()
                .build())
        .create();

    Pod pod = awaitPodPhase(client, ns, "steps", "Succeeded", Duration.ofMinutes(1));
    assertThat(
            pod.getStatus()
                .getInitContainerStatuses()
                .get(0)
                .getState()
                .getTerminated()
                .getReason())
        .isEqualTo("Completed");
    assertThat(
            pod.getStatus().getContainerStatuses().get(0).getState().getTerminated().getMessage())
        .isEqualTo("done\n");
    assertThat(pod.getStatus().getConditions())
        .anySatisfy(
            c -> {
              assertThat(c.getType()).isEqualTo("Initialized");
              assertThat(c.getStatus()).isEqualTo("True");
            });
    assertThat(Files.readString(kubelet.hostPathOf(ns.name(), "out").resolve("result")))
        .isEqualTo("init-steps\nread-only\nfrom-configmap");
  }

  @Test
  void placementFollowsSelectorsAndAffinityAndDeletionIsCompleted(
      ControlPlane plane, KubeletStandIn kubelet, TestNamespace ns) {
    KubernetesClient client = plane.client();
    client
        .pods()
        .inNamespace(ns.name())
        .resource(
            appPod("on-b")
                .editSpec()
                .withNodeSelector(Map.of("kubernetes.io/hostname", "node-b"))
                .endSpec()
                .build())
        .create();
    client
        .pods()
        .inNamespace(ns.name())
        .resource(
            appPod("on-a")
                .editSpec()
                .withNewAffinity()
                .withNewNodeAffinity()
                .withNewRequiredDuringSchedulingIgnoredDuringExecution()
                .addNewNodeSelectorTerm()
                .addNewMatchField()
                .withKey("metadata.name")
                .withOperator("In")
                .withValues("node-a")
                .endMatchField()
                .endNodeSelectorTerm()
                .endRequiredDuringSchedulingIgnoredDuringExecution()
                .endNodeAffinity()
                .endAffinity()
                .endSpec()
                .build())
        .create();
    client
        .pods()
        .inNamespace(ns.name())
        .resource(
            appPod("nowhere")
                .editSpec()
                .withNodeSelector(Map.of("kubernetes.io/hostname", "node-z"))
                .endSpec()
                .build())
        .create();

    Pod onB = awaitPodPhase(client, ns, "on-b", "Running", Duration.ofSeconds(30));
    Pod onA = awaitPodPhase(client, ns, "on-a", "Running", Duration.ofSeconds(30));
    assertThat(onB.getSpec().getNodeName()).isEqualTo("node-b");
    assertThat(onA.getSpec().getNodeName()).isEqualTo("node-a");
    assertThat(onA.getStatus().getContainerStatuses().get(0).getReady()).isTrue();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              Pod nowhere = client.pods().inNamespace(ns.name()).withName("nowhere").get();
              assertThat(nowhere.getSpec().getNodeName()).isNull();
              assertThat(nowhere.getStatus().getConditions())
                  .anySatisfy(
                      c -> {
                        assertThat(c.getType()).isEqualTo("PodScheduled");
                        assertThat(c.getReason()).isEqualTo("Unschedulable");
                      });
            });

    client.pods().inNamespace(ns.name()).withName("on-a").delete();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> client.pods().inNamespace(ns.name()).withName("on-a").get() == null);
  }

  @Test
  void activeDeadlineKillsTheProcessAndFailsThePod(
      ControlPlane plane, KubeletStandIn kubelet, TestNamespace ns) {
    KubernetesClient client = plane.client();
    client
        .pods()
        .inNamespace(ns.name())
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName("slow")
                .endMetadata()
                .withNewSpec()
                .withRestartPolicy("Never")
                .withActiveDeadlineSeconds(3L)
                .addNewContainer()
                .withName("runner")
                .withImage(RUNNER)
                .withCommand("sleep", "120")
                .endContainer()
                .endSpec()
                .build())
        .create();

    Pod pod = awaitPodPhase(client, ns, "slow", "Failed", Duration.ofSeconds(40));
    assertThat(pod.getStatus().getReason()).isEqualTo("DeadlineExceeded");
    assertThat(pod.getStatus().getContainerStatuses().get(0).getState().getTerminated())
        .isNotNull();
  }

  @Test
  void onFailureRestartsAFailedContainerAndCountsTheRestart(
      ControlPlane plane, KubeletStandIn kubelet, TestNamespace ns) {
    KubernetesClient client = plane.client();
    client
        .pods()
        .inNamespace(ns.name())
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName("flaky")
                .endMetadata()
                .withNewSpec()
                .withRestartPolicy("OnFailure")
                .addNewContainer()
                .withName("runner")
                .withImage(RUNNER)
                .withCommand(
                    "sh",
                    "-c",
                    "if [ -f /scratch/tried ]; then exit 0; fi; touch /scratch/tried; exit 3")
                .addNewVolumeMount()
                .withName("scratch")
                .withMountPath("/scratch")
                .endVolumeMount()
                .endContainer()
                .addNewVolume()
                .withName("scratch")
                .withNewEmptyDir()
                .endEmptyDir()
                .endVolume()
                .endSpec()
                .build())
        .create();

    Pod pod = awaitPodPhase(client, ns, "flaky", "Succeeded", Duration.ofSeconds(40));
    var status = pod.getStatus().getContainerStatuses().get(0);
    assertThat(status.getRestartCount()).isEqualTo(1);
    assertThat(status.getLastState().getTerminated().getExitCode()).isEqualTo(3);
    assertThat(status.getState().getTerminated().getExitCode()).isZero();
  }

  private static PodBuilder appPod(String name) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("app")
        .withImage("registry.example/stateful-app:1")
        .endContainer()
        .withTerminationGracePeriodSeconds(5L)
        .endSpec();
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

  /**
   * Waits for the Job to finish; fails with its pods' container states when it ends otherwise than
   * {@code type}.
   */
  static Job awaitJobCondition(
      KubernetesClient client, TestNamespace ns, String name, String type, Duration timeout) {
    await()
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              Job job = client.batch().v1().jobs().inNamespace(ns.name()).withName(name).get();
              return job.getStatus() != null
                  && job.getStatus().getConditions() != null
                  && job.getStatus().getConditions().stream()
                      .anyMatch(
                          c ->
                              (type.equals(c.getType())
                                      || "Failed".equals(c.getType())
                                      || "Complete".equals(c.getType()))
                                  && "True".equals(c.getStatus()));
            });
    Job job = client.batch().v1().jobs().inNamespace(ns.name()).withName(name).get();
    StringBuilder pods = new StringBuilder();
    for (Pod pod :
        client.pods().inNamespace(ns.name()).withLabel("job-name", name).list().getItems()) {
      pods.append("\n  pod ")
          .append(pod.getMetadata().getName())
          .append(" phase ")
          .append(pod.getStatus().getPhase());
      pod.getStatus()
          .getContainerStatuses()
          .forEach(
              s -> pods.append("\n    ").append(s.getName()).append(": ").append(s.getState()));
    }
    assertThat(job.getStatus().getConditions())
        .as("conditions of Job %s/%s; its pods:%s", ns, name, pods)
        .anySatisfy(
            c -> {
              assertThat(c.getType()).isEqualTo(type);
              assertThat(c.getStatus()).isEqualTo("True");
            });
    return job;
  }

  static Pod awaitPodPhase(
      KubernetesClient client, TestNamespace ns, String name, String phase, Duration timeout) {
    await()
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> {
              Pod pod = client.pods().inNamespace(ns.name()).withName(name).get();
              return pod != null
                  && pod.getStatus() != null
                  && phase.equals(pod.getStatus().getPhase());
            });
    return client.pods().inNamespace(ns.name()).withName(name).get();
  }
}
