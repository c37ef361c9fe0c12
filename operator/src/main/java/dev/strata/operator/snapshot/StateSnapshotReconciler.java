package dev.strata.operator.snapshot;

import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.api.v1alpha1.StateSnapshotStatus;
import dev.strata.engine.report.BackupReport;
import dev.strata.engine.store.StoreException;
import dev.strata.engine.store.StoreLayout;
import dev.strata.operator.EventRecorder;
import dev.strata.operator.Labels;
import dev.strata.operator.Patches;
import dev.strata.operator.hooks.HookPod;
import dev.strata.operator.hooks.HookRunner;
import dev.strata.operator.metrics.StrataMetrics;
import dev.strata.operator.runner.RunActions;
import dev.strata.operator.runner.RunDecision;
import dev.strata.operator.runner.RunObservation;
import dev.strata.operator.runner.RunObserver;
import dev.strata.operator.runner.RunPods;
import dev.strata.operator.runner.RunnerJobs;
import dev.strata.operator.store.StoreAccessException;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
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
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
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
 * Reconciles a StateSnapshot into one runner Job and reports what it did. Observe (the informers: Job, store, pods),
 * decide (SnapshotDecider, on the shared run lifecycle), act: create the Job, record Events and metrics on phase
 * changes, and write the status with phase, PVC and source mirrored as labels. On deletion, removes the snapshot from
 * the store when its deletionPolicy says so.
 */
@ControllerConfiguration(name = "statesnapshot")
public class StateSnapshotReconciler implements Reconciler<StateSnapshot>, Cleaner<StateSnapshot> {

  private static final Logger LOG = LoggerFactory.getLogger(StateSnapshotReconciler.class);

  private final RunObserver<BackupReport> observer;
  private final SnapshotDecider decider;
  private final SnapshotCleaner cleaner;
  private final RunActions actions;
  private final EventRecorder events;
  private final StrataMetrics metrics;
  private final HookRunner hooks;
  private final SimpleInboundEventSource<StateSnapshot> hookEnded = new SimpleInboundEventSource<>("hook-ended");
  private InformerEventSource<Job, StateSnapshot> jobs;
  private RunPods<StateSnapshot> pods;

  /** @param hooks runs the snapshots' hooks; each that ends wakes its snapshot */
  public StateSnapshotReconciler(RunObserver<BackupReport> observer, SnapshotDecider decider, SnapshotCleaner cleaner,
      EventRecorder events, StrataMetrics metrics, HookRunner hooks) {
    this.observer = observer;
    this.decider = decider;
    this.cleaner = cleaner;
    this.actions = new RunActions(events);
    this.events = events;
    this.metrics = metrics;
    this.hooks = hooks;
    hooks.onEnded(k -> hookEnded.propagateEvent(new ResourceID(k.name(), k.namespace())));
  }

  @Override
  public UpdateControl<StateSnapshot> reconcile(StateSnapshot snapshot, Context<StateSnapshot> context) {
    KubernetesClient client = context.getClient();
    StateSnapshotStatus old = snapshot.getStatus();
    String ns = snapshot.getMetadata().getNamespace();
    metrics.sourceSeen(ns, snapshot.getSpec().source().sourceId(ns), lastSuccess(old));

    SnapshotPhase phase = old == null ? null : old.phase();
    boolean ended = phase == SnapshotPhase.Succeeded || phase == SnapshotPhase.Failed;
    Optional<SnapshotStore> store = context.getSecondaryResource(SnapshotStore.class);
    Optional<Job> job = context.getSecondaryResource(Job.class);
    RunObservation<BackupReport> run = observer.observe(snapshot, ended, job, pods, client, store);
    String pvc = snapshot.getSpec().source().pvcName();
    RunPods.ClaimUse source = !ended && job.isEmpty() ? pods.claimUse(client, ns, pvc) : RunPods.ClaimUse.UNKNOWN;
    // Hooks run in the pod that uses the volume: looked up only while a snapshot with hooks has not ended.
    Optional<HookPod> hookPod = !ended && snapshot.getSpec().hasHooks() ? pods.podUsing(client, ns, pvc).map(HookPod::of) : Optional.empty();
    SnapshotDecider.Plan plan = decider.plan(new SnapshotObservation(snapshot, run, store, source.claim(), source.user(), hookPod, hooks::poll));
    RunDecision<StateSnapshotStatus> decision = plan.run();

    plan.hook().ifPresent(h -> hooks.start(h.key(), h.pod(), h.container(), h.command(), h.timeout()));
    actions.apply(snapshot, decision, client, jobs, "Backup");
    recordFinish(snapshot, old, decision.status(), run.now());

    Map<String, String> labels = mirroredLabels(snapshot, decision.status());
    UpdateControl<StateSnapshot> control;
    if (!labels.isEmpty()) {
      control = UpdateControl.patchResourceAndStatus(Patches.labelsAndStatus(snapshot, StateSnapshot::new, labels, decision.status()));
    } else if (!Objects.equals(old, decision.status())) {
      control = UpdateControl.patchStatus(Patches.status(snapshot, StateSnapshot::new, decision.status()));
    } else {
      control = UpdateControl.noUpdate();
    }
    decision.requeueAfter().ifPresent(control::rescheduleAfter);
    return control;
  }

