package dev.strata.operator.gc;

import dev.strata.api.v1alpha1.GarbageCollectionSpec;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.operator.Labels;
import dev.strata.operator.OperatorSettings;
import dev.strata.operator.RunnerNames;
import dev.strata.operator.snapshot.RunnerJobBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
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
    List<String> args = new ArrayList<>(List.of("gc", "--store", store.getSpec().storeUri()));
    args.addAll(RunnerJobBuilder.storeArgs(store.getSpec()));
    args.addAll(List.of("--grace", grace(store), "--json", "--result-file", "/dev/termination-log"));
    GarbageCollectionSpec gc = store.getSpec().gc();
    if (gc != null && Boolean.TRUE.equals(gc.allowShortGracePeriod())) {
      args.add("--allow-short-grace");
    }
    if (!settings.runnerRetryDeadline().isZero()) {
      args.addAll(List.of("--retry-deadline", Long.toString(settings.runnerRetryDeadline().toSeconds())));
    }
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
        .withNewTemplate()
        .withNewMetadata().withLabels(labels).endMetadata()
        .withNewSpec()
        .withRestartPolicy("Never")
        .withAutomountServiceAccountToken(false)
        .withEnableServiceLinks(false)
        .withSecurityContext(RunnerJobBuilder.nonRootPod(settings.runnerUid(), settings.runnerUid()))
        .addNewContainer()
        .withName("runner")
        .withImage(settings.runnerImage())
        .withArgs(args)
        .withEnv(RunnerJobBuilder.credentialsEnv(store.getSpec()))
        .withTerminationMessagePath("/dev/termination-log")
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        .addNewVolumeMount().withName("tmp").withMountPath("/tmp").endVolumeMount()
        .withNewResources()
        .addToRequests("cpu", new Quantity("100m")).addToRequests("memory", new Quantity("256Mi"))
        .addToLimits("memory", new Quantity("768Mi"))
        .endResources()
        .withSecurityContext(RunnerJobBuilder.lockedDownContainer())
        .endContainer()
        .addNewVolume().withName("tmp").withNewEmptyDir().withSizeLimit(new Quantity("64Mi")).endEmptyDir().endVolume()
        .endSpec()
        .endTemplate()
        .endSpec();
    RunnerJobBuilder.caVolume(store.getSpec().caBundle()).ifPresent(v -> job.editSpec().editTemplate().editSpec()
        .addToVolumes(v)
        .editFirstContainer().addToVolumeMounts(new VolumeMountBuilder().withName("ca").withMountPath(RunnerJobBuilder.CA_MOUNT).withReadOnly(true).build())
        .endContainer().endSpec().endTemplate().endSpec());
    return job.build();
  }

  /** True while a GC Job of this store has not finished: at most one runs at a time. */
  public static boolean anyActive(List<Job> gcJobs) {
    return gcJobs.stream().anyMatch(j -> j.getStatus() == null
        || j.getStatus().getConditions() == null
        || j.getStatus().getConditions().stream().noneMatch(c -> ("Complete".equals(c.getType()) || "Failed".equals(c.getType())) && "True".equals(c.getStatus())));
  }

}
