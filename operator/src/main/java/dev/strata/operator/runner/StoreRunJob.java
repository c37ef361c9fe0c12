package dev.strata.operator.runner;

import dev.strata.api.v1alpha1.RunnerProfile;
import dev.strata.api.v1alpha1.RunnerSpec;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.operator.Labels;
import dev.strata.operator.OperatorSettings;
import dev.strata.operator.RunnerPodSettings;
import dev.strata.operator.RunnerPodTemplate;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Job of a run a store starts on its own (a garbage collection, a verification): the same
 * locked-down runner pod as a backup, without a volume, owned by the store, named after the store,
 * the kind and the minute it was due, so two reconciles in that minute create it once.
 */
public final class StoreRunJob {

  /**
   * A store's run reads no volume: it never needs the FileOwner profile, whatever the store's
   * runners use; the store's other pod settings (tolerations, nodeSelector, labels...) apply.
   */
  static final RunnerSpec NO_VOLUME =
      new RunnerSpec(
          null, null, null, RunnerProfile.Restricted, null, null, null, null, null, null);

  static final DateTimeFormatter NAME_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmm").withZone(ZoneOffset.UTC);

  /**
   * @param kind the operation ("gc", "verify"): the Job's label and name
   * @param command the runner's command and its own arguments; the store's, the result's and the
   *     retry deadline follow
   */
  public record Spec(
      String kind,
      Instant when,
      String reason,
      List<String> command,
      List<String> extraArgs,
      ResourceRequirements resources,
      long activeDeadlineSeconds,
      int backoffLimit) {}

  private StoreRunJob() {}

  public static Job build(OperatorSettings settings, SnapshotStore store, Spec spec) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(Labels.NAME, Labels.RUNNER);
    labels.put(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE);
    labels.put(Labels.STORE, store.getMetadata().getName());
    labels.put(Labels.OPERATION, spec.kind());
    List<String> args = new ArrayList<>(spec.command());
    args.addAll(RunnerArgs.store(store.getSpec()));
    args.addAll(spec.extraArgs());
    args.addAll(RunnerArgs.retryDeadline(settings));
    return new JobBuilder()
        .withNewMetadata()
        .withName(
            RunnerNames.jobName(
                store.getMetadata().getName(), spec.kind() + "-" + NAME_TIME.format(spec.when())))
        .withNamespace(store.getMetadata().getNamespace())
        .withLabels(labels)
        .withAnnotations(Map.of("strata.dev/reason", spec.reason()))
        .addNewOwnerReference()
        .withApiVersion(store.getApiVersion())
        .withKind(store.getKind())
        .withName(store.getMetadata().getName())
        .withUid(store.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(false)
        .endOwnerReference()
        .endMetadata()
        .withNewSpec()
        .withBackoffLimit(spec.backoffLimit())
        .withActiveDeadlineSeconds(spec.activeDeadlineSeconds())
        .withTtlSecondsAfterFinished((int) settings.jobTtl().toSeconds())
        .withTemplate(
            RunnerCredentials.apply(
                new RunnerPodTemplate(
                        settings.runnerImage(),
                        labels,
                        RunnerPodSettings.resolve(
                            store.getSpec().runner(),
                            NO_VOLUME,
                            Optional.empty(),
                            settings,
                            spec.resources()),
                        args,
                        RunnerArgs.credentialsEnv(store.getSpec()),
                        List.of(),
                        List.of(),
                        store.getSpec().caBundle(),
                        Optional.empty())
                    .build(),
                store.getSpec()))
        .endSpec()
        .build();
  }
}
