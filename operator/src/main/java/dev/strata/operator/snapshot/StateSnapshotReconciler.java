package dev.strata.operator.snapshot;

import dev.strata.api.v1alpha1.DeletionPolicy;
import dev.strata.api.v1alpha1.HookResult;
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
import dev.strata.operator.catalog.StoreCatalogs;
import dev.strata.operator.hooks.HookPod;
import dev.strata.operator.hooks.HookRunner;
import dev.strata.operator.metrics.FinishedRuns;
import dev.strata.operator.metrics.StrataMetrics;
import dev.strata.operator.runner.BusyClaims;
import dev.strata.operator.runner.RunActions;
import dev.strata.operator.runner.RunDecision;
import dev.strata.operator.runner.RunObservation;
import dev.strata.operator.runner.RunObserver;
import dev.strata.operator.runner.RunPods;
import dev.strata.operator.runner.RunnerJobInformer;
import dev.strata.operator.runner.RunnerJobs;
import dev.strata.operator.store.StoreAccessException;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
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
import java.time.Clock;
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
 * Reconciles a StateSnapshot into one runner Job and reports what it did. Observe (the informers:
 * Job, store, pods), decide (SnapshotDecider, on the shared run lifecycle), act: create the Job,
 * record Events and metrics on phase changes, and write the status with phase, PVC and source
 * mirrored as labels. A run whose Job vanished is looked for in the store (see {@link
 * LostResults}). On deletion, removes the snapshot from the store when its deletionPolicy says so.
 */
@ControllerConfiguration(name = "statesnapshot")
public class StateSnapshotReconciler implements Reconciler<StateSnapshot>, Cleaner<StateSnapshot> {

  private static final Logger LOG = LoggerFactory.getLogger(StateSnapshotReconciler.class);

  private final RunObserver<BackupReport> observer;
  private final SnapshotDecider decider;
  private final SnapshotCleaner cleaner;
  private final LostResults lostResults;
  private final RunActions actions;
  private final EventRecorder events;
  private final StrataMetrics metrics;
  private final FinishedRuns finished = new FinishedRuns();
  private final StoreCatalogs catalogs;
  private final Clock clock;
  private final String cluster;
  private final HookRunner hooks;
  private final SimpleInboundEventSource<StateSnapshot> hookEnded =
      new SimpleInboundEventSource<>("hook-ended");
  private InformerEventSource<Job, StateSnapshot> jobs;
  private RunPods<StateSnapshot> pods;

  /**
   * @param catalogs the stores' catalogs, where a StateSnapshot that stands for an existing
   *     snapshot finds it
   * @param cluster this cluster's id, in the source ids of the snapshots it takes
   * @param hooks runs the snapshots' hooks; each that ends wakes its snapshot
   */
  public StateSnapshotReconciler(
      RunObserver<BackupReport> observer,
      SnapshotDecider decider,
      SnapshotCleaner cleaner,
      LostResults lostResults,
      EventRecorder events,
      StrataMetrics metrics,
      StoreCatalogs catalogs,
      Clock clock,
      String cluster,
      HookRunner hooks) {
    this.observer = observer;
    this.decider = decider;
    this.cleaner = cleaner;
    this.lostResults = lostResults;
    this.actions = new RunActions(events);
    this.events = events;
    this.metrics = metrics;
    this.catalogs = catalogs;
    this.clock = clock;
    this.cluster = cluster;
    this.hooks = hooks;
    hooks.onEnded(k -> hookEnded.propagateEvent(new ResourceID(k.name(), k.namespace())));
  }

  @Override
  public UpdateControl<StateSnapshot> reconcile(
      StateSnapshot snapshot, Context<StateSnapshot> context) {
    if (!mayStart(snapshot, context)) {
      return reconcileOne(snapshot, context, false);
    }
    // Until its Job exists, one run per PVC at a time looks for a restore writing into it and
    // starts.
    synchronized (
        BusyClaims.lockFor(
            snapshot.getMetadata().getNamespace(), snapshot.getSpec().source().pvcName())) {
      return reconcileOne(snapshot, context, true);
    }
  }

  /** A backup that has not started its Job: no phase yet, or Pending. */
  private static boolean mayStart(StateSnapshot snapshot, Context<StateSnapshot> context) {
    SnapshotPhase phase = snapshot.getStatus() == null ? null : snapshot.getStatus().phase();
    return !snapshot.getSpec().existing()
        && (phase == null || phase == SnapshotPhase.Pending)
        && context.getSecondaryResource(Job.class).isEmpty();
  }

