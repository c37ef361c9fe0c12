package dev.strata.operator.restore;

import dev.strata.api.v1alpha1.ResolvedSnapshot;
import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.StateRestore;
import dev.strata.api.v1alpha1.StateRestoreStatus;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.engine.report.RestoreReport;
import dev.strata.operator.Conditions;
import dev.strata.operator.Dependents;
import dev.strata.operator.EventRecorder;
import dev.strata.operator.Labels;
import dev.strata.operator.Patches;
import dev.strata.operator.catalog.Listing;
import dev.strata.operator.catalog.StoreCatalogs;
import dev.strata.operator.metrics.FinishedRuns;
import dev.strata.operator.metrics.StrataMetrics;
import dev.strata.operator.runner.BusyClaims;
import dev.strata.operator.runner.RunActions;
import dev.strata.operator.runner.RunDecision;
import dev.strata.operator.runner.RunObservation;
import dev.strata.operator.runner.RunObserver;
import dev.strata.operator.runner.RunPods;
import dev.strata.operator.runner.RunnerJobInformer;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles a StateRestore: observe (the informers: Job, StateSnapshots, stores, pods,
 * StorageClasses), decide (RestoreDecider, on the shared run lifecycle), act: create the target PVC
 * from its template, create the one runner Job, record Events and metrics, write the status (the
 * pinned snapshot first of all). A StateSnapshot or store that changes wakes the restores still
 * waiting in its namespace.
 */
@ControllerConfiguration(name = "staterestore")
public class StateRestoreReconciler implements Reconciler<StateRestore> {

  private static final Logger LOG = LoggerFactory.getLogger(StateRestoreReconciler.class);

  private final RunObserver<RestoreReport> observer;
  private final RestoreDecider decider;
  private final RunActions actions;
  private final StrataMetrics metrics;
  private final FinishedRuns finished = new FinishedRuns();
  private final StoreCatalogs catalogs;
  private final String cluster;
  private final BindingModes bindingModes;
  private final EventRecorder events;
  private final Clock clock;
  private InformerEventSource<Job, StateRestore> jobs;
  private InformerEventSource<StateSnapshot, StateRestore> snapshots;
  private InformerEventSource<SnapshotStore, StateRestore> stores;
  private RunPods<StateRestore> pods;

  /**
   * @param catalogs the stores' catalogs, where source.fromStore is found
   * @param cluster this cluster's id
   * @param bindingModes which target claims bind only once a pod uses them (their StorageClass)
   */
  public StateRestoreReconciler(
      RunObserver<RestoreReport> observer,
      RestoreDecider decider,
      EventRecorder events,
      StrataMetrics metrics,
      StoreCatalogs catalogs,
      String cluster,
      BindingModes bindingModes) {
    this(observer, decider, events, metrics, catalogs, cluster, bindingModes, Clock.systemUTC());
  }

  /**
   * @param clock the operator's clock (what a group restore's status times are)
   */
  public StateRestoreReconciler(
      RunObserver<RestoreReport> observer,
      RestoreDecider decider,
      EventRecorder events,
      StrataMetrics metrics,
      StoreCatalogs catalogs,
      String cluster,
      BindingModes bindingModes,
      Clock clock) {
    this.events = events;
    this.clock = clock;
    this.observer = observer;
    this.decider = decider;
    this.actions = new RunActions(events);
    this.metrics = metrics;
    this.catalogs = catalogs;
    this.cluster = cluster;
    this.bindingModes = bindingModes;
  }

  @Override
  public UpdateControl<StateRestore> reconcile(
      StateRestore restore, Context<StateRestore> context) {
    KubernetesClient client = context.getClient();
    String ns = restore.getMetadata().getNamespace();
    metrics.namespaceSeen(ns);
    if (restore.getSpec().source().group() != null) {
      return reconcileGroup(restore, client);
    }
    StateRestoreStatus old = restore.getStatus();
    SnapshotPhase phase = old == null ? null : old.phase();
    boolean ended = phase == SnapshotPhase.Succeeded || phase == SnapshotPhase.Failed;
    if (ended || context.getSecondaryResource(Job.class).isPresent()) {
      return reconcileOne(restore, context, ended);
    }
    // Until its Job exists, one restore per target at a time looks for the target's other runners
    // and starts: two restores into one PVC, reconciled at once, cannot both find it free.
    synchronized (BusyClaims.lockFor(ns, restore.getSpec().target().pvc())) {
      return reconcileOne(restore, context, ended);
    }
  }

