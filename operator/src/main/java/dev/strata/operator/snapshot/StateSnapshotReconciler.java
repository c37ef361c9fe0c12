package dev.strata.operator.snapshot;

import dev.strata.operator.RunnerJobs;
import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.api.v1alpha1.StateSnapshotStatus;
import dev.strata.engine.store.StoreLayout;
import dev.strata.operator.EventRecorder;
import dev.strata.operator.Labels;
import dev.strata.operator.metrics.StrataMetrics;
import dev.strata.operator.store.StoreAccessException;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles a StateSnapshot into one runner Job and reports what it did. Observe (SnapshotObserver), decide
 * (SnapshotDecider), act: create the Job, record Events and metrics on phase changes, mirror phase and source into
 * labels, and write the status. On deletion, removes the snapshot from the store when its deletionPolicy says so.
 */
@ControllerConfiguration(name = "statesnapshot")
public class StateSnapshotReconciler implements Reconciler<StateSnapshot>, Cleaner<StateSnapshot> {

  private static final Logger LOG = LoggerFactory.getLogger(StateSnapshotReconciler.class);

  private final SnapshotObserver observer;
  private final SnapshotDecider decider;
  private final SnapshotCleaner cleaner;
  private final EventRecorder events;
  private final StrataMetrics metrics;

  public StateSnapshotReconciler(
      SnapshotObserver observer, SnapshotDecider decider, SnapshotCleaner cleaner, EventRecorder events, StrataMetrics metrics) {
    this.observer = observer;
    this.decider = decider;
    this.cleaner = cleaner;
    this.events = events;
    this.metrics = metrics;
  }

  @Override
  public UpdateControl<StateSnapshot> reconcile(StateSnapshot snapshot, Context<StateSnapshot> context) {
    KubernetesClient client = context.getClient();
    SnapshotObservation observed =
        observer.observe(snapshot, client, context.getSecondaryResource(Job.class), context.getSecondaryResource(SnapshotStore.class));
    SnapshotDecision decision = decider.decide(observed);

    decision.createJob().ifPresent(job -> createJob(client, snapshot, job));
    decision.releaseJob().ifPresent(job -> RunnerJobs.release(client, job, snapshot.getMetadata().getNamespace() + "/" + snapshot.getMetadata().getName()));
    decision.events().forEach(e -> events.record(snapshot, e.type(), e.reason(), "Backup", e.note()));
    StateSnapshotStatus old = snapshot.getStatus();
    recordFinish(snapshot, old, decision.status(), observed.now());
    mirrorLabels(client, snapshot, decision.status());

    UpdateControl<StateSnapshot> control;
    if (Objects.equals(old, decision.status())) {
      control = UpdateControl.noUpdate();
    } else {
      snapshot.setStatus(decision.status());
      control = UpdateControl.patchStatus(snapshot);
    }
    decision.requeueAfter().ifPresent(control::rescheduleAfter);
    return control;
  }

  private void createJob(KubernetesClient client, StateSnapshot snapshot, Job job) {
    try {
      client.resource(job).create();
      LOG.info("{}/{}: created runner Job {}", snapshot.getMetadata().getNamespace(), snapshot.getMetadata().getName(), job.getMetadata().getName());
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      // Already there (a retry, or a restarted operator): adopt it on the next reconcile.
      LOG.info("{}/{}: runner Job {} already exists", snapshot.getMetadata().getNamespace(), snapshot.getMetadata().getName(), job.getMetadata().getName());
    }
  }

  private void recordFinish(StateSnapshot s, StateSnapshotStatus old, StateSnapshotStatus next, Instant now) {
    SnapshotPhase before = old == null ? null : old.phase();
    if (before == next.phase() || (next.phase() != SnapshotPhase.Succeeded && next.phase() != SnapshotPhase.Failed)) {
      return;
    }
    Duration took = next.startTime() == null ? null : Duration.between(Instant.parse(next.startTime()), now);
    long uploaded = next.snapshotIndex() == null ? 0 : next.snapshotIndex().uploadedBytes();
    long reused = next.snapshotIndex() == null ? 0 : next.snapshotIndex().reusedBytes();
    metrics.snapshotFinished(s.getMetadata().getNamespace(), next.sourceId(), next.phase() == SnapshotPhase.Succeeded, took, uploaded, reused, now.getEpochSecond());
    LOG.info("{}/{}: {}: {}", s.getMetadata().getNamespace(), s.getMetadata().getName(), next.phase(), next.message());
  }

