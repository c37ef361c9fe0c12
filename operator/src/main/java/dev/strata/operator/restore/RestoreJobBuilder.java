package dev.strata.operator.restore;

import dev.strata.api.v1alpha1.RestoreMode;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.StateRestore;
import dev.strata.api.v1alpha1.StateRestoreSpec;
import dev.strata.operator.ClaimUser;
import dev.strata.operator.Labels;
import dev.strata.operator.OperatorSettings;
import dev.strata.operator.RunnerPodSettings;
import dev.strata.operator.RunnerPodTemplate;
import dev.strata.operator.runner.RunnerArgs;
import dev.strata.operator.runner.RunnerCredentials;
import dev.strata.operator.runner.RunnerJobs;
import dev.strata.operator.runner.RunnerNames;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The runner Job of a StateRestore: mounts the target PVC read-write and runs {@code strata
 * restore} of the pinned snapshot, locked down like a backup runner. The snapshot id is also an
 * annotation, so an operator that lost the restore's status finds what the Job restores.
 */
public final class RestoreJobBuilder {

  public static final String TARGET_MOUNT = "/strata/target";
  public static final String SNAPSHOT_ANNOTATION = "strata.dev/snapshot-id";

  private final OperatorSettings settings;

  public RestoreJobBuilder(OperatorSettings settings) {
    this.settings = settings;
  }

  public static String jobName(StateRestore restore) {
    return RunnerNames.jobName(restore.getMetadata().getName(), "restore");
  }

  public static String runnerMode(RestoreMode mode) {
    return switch (mode == null ? RestoreMode.IfEmpty : mode) {
      case IfEmpty -> "empty";
      case Overwrite -> "overwrite";
      case Sync -> "sync";
    };
  }

  /**
   * @param user the pod that uses the target PVC: its node (RWO) and, for the Restricted profile,
   *     its user
   */
  public Job build(
      StateRestore restore,
      SnapshotStore store,
      String snapshotId,
      String targetPvc,
      Optional<ClaimUser> user) {
    StateRestoreSpec spec = restore.getSpec();
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(Labels.NAME, Labels.RUNNER);
    labels.put(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE);
    labels.put("strata.dev/staterestore", restore.getMetadata().getName());
    labels.put(Labels.OPERATION, "restore");
    String path = spec.target().normalizedPath();
    List<String> args = new ArrayList<>(List.of("restore"));
    args.addAll(RunnerArgs.store(store.getSpec()));
    args.addAll(
        List.of(
            "--snapshot", snapshotId,
            "--target", path.isEmpty() ? TARGET_MOUNT : TARGET_MOUNT + "/" + path,
            "--mode", runnerMode(spec.mode()),
            "--parallelism", Integer.toString(spec.parallelism() == null ? 8 : spec.parallelism()),
            "--progress-object", RunnerNames.progressObject(restore)));
    args.addAll(RunnerArgs.result());
    if (spec.mode() == RestoreMode.Sync && !Boolean.FALSE.equals(spec.verify())) {
      args.add("--full-check");
    }
    args.addAll(RunnerArgs.retryDeadline(settings));
    RunnerPodSettings podSettings =
        RunnerPodSettings.resolve(
            store.getSpec().runner(), spec.runner(), user, settings, RunnerArgs.defaultResources());
    JobBuilder job =
        new JobBuilder()
            .withNewMetadata()
            .withName(jobName(restore))
            .withNamespace(restore.getMetadata().getNamespace())
            .withLabels(labels)
            .withAnnotations(Map.of(SNAPSHOT_ANNOTATION, snapshotId))
            .addNewOwnerReference()
            .withApiVersion(restore.getApiVersion())
            .withKind(restore.getKind())
            .withName(restore.getMetadata().getName())
            .withUid(restore.getMetadata().getUid())
            .withController(true)
            .withBlockOwnerDeletion(true)
            .endOwnerReference()
            .endMetadata()
            .withNewSpec()
            .withBackoffLimit(0)
            .withActiveDeadlineSeconds(
                spec.activeDeadlineSeconds() == null ? 3600 : spec.activeDeadlineSeconds())
            .withTtlSecondsAfterFinished((int) settings.jobTtl().toSeconds())
            .withTemplate(
                RunnerCredentials.apply(
                    new RunnerPodTemplate(
                            settings.runnerImage(),
                            labels,
                            podSettings,
                            args,
                            RunnerArgs.credentialsEnv(store.getSpec()),
                            List.of(
                                new VolumeBuilder()
                                    .withName("target")
                                    .withNewPersistentVolumeClaim(targetPvc, false)
                                    .build()),
                            List.of(
                                new VolumeMountBuilder()
                                    .withName("target")
                                    .withMountPath(TARGET_MOUNT)
                                    .build()),
                            store.getSpec().caBundle(),
                            user.map(ClaimUser::node))
                        .build(),
                    store.getSpec()))
            .endSpec();
    // Kept, with its pods, until the run's result is in the status (see RunnerJobs).
    return RunnerJobs.holdingResult(job.build());
  }
}