  private UpdateControl<StateRestore> reconcileOne(
      StateRestore restore, Context<StateRestore> context, boolean ended) {
    KubernetesClient client = context.getClient();
    String ns = restore.getMetadata().getNamespace();
    StateRestoreStatus old = restore.getStatus();
    ResolvedSnapshot pinned = old == null ? null : old.resolvedSnapshot();
    List<StateSnapshot> inNamespace =
        ended || pinned != null ? List.of() : snapshots.list(ns, s -> true).toList();
    String storeName =
        restore.getSpec().storeRef() != null
            ? restore.getSpec().storeRef().name()
            : pinned != null ? pinned.storeRef() : storeOfSource(restore, inNamespace);
    Optional<SnapshotStore> store =
        storeName == null ? Optional.empty() : stores.get(new ResourceID(storeName, ns));
    Optional<Job> job = context.getSecondaryResource(Job.class);
    RunObservation<RestoreReport> run = observer.observe(restore, ended, job, pods, client, store);
    RunPods.ClaimUse target =
        !ended && job.isEmpty()
            ? pods.claimUse(client, ns, restore.getSpec().target().pvc())
            : RunPods.ClaimUse.UNKNOWN;
    boolean fromStore = restore.getSpec().source().fromStore() != null && pinned == null && !ended;
    Optional<Listing> catalog = fromStore ? store.flatMap(catalogs::listing) : Optional.empty();
    boolean lateBinding = target.claim().map(bindingModes::bindsOnFirstConsumer).orElse(false);
    RunDecision<StateRestoreStatus> decision =
        decider.decide(
            new RestoreObservation(
                restore,
                run,
                inNamespace,
                store,
                target.claim(),
                target.user(),
                catalog,
                lateBinding,
                !ended && job.isEmpty()
                    ? BusyClaims.once(() -> busy(client, ns, restore).map(BusyClaims::describe))
                    : Optional::empty));
    if (fromStore && store.isPresent() && "CatalogNotRead".equals(reason(decision.status()))) {
      catalogs.requests().request(ns, storeName, run.now());
    }

    actions.apply(restore, decision, client, jobs, "Restore");
    recordFinish(restore, old, decision.status(), run.now());
    UpdateControl<StateRestore> control =
        Objects.equals(old, decision.status())
            ? UpdateControl.noUpdate()
            : UpdateControl.patchStatus(
                Patches.status(restore, StateRestore::new, decision.status()));
    decision.requeueAfter().ifPresent(control::rescheduleAfter);
    return control;
  }

  /** Another Strata runner Job (a restore, a backup) that has not ended and mounts the target. */
  private static Optional<Job> busy(KubernetesClient client, String ns, StateRestore restore) {
    return BusyClaims.runnerUsing(
        BusyClaims.runnerJobs(client, ns, null),
        restore.getSpec().target().pvc(),
        RestoreJobBuilder.jobName(restore));
  }

  /**
   * A group restore: observe the group's StateSnapshots, their PVCs and the member restores made so
   * far, let GroupRestore decide, create the member restores, write the status. It looks again
   * every few seconds until every member's restore has ended (the member restores are reconciled on
   * their own).
   */
  private UpdateControl<StateRestore> reconcileGroup(
      StateRestore restore, KubernetesClient client) {
    String ns = restore.getMetadata().getNamespace();
    String group = restore.getSpec().source().group();
    boolean ended =
        restore.getStatus() != null
            && (restore.getStatus().phase() == SnapshotPhase.Succeeded
                || restore.getStatus().phase() == SnapshotPhase.Failed);
    if (ended) {
      return UpdateControl.noUpdate();
    }
    List<StateSnapshot> members =
        snapshots
            .list(
                ns,
                s ->
                    s.getMetadata().getLabels() != null
                        && group.equals(s.getMetadata().getLabels().get(Labels.GROUP)))
            .toList();
    List<StateRestore> children =
        client
            .resources(StateRestore.class)
            .inNamespace(ns)
            .withLabel(Labels.GROUP_RESTORE, restore.getMetadata().getName())
            .list()
            .getItems()
            .stream()
            .filter(
                c ->
                    c.getMetadata().getOwnerReferences() != null
                        && c.getMetadata().getOwnerReferences().stream()
                            .anyMatch(o -> o.getUid().equals(restore.getMetadata().getUid())))
            .toList();
    Set<String> claims = new java.util.TreeSet<>();
    if (children.isEmpty()) {
      members.stream()
          .map(m -> m.getSpec().source().pvcName())
          .distinct()
          .filter(
              pvc -> client.persistentVolumeClaims().inNamespace(ns).withName(pvc).get() != null)
          .forEach(claims::add);
    }
    GroupRestore.Decision decision =
        GroupRestore.decide(
            new GroupRestore.Observation(restore, members, claims, children, clock.instant()));
    decision.create().forEach(c -> Dependents.create(client, c, restore, null));
    decision.events().forEach(e -> events.record(restore, e, "Restore"));
    if (restore.getStatus() == null || restore.getStatus().phase() != decision.status().phase()) {
      LOG.info(
          "{}/{}: {}: {}",
          ns,
          restore.getMetadata().getName(),
          decision.status().phase(),
          decision.status().message());
    }
    UpdateControl<StateRestore> control =
        Objects.equals(restore.getStatus(), decision.status())
            ? UpdateControl.noUpdate()
            : UpdateControl.patchStatus(
                Patches.status(restore, StateRestore::new, decision.status()));
    return decision.ended() ? control : control.rescheduleAfter(RestoreDecider.WAIT);
  }

