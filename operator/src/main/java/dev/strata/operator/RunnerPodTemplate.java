package dev.strata.operator;

import dev.strata.api.v1alpha1.CaBundleRef;
import dev.strata.api.v1alpha1.RunnerProfile;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The pod of every runner Job (backup, restore, garbage collection), so the three cannot drift
 * apart: one container of the runner image with a read-only root filesystem, no privilege
 * escalation, no API token, credentials only from the store's Secret (a web identity store's token
 * is added by RunnerCredentials.apply), a 64 MiB /tmp, the store's CA bundle when it has one, its
 * result in the termination message, and, when a volume is in use on a node, placed on that node
 * (whatever the nodeSelector says). The profile decides the user: Restricted runs non-root with no
 * capabilities (Pod Security "restricted"); FileOwner runs as root with only CHOWN, FOWNER and
 * DAC_OVERRIDE (Pod Security "baseline": DAC_READ_SEARCH is not needed, as DAC_OVERRIDE already
 * bypasses read and search checks, and is not in baseline's list).
 *
 * @param labels Strata's labels, which win over {@code pod}'s
 * @param volumes the operation's own volumes and {@code mounts} their mount points; /tmp and the CA
 *     follow them
 * @param node the node to run on (an RWO volume in use there), or empty
 */
public record RunnerPodTemplate(
    String image,
    Map<String, String> labels,
    RunnerPodSettings pod,
    List<String> args,
    List<EnvVar> env,
    List<Volume> volumes,
    List<VolumeMount> mounts,
    CaBundleRef caBundle,
    Optional<String> node) {

  /**
   * The capabilities of a FileOwner runner: give files their owners and modes, read and write any
   * file.
   */
  public static final List<String> FILE_OWNER_CAPABILITIES =
      List.of("CHOWN", "DAC_OVERRIDE", "FOWNER");

  /**
   * Where the runner writes its JSON result (--result-file), which Kubernetes keeps as the
   * termination message.
   */
  public static final String TERMINATION_LOG = "/dev/termination-log";

  /** Where the store's CA bundle is mounted, and its file name there (the runner's --ca-bundle). */
  public static final String CA_MOUNT = "/strata/ca";

  public static final String CA_FILE = "ca.crt";

  public PodTemplateSpec build() {
    List<Volume> allVolumes = new ArrayList<>(volumes);
    List<VolumeMount> allMounts = new ArrayList<>(mounts);
    allVolumes.add(
        new VolumeBuilder()
            .withName("tmp")
            .withNewEmptyDir()
            .withSizeLimit(new Quantity("64Mi"))
            .endEmptyDir()
            .build());
    allMounts.add(new VolumeMountBuilder().withName("tmp").withMountPath("/tmp").build());
    caVolume(caBundle)
        .ifPresent(
            ca -> {
              allVolumes.add(ca);
              allMounts.add(
                  new VolumeMountBuilder()
                      .withName("ca")
                      .withMountPath(CA_MOUNT)
                      .withReadOnly(true)
                      .build());
            });
    Container runner =
        new ContainerBuilder()
            .withName("runner")
            .withImage(image)
            .withArgs(args)
            .withEnv(env)
            .withVolumeMounts(allMounts)
            .withResources(pod.resources())
            .withTerminationMessagePath(TERMINATION_LOG)
            .withTerminationMessagePolicy("FallbackToLogsOnError")
            .withSecurityContext(
                pod.profile() == RunnerProfile.FileOwner
                    ? fileOwnerContainer()
                    : lockedDownContainer())
            .build();
    PodSecurityContext podContext =
        pod.profile() == RunnerProfile.FileOwner
            ? new PodSecurityContextBuilder()
                .withRunAsUser(0L)
                .withRunAsGroup(0L)
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile()
                .build()
            : nonRootPod(pod.uid(), pod.gid());
    if (pod.fsGroup() != null) {
      // Restores write as the group the app's files have; only a volume's root decides whether to
      // walk it.
      podContext.setFsGroup(pod.fsGroup());
      podContext.setFsGroupChangePolicy("OnRootMismatch");
    }
    PodSpecBuilder spec =
        new PodSpecBuilder()
            .withRestartPolicy("Never")
            .withAutomountServiceAccountToken(false)
            .withEnableServiceLinks(false)
            .withSecurityContext(podContext)
            .withContainers(runner)
            .withVolumes(allVolumes);
    if (!pod.tolerations().isEmpty()) {
      spec.withTolerations(pod.tolerations());
    }
    if (pod.priorityClassName() != null) {
      spec.withPriorityClassName(pod.priorityClassName());
    }
    if (!pod.imagePullSecrets().isEmpty()) {
      spec.withImagePullSecrets(pod.imagePullSecrets());
    }
    if (node.isEmpty() && !pod.nodeSelector().isEmpty()) {
      spec.withNodeSelector(new java.util.TreeMap<>(pod.nodeSelector()));
    }
    node.ifPresent(
        n ->
            spec.withNewAffinity()
                .withNewNodeAffinity()
                .withNewRequiredDuringSchedulingIgnoredDuringExecution()
                .addNewNodeSelectorTerm()
                .withMatchFields(
                    new NodeSelectorRequirementBuilder()
                        .withKey("metadata.name")
                        .withOperator("In")
                        .withValues(n)
                        .build())
                .endNodeSelectorTerm()
                .endRequiredDuringSchedulingIgnoredDuringExecution()
                .endNodeAffinity()
                .endAffinity());
    Map<String, String> podLabels = new java.util.LinkedHashMap<>(pod.labels());
    podLabels.putAll(labels);
    return new PodTemplateSpecBuilder()
        .withNewMetadata()
        .withLabels(podLabels)
        .withAnnotations(pod.annotations())
        .endMetadata()
        .withSpec(spec.build())
        .build();
  }

  /**
   * A FileOwner runner: root with only {@link #FILE_OWNER_CAPABILITIES}, read-only root filesystem,
   * no escalation.
   */
  public static SecurityContext fileOwnerContainer() {
    return new SecurityContextBuilder()
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(true)
        .withRunAsNonRoot(false)
        .withRunAsUser(0L)
        .withNewCapabilities()
        .withDrop("ALL")
        .withAdd(FILE_OWNER_CAPABILITIES)
        .endCapabilities()
        .build();
  }

  /**
   * The volume of a store's CA bundle (from its Secret or ConfigMap, as {@link #CA_FILE}), when it
   * has one.
   */
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

  /**
   * Every runner container: no privilege escalation, a read-only root filesystem, no capabilities,
   * never root.
   */
  public static SecurityContext lockedDownContainer() {
    return new SecurityContextBuilder()
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(true)
        .withRunAsNonRoot(true)
        .withNewCapabilities()
        .withDrop("ALL")
        .endCapabilities()
        .build();
  }

  /**
   * Every runner pod: a non-root user and group, and the runtime's default seccomp profile. A null
   * user or group is left out, for the platform to assign (OpenShift's restricted SCC; the image's
   * user otherwise).
   */
  public static PodSecurityContext nonRootPod(Long uid, Long gid) {
    return new PodSecurityContextBuilder()
        .withRunAsNonRoot(true)
        .withRunAsUser(uid)
        .withRunAsGroup(gid)
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .build();
  }
}
