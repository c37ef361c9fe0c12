package dev.strata.operator.runner;

import dev.strata.operator.Dependents;
import dev.strata.operator.EventRecorder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;

/**
 * Carries out a run's decision: creates what it asks for, lets go of a Job whose result is
 * recorded, releases a finished Job, records its Events.
 */
public final class RunActions {

  private final EventRecorder events;

  public RunActions(EventRecorder events) {
    this.events = events;
  }

  /**
   * @param jobs the controller's informer of runner Jobs, told of a Job the moment it is created
   * @param action the Events' action ("Backup", "Restore")
   */
  public void apply(
      HasMetadata owner,
      RunDecision<?> decision,
      KubernetesClient client,
      InformerEventSource<Job, ?> jobs,
      String action) {
    for (HasMetadata object : decision.create()) {
      if (object instanceof Job job) {
        Dependents.create(client, job, owner, jobs);
      } else {
        Dependents.create(client, object, owner, null);
      }
    }
    String who = owner.getMetadata().getNamespace() + "/" + owner.getMetadata().getName();
    // Let go first: a released Job that still held its result would stay until the next look.
    decision.letGo().ifPresent(job -> RunnerJobs.letGo(client, job, who));
    decision.release().ifPresent(job -> RunnerJobs.release(client, job, who));
    decision.events().forEach(e -> events.record(owner, e, action));
  }
}