  /**
   * {@code mayStart}: its Job may be created now, so a restore writing into its PVC is looked for.
   */
  private UpdateControl<StateSnapshot> reconcileOne(
      StateSnapshot snapshot, Context<StateSnapshot> context, boolean mayStart) {
    KubernetesClient client = context.getClient();
    StateSnapshotStatus old = snapshot.getStatus();
    String ns = snapshot.getMetadata().getNamespace();
    Optional<SnapshotStore> store = context.getSecondaryResource(SnapshotStore.class);
    Instant now;
    RunDecision<StateSnapshotStatus> decision;
    if (snapshot.getSpec().existing()) {
      // Not a backup of this cluster's: no source series for it (an imported snapshot's source is
      // another cluster's).
      metrics.namespaceSeen(ns);
      now = clock.instant();
      ExistingSnapshots.Decision d =
          ExistingSnapshots.decide(snapshot, store, store.flatMap(catalogs::listing), now, cluster);
      if (d.needsCatalog()) {
        catalogs.requests().request(ns, snapshot.getSpec().storeRef().name(), now);
      }
      decision = d.run();
    } else {
      metrics.sourceSeen(ns, snapshot.getSpec().source().legacySourceId(ns), lastSuccess(old));
      SnapshotPhase phase = old == null ? null : old.phase();
      boolean ended = phase == SnapshotPhase.Succeeded || phase == SnapshotPhase.Failed;
      Optional<Job> job = context.getSecondaryResource(Job.class);
      RunObservation<BackupReport> run =
          observer.observe(snapshot, ended, job, pods, client, store);
      if (phase == SnapshotPhase.Running && job.isEmpty() && store.isPresent()) {
        // Its Job is gone before its result was read: what the runner committed, if it did.
        run = run.withLostResult(lostResults.find(snapshot, store.get()));
      }
      String pvc = snapshot.getSpec().source().pvcName();
      RunPods.ClaimUse source =
          !ended && job.isEmpty() ? pods.claimUse(client, ns, pvc) : RunPods.ClaimUse.UNKNOWN;
      // Hooks run in the pod that uses the volume: looked up only while a snapshot with hooks has
      // not ended.
      Optional<HookPod> hookPod =
          !ended && snapshot.getSpec().hasHooks()
              ? pods.podUsing(client, ns, pvc).map(HookPod::of)
              : Optional.empty();
      now = run.now();
      SnapshotDecider.Plan plan =
          decider.plan(
              new SnapshotObservation(
                  snapshot,
                  run,
                  store,
                  source.claim(),
                  source.user(),
                  hookPod,
                  hooks::poll,
                  mayStart
                      ? BusyClaims.once(() -> restoreInto(client, ns, pvc))
                      : Optional::empty));
      decision = plan.run();
      plan.hook()
          .ifPresent(h -> hooks.start(h.key(), h.pod(), h.container(), h.command(), h.timeout()));
    }

    actions.apply(snapshot, decision, client, jobs, "Backup");
    StateSnapshotStatus next = Expiry.withExpiry(snapshot, decision.status());
    recordFinish(snapshot, old, next, now);
    if (Expiry.due(snapshot, next, now)) {
      expire(snapshot, next, client);
    }

    Map<String, String> labels = mirroredLabels(snapshot, next);
    UpdateControl<StateSnapshot> control;
    if (!labels.isEmpty()) {
      control =
          UpdateControl.patchResourceAndStatus(
              Patches.labelsAndStatus(snapshot, StateSnapshot::new, labels, next));
    } else if (!Objects.equals(old, next)) {
      control = UpdateControl.patchStatus(Patches.status(snapshot, StateSnapshot::new, next));
    } else {
      control = UpdateControl.noUpdate();
    }
    Optional<Duration> untilExpiry =
        Expiry.expiresAt(snapshot)
            .filter(t -> t.isAfter(now))
            .map(t -> Duration.between(now, t).plusMillis(500));
    Optional<Duration> again = decision.requeueAfter();
    if (untilExpiry.isPresent()
        && (again.isEmpty() || untilExpiry.get().compareTo(again.get()) < 0)) {
      again = untilExpiry;
    }
    again.ifPresent(control::rescheduleAfter);
    return control;
  }

  /**
   * Its TTL has passed: the object goes, and its deletionPolicy decides what happens in the store
   * (the finalizer).
   */
  private void expire(StateSnapshot s, StateSnapshotStatus status, KubernetesClient client) {
    String ns = s.getMetadata().getNamespace();
    String inStore =
        s.getSpec().deletionPolicyOrDefault() == DeletionPolicy.Delete
            ? "it is removed from the store, and the store's garbage collection reclaims its blobs after the grace period"
            : "it stays in the store (deletionPolicy: Retain)";
    client
        .resources(StateSnapshot.class)
        .inNamespace(ns)
        .withName(s.getMetadata().getName())
        .delete();
    events.record(
        s,
        EventRecorder.NORMAL,
        "Expired",
        "Expire",
        "spec.ttl " + s.getSpec().ttl() + " passed at " + status.expiresAt() + ": " + inStore);
    LOG.info("{}/{}: expired (ttl {}): deleted", ns, s.getMetadata().getName(), s.getSpec().ttl());
  }

