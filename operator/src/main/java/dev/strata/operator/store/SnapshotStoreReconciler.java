package dev.strata.operator.store;

import dev.strata.api.v1alpha1.CaBundleRef;
import dev.strata.api.v1alpha1.GarbageCollectionStatus;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.SnapshotStoreStatus;
import dev.strata.engine.GcReport;
import dev.strata.operator.Conditions;
import dev.strata.operator.Dependents;
import dev.strata.operator.Labels;
import dev.strata.operator.OperatorSettings;
import dev.strata.operator.Patches;
import dev.strata.operator.gc.CollectionRequests;
import dev.strata.operator.gc.GcScheduler;
import dev.strata.operator.metrics.StrataMetrics;
import dev.strata.operator.runner.PeriodicRuns;
import dev.strata.operator.runner.RunPods;
import dev.strata.operator.runner.RunnerOutcome;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.fabric8.kubernetes.client.informers.cache.ReducedStateItemStore;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
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
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a SnapshotStore's Ready condition true or false with a reason: checks the bucket with the referenced
 * credentials as they are now, and writes the result. It checks again periodically, and at once when the Secret (or
 * the CA bundle's Secret or ConfigMap) changes. It owns the store's garbage collection (scheduled, or asked for by
 * retention) and the store's shared client, which it closes when the store is deleted: it is told of deletions
 * (JOSDK's all-events mode) without putting a finalizer on stores.
 */
@ControllerConfiguration(name = "snapshotstore", triggerReconcilerOnAllEvents = true)
public class SnapshotStoreReconciler implements Reconciler<SnapshotStore> {

  private static final Logger LOG = LoggerFactory.getLogger(SnapshotStoreReconciler.class);

  private final StoreChecker checker;
  private final StoreClients clients;
  private final GcScheduler gc;
  private final CollectionRequests requests;
  private final OperatorSettings settings;
  private final StrataMetrics metrics;
  private final Clock clock;
  private InformerEventSource<Job, SnapshotStore> gcJobs;
  private RunPods<SnapshotStore> pods;

  public SnapshotStoreReconciler(StoreChecker checker, StoreClients clients, GcScheduler gc, CollectionRequests requests,
      OperatorSettings settings, StrataMetrics metrics, Clock clock) {
    this.checker = checker;
    this.clients = clients;
    this.gc = gc;
    this.requests = requests;
    this.settings = settings;
    this.metrics = metrics;
    this.clock = clock;
  }

  @Override
  public UpdateControl<SnapshotStore> reconcile(SnapshotStore store, Context<SnapshotStore> context) {
    String ns = store.getMetadata().getNamespace();
    String name = store.getMetadata().getName();
    if (context.isPrimaryResourceDeleted()) {
      clients.forget(ns, name);
      metrics.storeGone(ns, name);
      LOG.info("{}/{}: store deleted; its client is closed", ns, name);
      return UpdateControl.noUpdate();
    }
    GarbageCollectionStatus previousGc = store.getStatus() == null ? null : store.getStatus().lastGarbageCollection();
    metrics.storeSeen(ns, name, previousGc);
    StoreCheck check = checker.check(store);
    Instant now = clock.instant();
    Long generation = store.getMetadata().getGeneration();
    var old = store.getStatus() == null ? null : store.getStatus().conditions();
    boolean wasReady = Conditions.isTrue(old, Conditions.READY);

    // Garbage collection: record the last finished collector, start the next when due or asked for.
    List<Job> jobs = context.getSecondaryResources(Job.class).stream().toList();
    Map<String, RunnerOutcome<GcReport>> outcomes = new HashMap<>();
    PeriodicRuns.newerFinished(jobs, previousGc == null ? null : previousGc.time()).ifPresent(job ->
        pods.outcome(context.getClient(), ns, job.getMetadata().getName(), GcReport.class)
            .ifPresent(o -> outcomes.put(job.getMetadata().getName(), o)));
    GcScheduler.Plan plan = gc.plan(store, check.ready(), jobs, outcomes, requests.pending(store), now);
    plan.finished().ifPresent(job -> metrics.periodicRunFinished("gc", ns, name, plan.last()));
    plan.create().ifPresent(job -> {
      Dependents.create(context.getClient(), job, store, gcJobs);
      requests.served(store);
    });

    SnapshotStoreStatus next = new SnapshotStoreStatus(
        Conditions.set(old, Conditions.READY, check.ready() ? Conditions.TRUE : Conditions.FALSE, check.reason(), check.message(), generation, now),
        generation,
        now.toString(),
        plan.last());
    metrics.storeChecked(ns, name, check.ready());
    if (wasReady != check.ready() || old == null) {
      LOG.info("{}/{}: store {} ({})", ns, name, check.ready() ? "ready" : "not ready", check.reason());
    }
    return UpdateControl.patchStatus(Patches.status(store, SnapshotStore::new, next)).rescheduleAfter(settings.storeRecheck());
  }

  @Override
  public List<EventSource<?, SnapshotStore>> prepareEventSources(EventSourceContext<SnapshotStore> context) {
    var jobs = InformerEventSourceConfiguration.from(Job.class, SnapshotStore.class)
        .withLabelSelector(Labels.MANAGED_BY + "=" + Labels.MANAGED_BY_VALUE + "," + Labels.OPERATION + "=gc")
        .build();
    gcJobs = new InformerEventSource<>(jobs, context);
    pods = RunPods.inform(context, SnapshotStore.class, Labels.STORE, Labels.OPERATION + "=gc");
    return List.of(
        watching(Secret.class, context, SnapshotStoreReconciler::secretNames),
        watching(ConfigMap.class, context, SnapshotStoreReconciler::configMapNames),
        gcJobs,
        pods.eventSource(),
        requests.eventSource());
  }

  /** An informer on R that wakes every store in the same namespace whose spec names the changed object. */
  private static <R extends HasMetadata> InformerEventSource<R, SnapshotStore> watching(
      Class<R> type, EventSourceContext<SnapshotStore> context, Function<SnapshotStore, Set<String>> names) {
    var config =
        InformerEventSourceConfiguration.from(type, SnapshotStore.class)
            .withSecondaryToPrimaryMapper(
                (R changed) ->
                    context
                        .getPrimaryCache()
                        .list(changed.getMetadata().getNamespace())
                        .filter(store -> names.apply(store).contains(changed.getMetadata().getName()))
                        .map(ResourceID::fromResource)
                        .collect(Collectors.toSet()))
            .withPrimaryToSecondaryMapper(
                (SnapshotStore store) ->
                    names.apply(store).stream()
                        .map(n -> new ResourceID(n, store.getMetadata().getNamespace()))
                        .collect(Collectors.toSet()))
            // Only names and resourceVersions are cached: a change is all the store needs to hear of, and the checker
            // reads the one Secret it needs when it runs. Every Secret in a namespace (Helm keeps each release's
            // manifest in one) held in the operator's heap would cost memory and put credentials there.
            .withItemStore(metadataOnly(type, context.getClient().getKubernetesSerialization()))
            .build();
    return new InformerEventSource<>(config, context);
  }

  /** An informer cache that keeps of each object its namespace, name and resourceVersion, nothing else. */
  static <R extends HasMetadata> ItemStore<R> metadataOnly(Class<R> type, KubernetesSerialization serialization) {
    return new ReducedStateItemStore<>(ReducedStateItemStore.NAME_KEY_STATE, type, serialization);
  }

  static Set<String> secretNames(SnapshotStore store) {
    Set<String> names = new HashSet<>();
    if (store.getSpec() != null && store.getSpec().secretRefOrNull() != null) {
      names.add(store.getSpec().secretRefOrNull().name());
    }
    CaBundleRef ca = store.getSpec() == null ? null : store.getSpec().caBundle();
    if (ca != null && ca.secretRef() != null) {
      names.add(ca.secretRef().name());
    }
    return names;
  }

  static Set<String> configMapNames(SnapshotStore store) {
    CaBundleRef ca = store.getSpec() == null ? null : store.getSpec().caBundle();
    return ca != null && ca.configMapRef() != null ? Set.of(ca.configMapRef().name()) : Set.of();
  }
}
