package dev.strata.operator.runner;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A controller's informer of its runner Jobs that also lets go of a Job whose owner is gone: the
 * garbage collector (or a namespace's deletion) deletes the Job of a deleted StateRestore or
 * StateSnapshot, and nobody will record its result, so its {@link RunnerJobs#RESULT_FINALIZER} must
 * not keep it. Only a Job being deleted that still holds its result is looked at, and its owner is
 * asked of the API server (a list by name, which the operator may do), not of a cache that may not
 * have caught up, at start-up in particular.
 */
public final class RunnerJobInformer<P extends HasMetadata> extends InformerEventSource<Job, P> {

  private static final Logger LOG = LoggerFactory.getLogger(RunnerJobInformer.class);

  private final KubernetesClient client;
  private final Class<P> ownerType;

  public RunnerJobInformer(
      InformerEventSourceConfiguration<Job> config, EventSourceContext<P> context) {
    super(config, context);
    this.client = context.getClient();
    this.ownerType = context.getPrimaryResourceClass();
  }

  @Override
  public void onAdd(Job job) {
    super.onAdd(job);
    letGoIfOrphaned(job);
  }

  @Override
  public void onUpdate(Job old, Job job) {
    super.onUpdate(old, job);
    letGoIfOrphaned(job);
  }

  /** True when the Job is being deleted, holds its result and names an owner of this kind. */
  static boolean orphanCandidate(Job job, String ownerKind) {
    return job.getMetadata().getDeletionTimestamp() != null
        && RunnerJobs.holdsResult(job)
        && controller(job, ownerKind) != null;
  }

  private static OwnerReference controller(Job job, String ownerKind) {
    List<OwnerReference> refs = job.getMetadata().getOwnerReferences();
    return refs == null
        ? null
        : refs.stream().filter(r -> ownerKind.equals(r.getKind())).findFirst().orElse(null);
  }

  private void letGoIfOrphaned(Job job) {
    String kind = HasMetadata.getKind(ownerType);
    if (!orphanCandidate(job, kind)) {
      return;
    }
    OwnerReference owner = controller(job, kind);
    String ns = job.getMetadata().getNamespace();
    try {
      boolean alive =
          client
              .resources(ownerType)
              .inNamespace(ns)
              .withField("metadata.name", owner.getName())
              .list()
              .getItems()
              .stream()
              .anyMatch(p -> owner.getUid().equals(p.getMetadata().getUid()));
      if (!alive) {
        // Its owner's reconcile lets go of a living owner's Job, once its result is recorded.
        RunnerJobs.letGo(client, job, ns + "/" + owner.getName() + " (deleted)");
      }
    } catch (KubernetesClientException e) {
      LOG.warn(
          "{}/{}: could not let go of the runner Job of a deleted {}: {}",
          ns,
          job.getMetadata().getName(),
          kind,
          e.getMessage());
    }
  }
}
