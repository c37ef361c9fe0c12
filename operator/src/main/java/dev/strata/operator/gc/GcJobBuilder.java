package dev.strata.operator.gc;

import dev.strata.api.v1alpha1.GarbageCollectionSpec;
import dev.strata.api.v1alpha1.RunnerProfile;
import dev.strata.api.v1alpha1.RunnerSpec;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.operator.Labels;
import dev.strata.operator.RunnerPodSettings;
import dev.strata.operator.RunnerPodTemplate;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.util.Optional;
import dev.strata.operator.OperatorSettings;
import dev.strata.operator.runner.RunnerArgs;
import dev.strata.operator.runner.RunnerCredentials;
import dev.strata.operator.runner.RunnerNames;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Job that runs {@code strata gc} against a store: the same locked-down runner pod as a backup, without a volume.
 * Named after the store and the minute it was asked for, so two reconciles in that minute create it once.
 */
public final class GcJobBuilder {

  static final DateTimeFormatter NAME_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmm").withZone(ZoneOffset.UTC);

  /** Marking and deleting hold the store's whole listing in memory: more than a backup needs. */
  static final ResourceRequirements RESOURCES = new ResourceRequirementsBuilder()
      .addToRequests("cpu", new Quantity("100m")).addToRequests("memory", new Quantity("256Mi"))
      .addToLimits("memory", new Quantity("768Mi"))
      .build();

  /** A collector reads no volume: it never needs the FileOwner profile, whatever the store's runners use. */
  static final RunnerSpec NO_VOLUME = new RunnerSpec(null, null, null, RunnerProfile.Restricted, null, null, null, null, null, null);

  private final OperatorSettings settings;

  public GcJobBuilder(OperatorSettings settings) {
    this.settings = settings;
  }

  public static String grace(SnapshotStore store) {
    GarbageCollectionSpec gc = store.getSpec().gc();
    return gc == null || gc.gracePeriod() == null ? "6h" : gc.gracePeriod();
  }

  public Job build(SnapshotStore store, Instant when, String reason) {
    String ns = store.getMetadata().getNamespace();
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(Labels.NAME, Labels.RUNNER);
    labels.put(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE);
    labels.put(Labels.STORE, store.getMetadata().getName());
    labels.put(Labels.OPERATION, "gc");
    List<String> args = new ArrayList<>(List.of("gc"));
    args.addAll(RunnerArgs.store(store.getSpec()));
    args.addAll(List.of("--grace", grace(store)));
    args.addAll(RunnerArgs.result());
    GarbageCollectionSpec gc = store.getSpec().gc();
    if (gc != null && Boolean.TRUE.equals(gc.allowShortGracePeriod())) {
      args.add("--allow-short-grace");
    }
    args.addAll(RunnerArgs.retryDeadline(settings));
    JobBuilder job = new JobBuilder()
        .withNewMetadata()
        .withName(RunnerNames.jobName(store.getMetadata().getName(), "gc-" + NAME_TIME.format(when)))
        .withNamespace(ns)
        .withLabels(labels)
        .withAnnotations(Map.of("strata.dev/reason", reason))
        .addNewOwnerReference()
        .withApiVersion(store.getApiVersion()).withKind(store.getKind())
        .withName(store.getMetadata().getName()).withUid(store.getMetadata().getUid())
        .withController(true).withBlockOwnerDeletion(false)
        .endOwnerReference()
        .endMetadata()
        .withNewSpec()
        .withBackoffLimit(1)
        .withActiveDeadlineSeconds(6 * 3600L)
        .withTtlSecondsAfterFinished((int) settings.jobTtl().toSeconds())
        .withTemplate(RunnerCredentials.apply(new RunnerPodTemplate(settings.runnerImage(), labels,
            RunnerPodSettings.resolve(store.getSpec().runner(), NO_VOLUME, Optional.empty(), settings, RESOURCES), args,
            RunnerArgs.credentialsEnv(store.getSpec()), List.of(), List.of(), store.getSpec().caBundle(), Optional.empty())
            .build(), store.getSpec()))
        .endSpec();
    return job.build();
  }

}
