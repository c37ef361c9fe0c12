package dev.strata.operator.snapshot;

import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.SnapshotStoreSpec;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.api.v1alpha1.StateSnapshotSpec;
import dev.strata.operator.ClaimUser;
import dev.strata.operator.Labels;
import dev.strata.operator.OperatorSettings;
import dev.strata.operator.RunnerPodSettings;
import dev.strata.operator.RunnerPodTemplate;
import dev.strata.operator.runner.RunnerArgs;
import dev.strata.operator.runner.RunnerCredentials;
import dev.strata.operator.runner.RunnerJobs;
import dev.strata.operator.runner.RunnerNames;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The runner Job a StateSnapshot wants: one pod that mounts the PVC read-only and runs {@code
 * strata backup} into the store, as non-root with a read-only root filesystem and no capabilities,
 * with the store's credentials from its Secret and nothing else from the cluster (no
 * service-account token). When a running pod uses the PVC, the Job is pinned to that pod's node, so
 * a ReadWriteOnce volume can be mounted.
 */
public final class RunnerJobBuilder {

  public static final String SOURCE_MOUNT = "/strata/source";

  private final OperatorSettings settings;

  public RunnerJobBuilder(OperatorSettings settings) {
    this.settings = settings;
  }

  public static String jobName(StateSnapshot snapshot) {
    return RunnerNames.jobName(snapshot.getMetadata().getName(), "backup");
  }

  /**
   * How long the finished Job stays: the operator's setting, or longer when post hooks run after it
   * ends, since the runner's result is read from the Job's pod once they are done.
   */
  static java.time.Duration jobTtl(StateSnapshotSpec spec, OperatorSettings settings) {
    long post =
        spec.hooks() == null
            ? 0
            : spec.hooks().postOrEmpty().stream().mapToLong(h -> h.timeoutSecondsOrDefault()).sum();
    java.time.Duration needed = java.time.Duration.ofSeconds(post == 0 ? 0 : post + 300);
    return needed.compareTo(settings.jobTtl()) > 0 ? needed : settings.jobTtl();
  }

  /**
   * @param user the pod that uses the source PVC: its node (RWO) and, for the Restricted profile,
   *     its user
   */
  public Job build(StateSnapshot snapshot, SnapshotStore store, Optional<ClaimUser> user) {
    StateSnapshotSpec spec = snapshot.getSpec();
    SnapshotStoreSpec storeSpec = store.getSpec();
    String ns = snapshot.getMetadata().getNamespace();
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(Labels.NAME, Labels.RUNNER);
    labels.put(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE);
    labels.put(Labels.SNAPSHOT, snapshot.getMetadata().getName());
    labels.put(Labels.OPERATION, "backup");

    String sourceDir =
        spec.source().normalizedPath().isEmpty()
            ? SOURCE_MOUNT
            : SOURCE_MOUNT + "/" + spec.source().normalizedPath();
    List<String> args = new ArrayList<>(List.of("backup"));
    args.addAll(RunnerArgs.store(storeSpec));
    args.addAll(
        List.of(
            "--source", sourceDir,
            "--source-id", spec.source().sourceId(settings.clusterId(), ns),
            // Until the source has a snapshot under its id, its newest from before clusters were
            // named is the base.
            "--former-source-id", spec.source().legacySourceId(ns),
            "--parallelism", Integer.toString(spec.parallelismOrDefault()),
            "--created-by", RunnerNames.createdBy(snapshot),
            "--progress-object", RunnerNames.progressObject(snapshot)));
    indexLabels(snapshot).forEach((k, v) -> args.addAll(List.of("--label", k + "=" + v)));
    args.addAll(RunnerArgs.result());
    if (Boolean.TRUE.equals(spec.fullCheck())) {
      args.add("--full-check");
    }
    if (spec.onFileChange() != null) {
      args.addAll(
          List.of(
              "--on-file-change", spec.onFileChange().name().toLowerCase(java.util.Locale.ROOT)));
    }
    if (spec.fileChangeRetries() != null) {
      args.addAll(List.of("--file-change-retries", Integer.toString(spec.fileChangeRetries())));
    }
    if (storeSpec.compression() != null) {
      args.addAll(List.of("--compression", storeSpec.compression()));
    }
    args.addAll(RunnerArgs.retryDeadline(settings));
    if (storeSpec.gc() != null && Boolean.TRUE.equals(storeSpec.gc().allowShortGracePeriod())) {
      // A grace under an hour: restart found blobs' ages sooner than the usual hour, or a collector
      // could take them.
      args.addAll(List.of("--refresh-age", "0s"));
    }

    RunnerPodSettings podSettings =
        RunnerPodSettings.resolve(
            storeSpec.runner(), spec.runner(), user, settings, RunnerArgs.defaultResources());
    RunnerPodTemplate pod =
        new RunnerPodTemplate(
            settings.runnerImage(),
            labels,
            podSettings,
            args,
            RunnerArgs.credentialsEnv(storeSpec),
            List.of(
                new VolumeBuilder()
                    .withName("source")
                    .withNewPersistentVolumeClaim(spec.source().pvcName(), true)
                    .build()),
            List.of(
                new VolumeMountBuilder()
                    .withName("source")
                    .withMountPath(SOURCE_MOUNT)
                    .withReadOnly(true)
                    .build()),
            storeSpec.caBundle(),
            user.map(ClaimUser::node));

    JobBuilder job =
        new JobBuilder()
            .withNewMetadata()
            .withName(jobName(snapshot))
            .withNamespace(ns)
            .withLabels(labels)
            .withOwnerReferences(
                new OwnerReferenceBuilder()
                    .withApiVersion(snapshot.getApiVersion())
                    .withKind(snapshot.getKind())
                    .withName(snapshot.getMetadata().getName())
                    .withUid(snapshot.getMetadata().getUid())
                    .withController(true)
                    .withBlockOwnerDeletion(true)
                    .build())
            .endMetadata()
            .withNewSpec()
            .withBackoffLimit(1)
            .withActiveDeadlineSeconds(spec.activeDeadlineSecondsOrDefault())
            .withTtlSecondsAfterFinished((int) jobTtl(spec, settings).toSeconds())
            .withTemplate(RunnerCredentials.apply(pod.build(), storeSpec))
            .endSpec();
    // Kept, with its pods, until the run's result is in the status (see RunnerJobs).
    return RunnerJobs.holdingResult(job.build());
  }

  /**
   * The StateSnapshot's {@code strata.dev/*} labels (its schedule, retention policy, group...) that
   * go into the snapshot's index, so that a cluster that imports the snapshot knows what it
   * belonged to. Not those the operator mirrors from the status, which say nothing the index does
   * not.
   */
  static Map<String, String> indexLabels(StateSnapshot snapshot) {
    Map<String, String> out = new TreeMap<>();
    Map<String, String> labels = snapshot.getMetadata().getLabels();
    if (labels != null) {
      labels.forEach(
          (k, v) -> {
            if (k.startsWith(Labels.PREFIX) && !MIRRORED.contains(k)) {
              out.put(k, v);
            }
          });
    }
    return out;
  }

  private static final java.util.Set<String> MIRRORED =
      java.util.Set.of(Labels.PHASE, Labels.PVC, Labels.SOURCE);
}