  /** Phase, PVC and source key as labels, for `kubectl get -l`; a merge patch of labels only, never the spec. */
  private static void mirrorLabels(KubernetesClient client, StateSnapshot s, StateSnapshotStatus status) {
    Map<String, String> want = new LinkedHashMap<>();
    want.put(Labels.PHASE, status.phase().name());
    want.put(Labels.PVC, s.getSpec().source().pvcName());
    want.put(Labels.SOURCE, StoreLayout.sourceKey(status.sourceId()));
    Map<String, String> have = s.getMetadata().getLabels() == null ? Map.of() : s.getMetadata().getLabels();
    if (want.entrySet().stream().allMatch(e -> e.getValue().equals(have.get(e.getKey())))) {
      return;
    }
    try {
      StateSnapshot patched = client.resources(StateSnapshot.class)
          .inNamespace(s.getMetadata().getNamespace())
          .withName(s.getMetadata().getName())
          .patch(PatchContext.of(PatchType.JSON_MERGE), io.fabric8.kubernetes.client.utils.Serialization.asJson(Map.of("metadata", Map.of("labels", want))));
      // The status patch that follows must not conflict with the version this label patch made.
      s.getMetadata().setResourceVersion(patched.getMetadata().getResourceVersion());
      s.getMetadata().setLabels(patched.getMetadata().getLabels());
    } catch (KubernetesClientException e) {
      LOG.warn("{}/{}: labels not updated: {}", s.getMetadata().getNamespace(), s.getMetadata().getName(), e.getMessage());
    }
  }

  @Override
  public DeleteControl cleanup(StateSnapshot snapshot, Context<StateSnapshot> context) {
    KubernetesClient client = context.getClient();
    String ns = snapshot.getMetadata().getNamespace();
    Optional<Job> job = context.getSecondaryResource(Job.class);
    if (job.isPresent() && !SnapshotObserver.finished(job.get()) && job.get().getMetadata().getDeletionTimestamp() == null) {
      // Stop the runner first, or it could commit a snapshot after we cleaned up.
      client.resource(job.get()).withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.FOREGROUND).delete();
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(Duration.ofSeconds(2));
    }
    if (job.isPresent() && !SnapshotObserver.finished(job.get())) {
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(Duration.ofSeconds(2));
    }
    SnapshotStore store = client.resources(SnapshotStore.class).inNamespace(ns).withName(snapshot.getSpec().storeRef().name()).get();
    if (store == null) {
      events.record(snapshot, EventRecorder.WARNING, "StoreGone", "Delete",
          "SnapshotStore " + snapshot.getSpec().storeRef().name() + " no longer exists: the snapshot could not be removed from it");
      return DeleteControl.defaultDelete();
    }
    try {
      List<String> removed = cleaner.removeFromStore(snapshot, store);
      if (!removed.isEmpty()) {
        LOG.info("{}/{}: removed {} from the store", ns, snapshot.getMetadata().getName(), removed);
      }
      return DeleteControl.defaultDelete();
    } catch (StoreAccessException | dev.strata.engine.store.StoreException e) {
      events.record(snapshot, EventRecorder.WARNING, "CleanupFailed", "Delete",
          "could not remove the snapshot from the store, retrying: " + e.getMessage());
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(Duration.ofSeconds(30));
    }
  }

  @Override
  public List<EventSource<?, StateSnapshot>> prepareEventSources(EventSourceContext<StateSnapshot> context) {
    var jobs =
        InformerEventSourceConfiguration.from(Job.class, StateSnapshot.class)
            .withLabelSelector(Labels.MANAGED_BY + "=" + Labels.MANAGED_BY_VALUE + "," + Labels.OPERATION + "=backup")
            .build();
    var stores =
        InformerEventSourceConfiguration.from(SnapshotStore.class, StateSnapshot.class)
            .withSecondaryToPrimaryMapper(
                (SnapshotStore store) ->
                    context
                        .getPrimaryCache()
                        .list(store.getMetadata().getNamespace())
                        .filter(s -> store.getMetadata().getName().equals(s.getSpec().storeRef().name()))
                        .map(ResourceID::fromResource)
                        .collect(Collectors.toSet()))
            .withPrimaryToSecondaryMapper(
                (StateSnapshot s) -> Set.of(new ResourceID(s.getSpec().storeRef().name(), s.getMetadata().getNamespace())))
            .build();
    return List.of(new InformerEventSource<>(jobs, context), new InformerEventSource<>(stores, context));
  }
}
