package dev.strata.operator;

import dev.strata.api.v1alpha1.RunnerProfile;
import dev.strata.api.v1alpha1.RunnerSpec;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a runner pod runs as and where, resolved from the operator-wide defaults ({@link
 * OperatorSettings#runnerDefaults}), the store's spec.runner (the store's defaults), the resource's
 * spec.runner (overrides, field by field; labels and annotations merged) and the pod that uses the
 * volume.
 *
 * <p>Restricted: the user is runAsUser, else that of the pod using the volume (if not root), else
 * the operator's runner user; the group likewise, else the user; fsGroup the using pod's, else the
 * group. Without an operator runner user (OpenShift) and none of the others, all three are null:
 * the platform assigns them. FileOwner: root, with the capabilities {@link RunnerPodTemplate}
 * grants it.
 *
 * @param uid the user (0 for FileOwner; null: the platform's) and {@code gid} the group (likewise)
 * @param fsGroup the pod's fsGroup (null for FileOwner, or for the platform's)
 */
public record RunnerPodSettings(
    RunnerProfile profile,
    Long uid,
    Long gid,
    Long fsGroup,
    ResourceRequirements resources,
    List<Toleration> tolerations,
    Map<String, String> nodeSelector,
    String priorityClassName,
    Map<String, String> labels,
    Map<String, String> annotations,
    List<LocalObjectReference> imagePullSecrets) {

  /**
   * Keeps service-mesh sidecars out of runner pods: an injected proxy never exits, so the Job would
   * never finish.
   */
  public static final Map<String, String> DEFAULT_ANNOTATIONS =
      Map.of(
          "sidecar.istio.io/inject", "false",
          "linkerd.io/inject", "disabled");

  public static RunnerPodSettings resolve(
      RunnerSpec store,
      RunnerSpec resource,
      Optional<ClaimUser> user,
      OperatorSettings settings,
      ResourceRequirements defaultResources) {
    RunnerSpec s = store == null ? RunnerSpec.of(null, null, null) : store;
    RunnerSpec r = resource == null ? RunnerSpec.of(null, null, null) : resource;
    RunnerSpec d = settings.runnerDefaults();
    RunnerProfile profile = first(r.profile(), s.profile(), RunnerProfile.Restricted);
    Long uid;
    Long gid;
    Long fsGroup;
    if (profile == RunnerProfile.FileOwner) {
      uid = 0L;
      gid = 0L;
      fsGroup = null;
    } else {
      Long userUid = user.map(ClaimUser::runAsUser).filter(u -> u != 0).orElse(null);
      Long userGid = user.map(ClaimUser::runAsGroup).filter(g -> g != 0).orElse(null);
      uid = first(r.runAsUser(), s.runAsUser(), first(userUid, null, settings.runnerUid()));
      gid =
          first(
              r.runAsGroup(),
              s.runAsGroup(),
              first(userGid, user.map(ClaimUser::fsGroup).orElse(null), uid));
      fsGroup = first(user.map(ClaimUser::fsGroup).orElse(null), null, gid);
    }
    Map<String, String> annotations =
        new LinkedHashMap<>(new java.util.TreeMap<>(DEFAULT_ANNOTATIONS));
    merge(annotations, d.annotations());
    merge(annotations, s.annotations());
    merge(annotations, r.annotations());
    Map<String, String> labels = new LinkedHashMap<>();
    merge(labels, d.labels());
    merge(labels, s.labels());
    merge(labels, r.labels());
    return new RunnerPodSettings(
        profile,
        uid,
        gid,
        fsGroup,
        first(r.resources(), s.resources(), defaultResources),
        first(r.tolerations(), s.tolerations(), first(d.tolerations(), null, List.of())),
        first(r.nodeSelector(), s.nodeSelector(), first(d.nodeSelector(), null, Map.of())),
        first(r.priorityClassName(), s.priorityClassName(), d.priorityClassName()),
        labels,
        annotations,
        first(
            r.imagePullSecrets(),
            s.imagePullSecrets(),
            first(d.imagePullSecrets(), null, List.of())));
  }

  private static void merge(Map<String, String> into, Map<String, String> more) {
    if (more != null) {
      new java.util.TreeMap<>(more).forEach(into::put);
    }
  }

  private static <T> T first(T a, T b, T fallback) {
    return a != null ? a : b != null ? b : fallback;
  }
}
