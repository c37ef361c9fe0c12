package dev.strata.operator.restore;

import dev.strata.operator.RunnerJobs;
import dev.strata.api.v1alpha1.StateRestore;
import dev.strata.operator.EventRecorder;
import dev.strata.operator.Labels;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles a StateRestore: observe (RestoreObserver), decide (RestoreDecider), act: create the target PVC from its
 * template, create the one runner Job, record Events, write the status (the pinned snapshot first of all).
 */
@ControllerConfiguration(name = "staterestore")
public class StateRestoreReconciler implements Reconciler<StateRestore> {

  private static final Logger LOG = LoggerFactory.getLogger(StateRestoreReconciler.class);

  private final RestoreObserver observer;
  private final RestoreDecider decider;
  private final EventRecorder events;

  public StateRestoreReconciler(RestoreObserver observer, RestoreDecider decider, EventRecorder events) {
    this.observer = observer;
    this.decider = decider;
    this.events = events;
  }

  @Override
  public UpdateControl<StateRestore> reconcile(StateRestore restore, Context<StateRestore> context) {
    KubernetesClient client = context.getClient();
    String ns = restore.getMetadata().getNamespace();
    RestoreDecision decision = decider.decide(observer.observe(restore, client, context.getSecondaryResource(Job.class)));
    decision.createPvc().ifPresent(pvc -> createIfAbsent(client, pvc, ns + "/" + restore.getMetadata().getName()));
    decision.createJob().ifPresent(job -> createIfAbsent(client, job, ns + "/" + restore.getMetadata().getName()));
    decision.releaseJob().ifPresent(job -> RunnerJobs.release(client, job, ns + "/" + restore.getMetadata().getName()));
    decision.events().forEach(e -> events.record(restore, e.type(), e.reason(), "Restore", e.note()));
    if (decision.status().phase() != (restore.getStatus() == null ? null : restore.getStatus().phase())) {
      LOG.info("{}/{}: {}: {}", ns, restore.getMetadata().getName(), decision.status().phase(), decision.status().message());
    }
    UpdateControl<StateRestore> control;
    if (Objects.equals(restore.getStatus(), decision.status())) {
      control = UpdateControl.noUpdate();
    } else {
      restore.setStatus(decision.status());
      control = UpdateControl.patchStatus(restore);
    }
    decision.requeueAfter().ifPresent(control::rescheduleAfter);
    return control;
  }

  private static void createIfAbsent(KubernetesClient client, io.fabric8.kubernetes.api.model.HasMetadata object, String who) {
    try {
      client.resource(object).create();
      LOG.info("{}: created {} {}", who, object.getKind(), object.getMetadata().getName());
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
    }
  }

  @Override
  public List<EventSource<?, StateRestore>> prepareEventSources(EventSourceContext<StateRestore> context) {
    var jobs = InformerEventSourceConfiguration.from(Job.class, StateRestore.class)
        .withLabelSelector(Labels.MANAGED_BY + "=" + Labels.MANAGED_BY_VALUE + "," + Labels.OPERATION + "=restore")
        .build();
    return List.of(new InformerEventSource<>(jobs, context));
  }
}