  /** A restore runner Job that has not ended and writes into the PVC. */
  private static Optional<String> restoreInto(KubernetesClient client, String ns, String pvc) {
    return BusyClaims.runnerUsing(BusyClaims.runnerJobs(client, ns, "restore"), pvc, null)
        .map(BusyClaims::describe);
  }

  private static Instant lastSuccess(StateSnapshotStatus status) {
    return status != null
            && status.phase() == SnapshotPhase.Succeeded
            && status.completionTime() != null
        ? Instant.parse(status.completionTime())
        : null;
  }

  private void recordFinish(
      StateSnapshot s, StateSnapshotStatus old, StateSnapshotStatus next, Instant now) {
    SnapshotPhase before = old == null ? null : old.phase();
    if (before == next.phase()
        || (next.phase() != SnapshotPhase.Succeeded && next.phase() != SnapshotPhase.Failed)) {
      return;
    }
    Duration took =
        next.startTime() == null ? null : Duration.between(Instant.parse(next.startTime()), now);
    long uploaded = next.snapshotIndex() == null ? 0 : next.snapshotIndex().uploadedBytes();
    long reused = next.snapshotIndex() == null ? 0 : next.snapshotIndex().reusedBytes();
    if (!s.getSpec().existing() && finished.first(s.getMetadata().getUid())) {
      String ns = s.getMetadata().getNamespace();
      metrics.snapshotFinished(
          ns,
          s.getSpec().source().legacySourceId(ns),
          next.phase() == SnapshotPhase.Succeeded,
          took,
          uploaded,
          reused,
          now);
    }
    LOG.info(
        "{}/{}: {}: {}",
        s.getMetadata().getNamespace(),
        s.getMetadata().getName(),
        next.phase(),
        next.message());
  }

  /**
   * Phase, PVC and source key as labels, for `kubectl get -l`: all three, when one of them is not
   * yet what it should be (then written with the status, through JOSDK's patch of the resource);
   * empty when all are.
   */
  static Map<String, String> mirroredLabels(StateSnapshot s, StateSnapshotStatus status) {
    Map<String, String> want = new LinkedHashMap<>();
    want.put(Labels.PHASE, status.phase().name());
    want.put(Labels.PVC, s.getSpec().source().pvcName());
    if (status.sourceId() != null) {
      want.put(Labels.SOURCE, StoreLayout.sourceKey(status.sourceId()));
    }
    Map<String, String> have =
        s.getMetadata().getLabels() == null ? Map.of() : s.getMetadata().getLabels();
    return want.entrySet().stream().allMatch(e -> e.getValue().equals(have.get(e.getKey())))
        ? Map.of()
        : want;
  }

  @Override
  public DeleteControl cleanup(StateSnapshot snapshot, Context<StateSnapshot> context) {
    KubernetesClient client = context.getClient();
    String ns = snapshot.getMetadata().getNamespace();
    Optional<Job> job = context.getSecondaryResource(Job.class);
    // No result of its will be recorded: its Job need not hold one.
    RunnerJobs.held(job, snapshot)
        .ifPresent(j -> RunnerJobs.letGo(client, j, ns + "/" + snapshot.getMetadata().getName()));
    if (job.isPresent() && !RunnerJobs.finished(job.get())) {
      if (job.get().getMetadata().getDeletionTimestamp() == null) {
        // Stop the runner first, or it could commit a snapshot after we cleaned up.
        client.resource(job.get()).withPropagationPolicy(DeletionPropagation.FOREGROUND).delete();
      }
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(Duration.ofSeconds(2));
    }
    if (!postHooksBeforeDeletion(snapshot, client)) {
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(SnapshotDecider.HOOK_RECHECK);
    }
    if (SnapshotCleaner.policy(snapshot) == DeletionPolicy.Retain) {
      return gone(snapshot, context); // the snapshot stays in the store: nothing to do there
    }
    Optional<SnapshotStore> store = context.getSecondaryResource(SnapshotStore.class);
    if (store.isEmpty()) {
      events.record(
          snapshot,
          EventRecorder.WARNING,
          "StoreGone",
          "Delete",
          "SnapshotStore "
              + snapshot.getSpec().storeRef().name()
              + " no longer exists: the snapshot could not be removed from it");
      return gone(snapshot, context);
    }
    try {
      List<String> removed = cleaner.removeFromStore(snapshot, store.get());
      if (!removed.isEmpty()) {
        LOG.info("{}/{}: removed {} from the store", ns, snapshot.getMetadata().getName(), removed);
      }
      return gone(snapshot, context);
    } catch (StoreAccessException | StoreException e) {
      events.record(
          snapshot,
          EventRecorder.WARNING,
          "CleanupFailed",
          "Delete",
          "could not remove the snapshot from the store, retrying every 30 s: "
              + e.getMessage()
              + ". Fix the store, or to leave the snapshot in the store: kubectl annotate"
              + " statesnapshot "
              + snapshot.getMetadata().getName()
              + " "
              + Labels.DELETION_POLICY
              + "=Retain");
      return DeleteControl.noFinalizerRemoval().rescheduleAfter(Duration.ofSeconds(30));
    }
  }