  private static Instant lastSuccess(StateSnapshotStatus status) {
    return status != null && status.phase() == SnapshotPhase.Succeeded && status.completionTime() != null
        ? Instant.parse(status.completionTime())
        : null;
  }

  private void recordFinish(StateSnapshot s, StateSnapshotStatus old, StateSnapshotStatus next, Instant now) {
    SnapshotPhase before = old == null ? null : old.phase();
    if (before == next.phase() || (next.phase() != SnapshotPhase.Succeeded && next.phase() != SnapshotPhase.Failed)) {
      return;
    }
    Duration took = next.startTime() == null ? null : Duration.between(Instant.parse(next.startTime()), now);
    long uploaded = next.snapshotIndex() == null ? 0 : next.snapshotIndex().uploadedBytes();
    long reused = next.snapshotIndex() == null ? 0 : next.snapshotIndex().reusedBytes();
    metrics.snapshotFinished(s.getMetadata().getNamespace(), next.sourceId(), next.phase() == SnapshotPhase.Succeeded, took, uploaded, reused, now);
    LOG.info("{}/{}: {}: {}", s.getMetadata().getNamespace(), s.getMetadata().getName(), next.phase(), next.message());
  }

  /**
   * Phase, PVC and source key as labels, for `kubectl get -l`: all three, when one of them is not yet what it should
   * be (then written with the status, through JOSDK's patch of the resource); empty when all are.
   */
  static Map<String, String> mirroredLabels(StateSnapshot s, StateSnapshotStatus status) {
    Map<String, String> want = new LinkedHashMap<>();
    want.put(Labels.PHASE, status.phase().name());
    want.put(Labels.PVC, s.getSpec().source().pvcName());
    want.put(Labels.SOURCE, StoreLayout.sourceKey(status.sourceId()));
    Map<String, String> have = s.getMetadata().getLabels() == null ? Map.of() : s.getMetadata().getLabels();
    return want.entrySet().stream().allMatch(e -> e.getValue().equals(have.get(e.getKey()))) ? Map.of() : want;
  }

  @Override
  public DeleteControl cleanup(StateSnapshot snapshot, Context<StateSnapshot> context) {
    KubernetesClient client = context.getClient();
    String ns = snapshot.getMetadata().getNamespace();
    Optional<Job> job = context.getSecondaryResource(Job.class);
    if (job.isPresent() && !RunnerJobs.finished(job.get())) {
      if (job.get().getMetadata().getDeletionTimestamp() == null) {
        // Stop the runner first, or it could commit a snapshot after we cleaned up.
        client.resource(job.get()).withPropagationPolicy(DeletionPropagation.FOREGROUND).delete();
      }
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(Duration.ofSeconds(2));
    }
    Optional<SnapshotStore> store = context.getSecondaryResource(SnapshotStore.class);
    if (store.isEmpty()) {
      events.record(snapshot, EventRecorder.WARNING, "StoreGone", "Delete",
          "SnapshotStore " + snapshot.getSpec().storeRef().name() + " no longer exists: the snapshot could not be removed from it");
      return gone(snapshot, context);
    }
    try {
      List<String> removed = cleaner.removeFromStore(snapshot, store.get());
      if (!removed.isEmpty()) {
        LOG.info("{}/{}: removed {} from the store", ns, snapshot.getMetadata().getName(), removed);
      }
      return gone(snapshot, context);
    } catch (StoreAccessException | StoreException e) {
      events.record(snapshot, EventRecorder.WARNING, "CleanupFailed", "Delete",
          "could not remove the snapshot from the store, retrying: " + e.getMessage());
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(Duration.ofSeconds(30));
    }
  }

  /** The last snapshot of a source takes the source's metrics with it. */
  private DeleteControl gone(StateSnapshot snapshot, Context<StateSnapshot> context) {
    String ns = snapshot.getMetadata().getNamespace();
    String sourceId = snapshot.getSpec().source().sourceId(ns);
    boolean others = context.getPrimaryCache().list(ns)
        .anyMatch(s -> !s.getMetadata().getName().equals(snapshot.getMetadata().getName()) && sourceId.equals(s.getSpec().source().sourceId(ns)));
    if (!others) {
      metrics.sourceGone(ns, sourceId);
    }
    return DeleteControl.defaultDelete();
  }

  @Override
  public List<EventSource<?, StateSnapshot>> prepareEventSources(EventSourceContext<StateSnapshot> context) {
    var jobConfig =
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
    jobs = new InformerEventSource<>(jobConfig, context);
    pods = RunPods.inform(context, StateSnapshot.class, Labels.SNAPSHOT, null);
    return List.of(jobs, new InformerEventSource<>(stores, context), pods.eventSource(), hookEnded);
  }
}
