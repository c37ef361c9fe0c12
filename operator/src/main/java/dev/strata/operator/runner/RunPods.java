package dev.strata.operator.runner;

import dev.strata.operator.ClaimUser;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.cache.ReducedStateItemStore;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The pods of the watched namespaces, from an informer instead of a listing per reconcile: indexed
 * by the claims their volumes name (where a ReadWriteOnce volume is in use, so a runner can be
 * placed on that node, and whose files it holds, so a Restricted runner can run as their user) and
 * by their Job (a runner's termination message, its result; while it waits, the scheduler's or
 * kubelet's reason). The cache keeps only the fields these need, not whole pod specs. A runner
 * pod's changes wake the run it serves; other pods wake nothing.
 */
public final class RunPods<P extends HasMetadata> {

  static final String BY_CLAIM = "claim";
  static final String BY_JOB = "job";

  /** What the cache keeps of a pod besides namespace, name and resourceVersion. */
  static final String[] FIELDS = {
    "metadata.labels",
    "metadata.deletionTimestamp",
    "metadata.uid",
    "spec.nodeName",
    "spec.volumes",
    "status.phase",
    "status.conditions",
    "status.containerStatuses"
  };

  private final InformerEventSource<Pod, P> pods;

  private RunPods(InformerEventSource<Pod, P> pods) {
    this.pods = pods;
  }

  /**
   * The pod informer of one controller, and the lookups on it.
   *
   * @param ownerLabel the label on runner pods that names the resource they serve
   * @param labelSelector which pods to keep (null: all, for the claim index)
   */
  public static <P extends HasMetadata> RunPods<P> inform(
      EventSourceContext<P> context, Class<P> owner, String ownerLabel, String labelSelector) {
    var config =
        InformerEventSourceConfiguration.from(Pod.class, owner)
            .withName(owner.getSimpleName().toLowerCase() + "-pods")
            .withLabelSelector(labelSelector)
            .withSecondaryToPrimaryMapper(
                (Pod p) -> {
                  Map<String, String> labels = p.getMetadata().getLabels();
                  String name = labels == null ? null : labels.get(ownerLabel);
                  return name == null
                      ? Set.of()
                      : Set.of(new ResourceID(name, p.getMetadata().getNamespace()));
                })
            .withItemStore(
                new ReducedStateItemStore<>(
                    ReducedStateItemStore.NAME_KEY_STATE,
                    Pod.class,
                    context.getClient().getKubernetesSerialization(),
                    FIELDS))
            .build();
    InformerEventSource<Pod, P> source = new InformerEventSource<>(config, context);
    source.addIndexers(Map.of(BY_CLAIM, RunPods::claims, BY_JOB, RunPods::job));
    return new RunPods<>(source);
  }

  public InformerEventSource<Pod, P> eventSource() {
    return pods;
  }

  /**
   * A volume a run is about to use, before its Job exists: the claim (read from the API server, so
   * a PVC created a moment ago counts) and a running pod that uses it, if one does: its node and
   * its user.
   */
  public record ClaimUse(Optional<PersistentVolumeClaim> claim, Optional<ClaimUser> user) {
    public static final ClaimUse UNKNOWN = new ClaimUse(Optional.empty(), Optional.empty());
  }

  public ClaimUse claimUse(KubernetesClient client, String namespace, String claim) {
    return new ClaimUse(
        Optional.ofNullable(
            client.persistentVolumeClaims().inNamespace(namespace).withName(claim).get()),
        userOf(client, namespace, claim));
  }

  /**
   * A running (or starting) pod that mounts the claim, other than Strata's own runners: found in
   * the cache (by the claim index), then read once from the API server for its user, group and
   * fsGroup, which the cache does not keep (they sit in container specs, and the cache keeps no
   * container). A pod gone in between is skipped.
   */
  public Optional<ClaimUser> userOf(KubernetesClient client, String namespace, String claim) {
    return podUsing(client, namespace, claim).flatMap(p -> ClaimUser.find(List.of(p), claim));
  }

  /** That pod, whole, as read from the API server (a snapshot's hooks run in it). */
  public Optional<Pod> podUsing(KubernetesClient client, String namespace, String claim) {
    return pods.byIndex(BY_CLAIM, namespace + "/" + claim).stream()
        .filter(p -> ClaimUser.uses(p, claim))
        .sorted(
            Comparator.comparing((Pod p) -> p.getSpec().getNodeName())
                .thenComparing(p -> p.getMetadata().getName()))
        .map(p -> client.pods().inNamespace(namespace).withName(p.getMetadata().getName()).get())
        .filter(Objects::nonNull)
        .filter(p -> ClaimUser.uses(p, claim))
        .findFirst();
  }

  /**
   * What the Job's runner reported. The informer may not have seen the pod's last update when the
   * Job's does arrive (two watches, no order between them); then the pods are read once from the
   * API server.
   */
  public <R> Optional<RunnerOutcome<R>> outcome(
      KubernetesClient client, String namespace, String job, Class<R> type) {
    Optional<RunnerOutcome<R>> cached =
        RunnerOutcome.fromPods(pods.byIndex(BY_JOB, namespace + "/" + job), type);
    if (cached.isPresent()) {
      return cached;
    }
    return RunnerOutcome.fromPods(
        client.pods().inNamespace(namespace).withLabel("job-name", job).list().getItems(), type);
  }

  /**
   * Why the Job's pod has not started, from the cache (a runner pod's change wakes its run, so this
   * is current).
   */
  public Optional<RunnerWaiting> waiting(String namespace, String job) {
    return RunnerWaiting.of(pods.byIndex(BY_JOB, namespace + "/" + job));
  }

  static List<String> claims(Pod pod) {
    List<Volume> volumes = pod.getSpec() == null ? null : pod.getSpec().getVolumes();
    if (volumes == null) {
      return List.of();
    }
    return volumes.stream()
        .filter(
            v ->
                v.getPersistentVolumeClaim() != null
                    && v.getPersistentVolumeClaim().getClaimName() != null)
        .map(
            v ->
                pod.getMetadata().getNamespace()
                    + "/"
                    + v.getPersistentVolumeClaim().getClaimName())
        .distinct()
        .toList();
  }

  static List<String> job(Pod pod) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    String job = labels == null ? null : labels.get("job-name");
    return job == null ? List.of() : List.of(pod.getMetadata().getNamespace() + "/" + job);
  }
}
