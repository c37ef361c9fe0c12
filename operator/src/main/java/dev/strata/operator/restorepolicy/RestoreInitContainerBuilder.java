package dev.strata.operator.restorepolicy;

import dev.strata.api.v1alpha1.RestoreFailurePolicy;
import dev.strata.api.v1alpha1.RestorePolicy;
import dev.strata.api.v1alpha1.RestorePolicySpec;
import dev.strata.api.v1alpha1.RunnerProfile;
import dev.strata.api.v1alpha1.RunnerSpec;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.operator.OperatorSettings;
import dev.strata.operator.RunnerPodSettings;
import dev.strata.operator.RunnerPodTemplate;
import dev.strata.operator.runner.RunnerArgs;
import dev.strata.operator.runner.RunnerCredentials;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The restore init container a RestorePolicy puts first into a pod: the runner in Sync mode,
 * restoring the latest snapshot of the pod's own source into its volume, or doing nothing when
 * there is none yet (a fresh start). It is locked down like a runner Job (non-root, read-only root
 * filesystem, no capabilities, RuntimeDefault seccomp) and gets the store's credentials only as
 * environment variables from the store's Secret, or for a web identity store a token of the pod's
 * own ServiceAccount projected for the store's audience. It runs as the pod's own user when the pod
 * names one, so restored files belong to the app; the pod's fsGroup applies to it as to every
 * container.
 *
 * <p>Of the runner settings (the policy's spec.runner over the store's, over the chart's
 * runner.podDefaults) it takes what belongs to a container: the profile (a FileOwner store's init
 * container runs as root with only CHOWN, DAC_OVERRIDE and FOWNER, as its Jobs do), the resources,
 * and the image pull secrets, which Kubernetes only takes per pod: they are added to the pod's own
 * (the kubelet tries each for every image, so the app's pulls are unchanged). Tolerations,
 * nodeSelector, priority class, labels and annotations are the app pod's to decide, and are left
 * alone.
 */
public final class RestoreInitContainerBuilder {

  private final OperatorSettings settings;

  public RestoreInitContainerBuilder(OperatorSettings settings) {
    this.settings = settings;
  }

  /** This cluster's id, in the source ids of its snapshots. */
  public String clusterId() {
    return settings.clusterId();
  }

  public RestoreInjection build(
      Pod pod, RestorePolicy policy, SnapshotStore store, PodSource source) {
    RestorePolicySpec spec = policy.getSpec();
    var storeSpec = store.getSpec();
    String target =
        spec.normalizedPath().isEmpty()
            ? RestorePolicyPods.TARGET_MOUNT
            : RestorePolicyPods.TARGET_MOUNT + "/" + spec.normalizedPath();
    List<String> args = new ArrayList<>(List.of("restore"));
    args.addAll(RunnerArgs.store(storeSpec));
    args.addAll(
        List.of(
            "--latest",
            "--source-id",
            source.sourceId(),
            "--former-source-id",
            source.formerSourceId(),
            "--target",
            target,
            "--mode",
            "sync",
            "--parallelism",
            Integer.toString(spec.parallelismOrDefault()),
            "--if-none",
            "fresh-start"));
    if (spec.failurePolicyOrDefault() == RestoreFailurePolicy.Continue) {
      args.addAll(List.of("--on-failure", "continue"));
    }
    args.addAll(RunnerArgs.retryDeadline(settings));
    args.addAll(RunnerArgs.result());

    List<VolumeMount> mounts = new ArrayList<>();
    mounts.add(
        new VolumeMountBuilder()
            .withName(source.volumeName())
            .withMountPath(RestorePolicyPods.TARGET_MOUNT)
            .build());
    mounts.add(
        new VolumeMountBuilder()
            .withName(RestorePolicyPods.TMP_VOLUME)
            .withMountPath("/tmp")
            .build());
    List<Volume> volumes = new ArrayList<>();
    volumes.add(
        new VolumeBuilder()
            .withName(RestorePolicyPods.TMP_VOLUME)
            .withNewEmptyDir()
            .withSizeLimit(new Quantity("64Mi"))
            .endEmptyDir()
            .build());
    RunnerPodTemplate.caVolume(storeSpec.caBundle())
        .ifPresent(
            ca -> {
              volumes.add(new VolumeBuilder(ca).withName(RestorePolicyPods.CA_VOLUME).build());
              mounts.add(
                  new VolumeMountBuilder()
                      .withName(RestorePolicyPods.CA_VOLUME)
                      .withMountPath(RunnerPodTemplate.CA_MOUNT)
                      .withReadOnly(true)
                      .build());
            });
    // A web identity store: a token of the pod's own ServiceAccount, which the role's trust policy
    // must name too.
    RunnerCredentials.tokenVolume(storeSpec)
        .ifPresent(
            token -> {
              volumes.add(token);
              mounts.add(RunnerCredentials.tokenMount());
            });

    // The policy's spec.runner over the store's, as a Job's takes the resource's over the store's.
    // Only what applies to a
    // container in someone else's pod: the profile, the resources and the pull secrets of the
    // runner image.
    RunnerPodSettings runner =
        RunnerPodSettings.resolve(
            storeSpec.runner(),
            spec.runner(),
            Optional.empty(),
            settings,
            RunnerArgs.defaultResources());
    Container init =
        new ContainerBuilder()
            .withName(RestorePolicyPods.INIT_CONTAINER)
            .withImage(settings.runnerImage())
            .withArgs(args)
            .withEnv(RunnerArgs.credentialsEnv(storeSpec))
            .withVolumeMounts(mounts)
            .withResources(runner.resources())
            .withTerminationMessagePath(RunnerPodTemplate.TERMINATION_LOG)
            .withTerminationMessagePolicy("FallbackToLogsOnError")
            .withSecurityContext(
                runner.profile() == RunnerProfile.FileOwner
                    ? fileOwner()
                    : securityContext(pod, spec, storeSpec.runner()))
            .build();

    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(RestorePolicyPods.POLICY, policy.getMetadata().getName());
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(RestorePolicyPods.POLICY, policy.getMetadata().getName());
    annotations.put(RestorePolicyPods.SOURCE, source.sourceId());
    return new RestoreInjection(init, volumes, labels, annotations, runner.imagePullSecrets());
  }

  /**
   * A FileOwner store's (or policy's) init container: root with only CHOWN, DAC_OVERRIDE and
   * FOWNER, as its runner Jobs, so a restore gives every file its owner and mode whatever user the
   * app runs as.
   */
  static SecurityContext fileOwner() {
    return new SecurityContextBuilder(RunnerPodTemplate.fileOwnerContainer())
        .withRunAsGroup(0L)
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .build();
  }

  /**
   * Restricted: non-root, no privilege escalation, read-only root filesystem, no capabilities. The
   * user is the policy's runner.runAsUser, else the pod's runAsUser, else that of the first app
   * container mounting the volume, else the store's runner.runAsUser, else the operator's runner
   * user; root is never used (restored files then belong to the runner user). The app's own user
   * comes before the store's: the init container restores the files that app uses.
   */
  SecurityContext securityContext(Pod pod, RestorePolicySpec spec, RunnerSpec store) {
    PodSecurityContext podContext = pod.getSpec().getSecurityContext();
    Optional<SecurityContext> appContext =
        pod.getSpec().getContainers() == null
            ? Optional.empty()
            : pod.getSpec().getContainers().stream()
                .filter(
                    c ->
                        c.getVolumeMounts() != null
                            && c.getVolumeMounts().stream()
                                .anyMatch(m -> spec.volumeName().equals(m.getName())))
                .map(Container::getSecurityContext)
                .filter(Objects::nonNull)
                .findFirst();
    Long uid =
        firstNonNull(
            spec.runner() == null ? null : spec.runner().runAsUser(),
            podContext == null ? null : podContext.getRunAsUser(),
            appContext.map(SecurityContext::getRunAsUser).orElse(null));
    Long gid =
        firstNonNull(
            spec.runner() == null ? null : spec.runner().runAsGroup(),
            podContext == null ? null : podContext.getRunAsGroup(),
            appContext.map(SecurityContext::getRunAsGroup).orElse(null));
    if (uid == null || uid == 0) {
      // Without a runner user (OpenShift) both stay unset: the platform assigns the app's range to
      // the whole pod.
      Long storeUid = store == null ? null : store.runAsUser();
      uid = storeUid != null ? storeUid : settings.runnerUid();
      Long storeGid = storeUid != null ? store.runAsGroup() : null;
      gid = storeGid != null ? storeGid : gid == null || gid == 0 ? uid : gid;
    }
    return new SecurityContextBuilder()
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(true)
        .withRunAsNonRoot(true)
        .withRunAsUser(uid)
        .withRunAsGroup(gid)
        .withNewCapabilities()
        .withDrop("ALL")
        .endCapabilities()
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .build();
  }

  @SafeVarargs
  private static <T> T firstNonNull(T... values) {
    for (T v : values) {
      if (v != null) {
        return v;
      }
    }
    return null;
  }
}