  /**
   * Runs the post hooks a deleted snapshot still owes (see {@link DeletionHooks}); true once
   * nothing is owed.
   */
  private boolean postHooksBeforeDeletion(StateSnapshot snapshot, KubernetesClient client) {
    if (snapshot.getSpec().existing() || !DeletionHooks.owes(snapshot)) {
      return true; // nothing to undo: no pod lookup
    }
    String ns = snapshot.getMetadata().getNamespace();
    Optional<HookPod> pod =
        pods.podUsing(client, ns, snapshot.getSpec().source().pvcName()).map(HookPod::of);
    DeletionHooks.Step step = DeletionHooks.next(snapshot, pod, hooks::poll, clock.instant());
    step.events().forEach(e -> events.record(snapshot, e, "Delete"));
    List<HookResult> old = snapshot.getStatus() == null ? null : snapshot.getStatus().hooks();
    if (!step.results().isEmpty() && !step.results().equals(old)) {
      // A merge patch of the hook results alone, on the object in hand (fabric8 reads it from the
      // server otherwise, and the chart grants patch on the status, not get).
      client
          .resource(snapshot)
          .subresource("status")
          .patch(
              PatchContext.of(PatchType.JSON_MERGE),
              Serialization.asJson(Map.of("status", Map.of("hooks", step.results()))));
    }
    step.start()
        .ifPresent(
            h -> {
              LOG.info(
                  "{}/{}: deleted before its post hooks ran; running {}",
                  ns,
                  snapshot.getMetadata().getName(),
                  h.key().stage() + "-" + (h.key().index() + 1));
              hooks.start(h.key(), h.pod(), h.container(), h.command(), h.timeout());
            });
    return step.done();
  }

  /** The last snapshot of a source takes the source's metrics with it. */
  private DeleteControl gone(StateSnapshot snapshot, Context<StateSnapshot> context) {
    String ns = snapshot.getMetadata().getNamespace();
    if (snapshot.getSpec().existing()) {
      return DeleteControl.defaultDelete();
    }
    String sourceId = snapshot.getSpec().source().legacySourceId(ns);
    boolean others =
        context
            .getPrimaryCache()
            .list(ns)
            .anyMatch(
                s ->
                    !s.getMetadata().getName().equals(snapshot.getMetadata().getName())
                        && !s.getSpec().existing()
                        && sourceId.equals(s.getSpec().source().legacySourceId(ns)));
    if (!others) {
      metrics.sourceGone(ns, sourceId);
    }
    return DeleteControl.defaultDelete();
  }

  @Override
  public List<EventSource<?, StateSnapshot>> prepareEventSources(
      EventSourceContext<StateSnapshot> context) {
    var jobConfig =
        InformerEventSourceConfiguration.from(Job.class, StateSnapshot.class)
            .withLabelSelector(
                Labels.MANAGED_BY
                    + "="
                    + Labels.MANAGED_BY_VALUE
                    + ","
                    + Labels.OPERATION
                    + "=backup")
            .build();
    var stores =
        InformerEventSourceConfiguration.from(SnapshotStore.class, StateSnapshot.class)
            .withSecondaryToPrimaryMapper(
                (SnapshotStore store) ->
                    context
                        .getPrimaryCache()
                        .list(store.getMetadata().getNamespace())
                        .filter(
                            s ->
                                store.getMetadata().getName().equals(s.getSpec().storeRef().name()))
                        .map(ResourceID::fromResource)
                        .collect(Collectors.toSet()))
            .withPrimaryToSecondaryMapper(
                (StateSnapshot s) ->
                    Set.of(
                        new ResourceID(
                            s.getSpec().storeRef().name(), s.getMetadata().getNamespace())))
            .build();
    jobs = new RunnerJobInformer<>(jobConfig, context);
    pods = RunPods.inform(context, StateSnapshot.class, Labels.SNAPSHOT, null);
    return List.of(jobs, new InformerEventSource<>(stores, context), pods.eventSource(), hookEnded);
  }
}
