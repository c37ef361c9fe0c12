package dev.strata.e2e;

import static dev.strata.e2e.KubeletStandInTest.awaitJobCondition;
import static dev.strata.e2e.KubeletStandInTest.claim;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.e2e.support.CommandResult;
import dev.strata.e2e.support.ControlPlane;
import dev.strata.e2e.support.ControlPlaneExtension;
import dev.strata.e2e.support.DirectoryTree;
import dev.strata.e2e.support.MinioExtension;
import dev.strata.e2e.support.MinioServer;
import dev.strata.e2e.support.RunnerLaunch;
import dev.strata.e2e.support.RunnerOutput;
import dev.strata.e2e.support.TestNamespace;
import dev.strata.e2e.support.kubelet.KubeletStandIn;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole stack at once: a runner Job backs a PVC up into MinIO, the real Job controller
 * completes it, and a local {@code strata restore} from MinIO gives back the same tree.
 */
@ExtendWith({ControlPlaneExtension.class, MinioExtension.class})
class SmokeBackupJobTest {

  @TempDir Path tmp;

  @Test
  void runnerJobBacksUpAVolumeToMinioAndItRestoresIdentically(
      ControlPlane plane, KubeletStandIn kubelet, MinioServer minio, TestNamespace ns) {
    KubernetesClient client = plane.client();
    String bucket = minio.freshBucket("smoke");
    String store = "s3://" + bucket + "/smoke";
    String sourceId = ns + "/state/";
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
                        minio.secretKey()))
                .build())
        .create();
    claim(client, ns, "state");
    Path volume = kubelet.hostPathOf(ns.name(), "state");
    int files = DirectoryTree.seed(volume, 42, 6);
    Map<String, DirectoryTree.Entry> seeded = DirectoryTree.describe(volume);

    client
        .batch()
        .v1()
        .jobs()
        .inNamespace(ns.name())
        .resource(
            new JobBuilder()
                .withNewMetadata()
                .withName("smoke-backup")
                .endMetadata()
                .withNewSpec()
                .withBackoffLimit(0)
                .withNewTemplate()
                .withNewSpec()
                .withRestartPolicy("Never")
                .addNewContainer()
                .withName("runner")
                .withImage(KubeletStandIn.RUNNER_IMAGE + ":dev")
                .withArgs(
                    "backup",
                    "--store",
                    store,
                    "--endpoint",
                    minio.endpoint(),
                    "--path-style",
                    "--source",
                    "/data",
                    "--source-id",
                    sourceId,
                    "--json",
                    "--result-file",
                    "/dev/termination-log")
                .addNewEnvFrom()
                .withNewSecretRef()
                .withName("minio-credentials")
                .endSecretRef()
                .endEnvFrom()
                .withTerminationMessagePolicy("FallbackToLogsOnError")
                .addNewVolumeMount()
                .withName("state")
                .withMountPath("/data")
                .endVolumeMount()
                .endContainer()
                .addNewVolume()
                .withName("state")
                .withNewPersistentVolumeClaim()
                .withClaimName("state")
                .endPersistentVolumeClaim()
                .endVolume()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
        .create();

    Job job = awaitJobCondition(client, ns, "smoke-backup", "Complete", Duration.ofMinutes(3));
    assertThat(job.getStatus().getSucceeded()).isEqualTo(1);
    Pod pod =
        client
            .pods()
            .inNamespace(ns.name())
            .withLabel("job-name", "smoke-backup")
            .list()
            .getItems()
            .get(0);
    JsonNode backup =
        RunnerOutput.requireJson(
            kubelet.containerLog(ns.name(), pod.getMetadata().getName(), "runner"));
    assertThat(backup.path("sourceId").asText()).isEqualTo(sourceId);
    assertThat(backup.path("files").asLong()).isEqualTo(files);
    assertThat(backup.path("totalBytes").asLong()).isEqualTo(DirectoryTree.totalBytes(seeded));
    String message =
        pod.getStatus().getContainerStatuses().get(0).getState().getTerminated().getMessage();
    assertThat(RunnerOutput.requireJson(message).path("snapshotId").asText())
        .isEqualTo(backup.path("snapshotId").asText());

    Path target = tmp.resolve("restored");
    CommandResult restore =
        CommandResult.run(
                RunnerLaunch.detect()
                    .command(
                        List.of(
                            "restore",
                            "--store",
                            store,
                            "--endpoint",
                            minio.endpoint(),
                            "--path-style",
                            "--region",
                            minio.region(),
                            "--snapshot",
                            backup.path("snapshotId").asText(),
                            "--target",
                            target.toString(),
                            "--json")),
                minio.credentialsEnv(),
                Duration.ofMinutes(3))
            .assertSuccess();
    assertThat(RunnerOutput.requireJson(restore.stdout()).isObject()).isTrue();
    assertThat(DirectoryTree.describe(target)).isEqualTo(seeded);
  }
}
