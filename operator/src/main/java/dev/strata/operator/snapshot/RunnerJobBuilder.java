package dev.strata.operator.snapshot;

import dev.strata.api.v1alpha1.CaBundleRef;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.SnapshotStoreSpec;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.api.v1alpha1.StateSnapshotSpec;
import dev.strata.operator.Labels;
import dev.strata.operator.RunnerPodTemplate;
import dev.strata.operator.OperatorSettings;
import dev.strata.operator.RunnerNames;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Volume;
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
 * The runner Job a StateSnapshot wants: one pod that mounts the PVC read-only and runs {@code strata backup} into the
 * store, as non-root with a read-only root filesystem and no capabilities, with the store's credentials from its Secret
 * and nothing else from the cluster (no service-account token). When a running pod uses the PVC, the Job is pinned to
 * that pod's node, so a ReadWriteOnce volume can be mounted.
 */
public final class RunnerJobBuilder {

  public static final String SOURCE_MOUNT = "/strata/source";
  public static final String CA_MOUNT = "/strata/ca";
  public static final String CA_FILE = "ca.crt";

  private final OperatorSettings settings;

  public RunnerJobBuilder(OperatorSettings settings) {
    this.settings = settings;
  }

  public static String jobName(StateSnapshot snapshot) {
    return RunnerNames.jobName(snapshot.getMetadata().getName(), "backup");
  }

  public Job build(StateSnapshot snapshot, SnapshotStore store, Optional<String> nodeName) {
    StateSnapshotSpec spec = snapshot.getSpec();
    SnapshotStoreSpec storeSpec = store.getSpec();
    String ns = snapshot.getMetadata().getNamespace();
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(Labels.NAME, Labels.RUNNER);
    labels.put(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE);
    labels.put(Labels.SNAPSHOT, snapshot.getMetadata().getName());
    labels.put(Labels.OPERATION, "backup");

    String sourceDir = spec.source().normalizedPath().isEmpty() ? SOURCE_MOUNT : SOURCE_MOUNT + "/" + spec.source().normalizedPath();
    List<String> args = new ArrayList<>(List.of("backup", "--store", storeSpec.storeUri()));
    args.addAll(storeArgs(storeSpec));
    args.addAll(List.of(
        "--source", sourceDir,
        "--source-id", spec.source().sourceId(ns),
        "--parallelism", Integer.toString(spec.parallelismOrDefault()),
        "--created-by", RunnerNames.createdBy(snapshot),
        "--progress-object", RunnerNames.progressObject(snapshot),
        "--result-file", RunnerPodTemplate.TERMINATION_LOG,
        "--json"));
    if (Boolean.TRUE.equals(spec.fullCheck())) {
      args.add("--full-check");
    }
    if (storeSpec.compression() != null) {
      args.addAll(List.of("--compression", storeSpec.compression()));
    }
    if (!settings.runnerRetryDeadline().isZero()) {
      args.addAll(List.of("--retry-deadline", Long.toString(settings.runnerRetryDeadline().toSeconds())));
    }
    if (storeSpec.gc() != null && Boolean.TRUE.equals(storeSpec.gc().allowShortGracePeriod())) {
      // A grace under an hour: restart found blobs' ages sooner than the usual hour, or a collector could take them.
      args.addAll(List.of("--refresh-age", "0s"));
    }

    long uid = spec.runner() != null && spec.runner().runAsUser() != null ? spec.runner().runAsUser() : settings.runnerUid();
    long gid = spec.runner() != null && spec.runner().runAsGroup() != null ? spec.runner().runAsGroup() : uid;
    RunnerPodTemplate pod = new RunnerPodTemplate(settings.runnerImage(), labels, uid, gid, args, credentialsEnv(storeSpec), resources(spec),
        List.of(new VolumeBuilder().withName("source").withNewPersistentVolumeClaim(spec.source().pvcName(), true).build()),
        List.of(new VolumeMountBuilder().withName("source").withMountPath(SOURCE_MOUNT).withReadOnly(true).build()),
        storeSpec.caBundle(), nodeName);

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
            .withTtlSecondsAfterFinished((int) settings.jobTtl().toSeconds())
            .withTemplate(pod.build())
            .endSpec();
    return job.build();
  }

  /** Arguments that say how to reach the store, shared by every runner command. */
  public static List<String> storeArgs(SnapshotStoreSpec store) {
    List<String> args = new ArrayList<>();
    if (store.endpoint() != null && !store.endpoint().isBlank()) {
      args.addAll(List.of("--endpoint", store.endpoint()));
    }
    if (store.region() != null && !store.region().isBlank()) {
      args.addAll(List.of("--region", store.region()));
    }
    if (store.pathStyleOrDefault()) {
      args.add("--path-style");
    }
    if (store.caBundle() != null) {
      args.addAll(List.of("--ca-bundle", CA_MOUNT + "/" + CA_FILE));
    }
    return args;
  }

  /**
   * The store's credentials (and, for an encrypted store, its key as STRATA_KEY) as environment variables taken from
   * their Secrets; they never appear in the Job itself.
   */
  public static List<EnvVar> credentialsEnv(SnapshotStoreSpec store) {
    var ref = store.credentialsSecretRef();
    List<EnvVar> env = new ArrayList<>(List.of(
        new EnvVarBuilder()
            .withName("AWS_ACCESS_KEY_ID")
            .withNewValueFrom()
            .withNewSecretKeyRef(ref.accessKeyIdKeyOrDefault(), ref.name(), false)
            .endValueFrom()
            .build(),
        new EnvVarBuilder()
            .withName("AWS_SECRET_ACCESS_KEY")
            .withNewValueFrom()
            .withNewSecretKeyRef(ref.secretAccessKeyKeyOrDefault(), ref.name(), false)
            .endValueFrom()
            .build(),
        new EnvVarBuilder().withName("JAVA_TOOL_OPTIONS").withValue("-XX:MaxRAMPercentage=70 -XX:-UsePerfData -XX:+UseSerialGC").build()));
    if (store.encryption() != null && store.encryption().keySecretRef() != null) {
      var key = store.encryption().keySecretRef();
      env.add(new EnvVarBuilder()
          .withName("STRATA_KEY")
          .withNewValueFrom()
          .withNewSecretKeyRef(key.key(), key.name(), false)
          .endValueFrom()
          .build());
    }
    return env;
  }

  public static Optional<Volume> caVolume(CaBundleRef ca) {
    if (ca == null) {
      return Optional.empty();
    }
    VolumeBuilder v = new VolumeBuilder().withName("ca");
    if (ca.secretRef() != null) {
      v.withNewSecret()
          .withSecretName(ca.secretRef().name())
          .addNewItem()
          .withKey(ca.secretRef().key())
          .withPath(CA_FILE)
          .endItem()
          .endSecret();
    } else {
      v.withNewConfigMap()
          .withName(ca.configMapRef().name())
          .addNewItem()
          .withKey(ca.configMapRef().key())
          .withPath(CA_FILE)
          .endItem()
          .endConfigMap();
    }
    return Optional.of(v.build());
  }

  static ResourceRequirements resources(StateSnapshotSpec spec) {
    return spec.runner() != null && spec.runner().resources() != null ? spec.runner().resources() : defaultResources();
  }

  /** A backup's or a restore's runner when its spec.runner.resources says nothing. */
  public static ResourceRequirements defaultResources() {
    return new ResourceRequirementsBuilder()
        .addToRequests("cpu", new Quantity("250m"))
        .addToRequests("memory", new Quantity("256Mi"))
        .addToLimits("memory", new Quantity("512Mi"))
        .build();
  }
}