  private void recordFinish(
      StateRestore r, StateRestoreStatus old, StateRestoreStatus next, Instant now) {
    SnapshotPhase before = old == null ? null : old.phase();
    if (before == next.phase()) {
      return;
    }
    LOG.info(
        "{}/{}: {}: {}",
        r.getMetadata().getNamespace(),
        r.getMetadata().getName(),
        next.phase(),
        next.message());
    if ((next.phase() == SnapshotPhase.Succeeded || next.phase() == SnapshotPhase.Failed)
        && finished.first(r.getMetadata().getUid())) {
      Duration took =
          next.startTime() == null ? null : Duration.between(Instant.parse(next.startTime()), now);
      metrics.restoreFinished(
          r.getMetadata().getNamespace(),
          next.phase() == SnapshotPhase.Succeeded,
          took,
          next.downloadedBytes() == null ? 0 : next.downloadedBytes(),
          next.reusedBytes() == null ? 0 : next.reusedBytes());
    }
  }

  /** Before the snapshot is pinned, the store is the one of the snapshot the source resolves to. */
  private String storeOfSource(StateRestore r, List<StateSnapshot> snapshots) {
    RestoreResolver.Resolution res =
        RestoreResolver.resolve(r, snapshots, cluster, Optional.empty());
    return res instanceof RestoreResolver.Resolved ok ? ok.snapshot().storeRef() : null;
  }

  private static String reason(StateRestoreStatus status) {
    return status == null
        ? null
        : Conditions.find(status.conditions(), Conditions.READY)
            .map(Condition::getReason)
            .orElse(null);
  }

  @Override
  public List<EventSource<?, StateRestore>> prepareEventSources(
      EventSourceContext<StateRestore> context) {
    var jobConfig =
        InformerEventSourceConfiguration.from(Job.class, StateRestore.class)
            .withLabelSelector(
                Labels.MANAGED_BY
                    + "="
                    + Labels.MANAGED_BY_VALUE
                    + ","
                    + Labels.OPERATION
                    + "=restore")
            .build();
    // Restores that are waiting hear of every snapshot and store of their namespace: they resolve
    // and start then.
    var snapshotConfig =
        InformerEventSourceConfiguration.from(StateSnapshot.class, StateRestore.class)
            .withName("restore-snapshots")
            .withSecondaryToPrimaryMapper(
                (StateSnapshot s) -> waiting(context, s.getMetadata().getNamespace()))
            .withPrimaryToSecondaryMapper((StateRestore r) -> Set.of())
            .build();
    var storeConfig =
        InformerEventSourceConfiguration.from(SnapshotStore.class, StateRestore.class)
            .withName("restore-stores")
            .withSecondaryToPrimaryMapper(
                (SnapshotStore s) -> waiting(context, s.getMetadata().getNamespace()))
            .withPrimaryToSecondaryMapper((StateRestore r) -> Set.of())
            .build();
    jobs = new RunnerJobInformer<>(jobConfig, context);
    snapshots = new InformerEventSource<>(snapshotConfig, context);
    stores = new InformerEventSource<>(storeConfig, context);
    pods = RunPods.inform(context, StateRestore.class, "strata.dev/staterestore", null);
    return List.of(jobs, snapshots, stores, pods.eventSource());
  }

  private static Set<ResourceID> waiting(
      EventSourceContext<StateRestore> context, String namespace) {
    return context
        .getPrimaryCache()
        .list(namespace)
        .filter(
            r ->
                r.getStatus() == null
                    || r.getStatus().phase() == null
                    || r.getStatus().phase() == SnapshotPhase.Pending)
        .map(ResourceID::fromResource)
        .collect(Collectors.toSet());
  }
}
