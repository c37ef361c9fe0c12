package dev.strata.operator.store;

import dev.strata.api.v1alpha1.CaBundleRef;
import dev.strata.api.v1alpha1.GarbageCollectionStatus;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.SnapshotStoreStatus;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.api.v1alpha1.VerificationStatus;
import dev.strata.engine.GcReport;
import dev.strata.engine.report.VerifyReport;
import dev.strata.operator.Conditions;
import dev.strata.operator.Dependents;
import dev.strata.operator.EventRecorder;
import dev.strata.operator.KStatus;
import dev.strata.operator.Labels;
import dev.strata.operator.OperatorSettings;
import dev.strata.operator.Patches;
import dev.strata.operator.StoreRequests;
import dev.strata.operator.catalog.CatalogSync;
import dev.strata.operator.gc.GcScheduler;
import dev.strata.operator.metrics.StrataMetrics;
import dev.strata.operator.runner.PeriodicRun;
import dev.strata.operator.runner.PeriodicRuns;
import dev.strata.operator.runner.RunPods;
import dev.strata.operator.runner.RunnerOutcome;
import dev.strata.operator.verify.VerifyScheduler;
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
import java.time.Duration;
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
 * Keeps a SnapshotStore's Ready condition true or false with a reason: checks the bucket with the
 * referenced credentials as they are now, and writes the result. It checks again periodically, and
 * at once when the Secret (or the CA bundle's Secret or ConfigMap) changes. It owns all of a
 * store's own work: its garbage collection (scheduled, or asked for by retention), its scheduled
 * verification (with the Healthy condition), the reading of its catalog (importing the bucket's
 * snapshots that have no StateSnapshot here), and the store's shared client, which it closes when
 * the store is deleted: it is told of deletions (JOSDK's all-events mode) without putting a
 * finalizer on stores.
 */
@ControllerConfiguration(name = "snapshotstore", triggerReconcilerOnAllEvents = true)
public class SnapshotStoreReconciler implements Reconciler<SnapshotStore> {

  private static final Logger LOG = LoggerFactory.getLogger(SnapshotStoreReconciler.class);
  static final String RUN_KINDS = Labels.OPERATION + " in (gc,verify)";

  /** The store's other work, beside checking it. */
  public record Work(
      GcScheduler gc, StoreRequests collections, VerifyScheduler verify, CatalogSync catalog) {}

  private final StoreChecker checker;
  private final StoreClients clients;
  private final Work work;
  private final OperatorSettings settings;
  private final StrataMetrics metrics;
  private final EventRecorder events;
  private final Clock clock;
  private InformerEventSource<Job, SnapshotStore> runJobs;
  private InformerEventSource<StateSnapshot, SnapshotStore> snapshots;
  private RunPods<SnapshotStore> pods;

  public SnapshotStoreReconciler(
      StoreChecker checker,
      StoreClients clients,
      Work work,
      OperatorSettings settings,
      StrataMetrics metrics,
      EventRecorder events,
      Clock clock) {
    this.checker = checker;
    this.clients = clients;
    this.work = work;
    this.settings = settings;
    this.metrics = metrics;
    this.events = events;
    this.clock = clock;
  }

  @Override
  public UpdateControl<SnapshotStore> reconcile(
      SnapshotStore store, Context<SnapshotStore> context) {
    String ns = store.getMetadata().getNamespace();
    String name = store.getMetadata().getName();
    if (context.isPrimaryResourceDeleted()) {
      clients.forget(ns, name);
      work.catalog().catalogs().forget(ns, name);
      metrics.storeGone(ns, name);
      LOG.info("{}/{}: store deleted; its client is closed", ns, name);
      return UpdateControl.noUpdate();
    }
    SnapshotStoreStatus old = store.getStatus();
    GarbageCollectionStatus previousGc = old == null ? null : old.lastGarbageCollection();
    VerificationStatus previousVerification = old == null ? null : old.lastVerification();
    metrics.storeSeen(ns, name, previousGc, previousVerification);
    // Before the bucket is read: a snapshot recorded meanwhile is then in neither (see
    // CatalogSync).
    List<StateSnapshot> knownSnapshots = snapshots.list(s -> true).toList();
    StoreCheck check = checker.check(store);
    Instant now = clock.instant();
    Long generation = store.getMetadata().getGeneration();
    var oldConditions = old == null ? null : old.conditions();
    boolean wasReady = Conditions.isTrue(oldConditions, Conditions.READY);

    // Garbage collection and verification: record the newest finished run of each, start the next
    // when due.
    List<Job> jobs = context.getSecondaryResources(Job.class).stream().toList();
    List<Job> gcJobs = ofKind(jobs, "gc");
    List<Job> verifyJobs = ofKind(jobs, "verify");
    PeriodicRun<GarbageCollectionStatus> gcPlan =
        work.gc()
            .plan(
                store,
                check.ready(),
                gcJobs,
                outcomes(
                    context,
                    ns,
                    gcJobs,
                    previousGc == null ? null : previousGc.time(),
                    GcReport.class),
                work.collections().pending(store),
                now);
    gcPlan.finished().ifPresent(job -> metrics.periodicRunFinished("gc", ns, name, gcPlan.last()));
    gcPlan
        .create()
        .ifPresent(
            job -> {
              Dependents.create(context.getClient(), job, store, runJobs);
              work.collections().served(store);
            });
    PeriodicRun<VerificationStatus> verifyPlan =
        work.verify()
            .plan(
                store,
                check.ready(),
                verifyJobs,
                outcomes(
                    context,
                    ns,
                    verifyJobs,
                    previousVerification == null ? null : previousVerification.time(),
                    VerifyReport.class),
                now);
    verifyPlan.finished().ifPresent(job -> verified(store, verifyPlan.last()));
    verifyPlan
        .create()
        .ifPresent(job -> Dependents.create(context.getClient(), job, store, runJobs));

    // The catalog: read the bucket when due, import what has no StateSnapshot here.
    CatalogSync.Result catalog =
        work.catalog()
            .sync(
                store,
                check.ready(),
                check.ready() ? clients.client(store) : null,
                () -> clients.encryptionKey(store),
                knownSnapshots,
                context.getClient(),
                now);

    var conditions =
        KStatus.ready(
            oldConditions,
            check.ready() ? Conditions.TRUE : Conditions.FALSE,
            check.reason(),
            check.message(),
            generation,
            now);
    conditions = VerifyScheduler.healthy(conditions, store, verifyPlan.last(), generation, now);
    SnapshotStoreStatus next =
        new SnapshotStoreStatus(
            conditions,
            generation,
            now.toString(),
            gcPlan.last(),
            catalog.status(),
            verifyPlan.last());
    metrics.storeChecked(ns, name, check.ready());
    if (wasReady != check.ready() || oldConditions == null) {
      LOG.info(
          "{}/{}: store {} ({})", ns, name, check.ready() ? "ready" : "not ready", check.reason());
    }
    Duration again =
        catalog.nextIn().compareTo(settings.storeRecheck()) < 0
            ? catalog.nextIn()
            : settings.storeRecheck();
    return UpdateControl.patchStatus(Patches.status(store, SnapshotStore::new, next))
        .rescheduleAfter(again);
  }

  private static List<Job> ofKind(List<Job> jobs, String kind) {
    return jobs.stream()
        .filter(
            j ->
                j.getMetadata().getLabels() != null
                    && kind.equals(j.getMetadata().getLabels().get(Labels.OPERATION)))
        .toList();
  }

  /** What the newest finished run (if newer than the one recorded) reported, by Job name. */
  private <R> Map<String, RunnerOutcome<R>> outcomes(
      Context<SnapshotStore> context, String ns, List<Job> jobs, String recorded, Class<R> type) {
    Map<String, RunnerOutcome<R>> outcomes = new HashMap<>();
    PeriodicRuns.newerFinished(jobs, recorded)
        .ifPresent(
            job ->
                pods.outcome(context.getClient(), ns, job.getMetadata().getName(), type)
                    .ifPresent(o -> outcomes.put(job.getMetadata().getName(), o)));
    return outcomes;
  }

  /** A verification ended: its metrics, and an Event that says what it found. */
  private void verified(SnapshotStore store, VerificationStatus last) {
    String ns = store.getMetadata().getNamespace();
    metrics.verificationFinished(ns, store.getMetadata().getName(), last);
    if (!"Succeeded".equals(last.result())) {
      events.record(
          store,
          EventRecorder.WARNING,
          "VerificationFailed",
          "Verify",
          "the verification could not run: " + last.message());
    } else if (last.damagedSnapshots() != null && last.damagedSnapshots() > 0) {
      events.record(
          store,
          EventRecorder.WARNING,
          "Damaged",
          "Verify",
          last.message() + ": " + String.join(", ", last.damaged()));
    } else {
      events.record(store, EventRecorder.NORMAL, "Verified", "Verify", last.message());
    }
    LOG.info(
        "{}/{}: verification {}: {}",
        ns,
        store.getMetadata().getName(),
        last.result(),
        last.message());
  }

  @Override
  public List<EventSource<?, SnapshotStore>> prepareEventSources(
      EventSourceContext<SnapshotStore> context) {
    var jobs =
        InformerEventSourceConfiguration.from(Job.class, SnapshotStore.class)
            .withLabelSelector(Labels.MANAGED_BY + "=" + Labels.MANAGED_BY_VALUE + "," + RUN_KINDS)
            .build();
    runJobs = new InformerEventSource<>(jobs, context);
    pods = RunPods.inform(context, SnapshotStore.class, Labels.STORE, RUN_KINDS);
    // The catalog needs to know which snapshots have a StateSnapshot; their changes need not wake
    // any store.
    var snapshotConfig =
        InformerEventSourceConfiguration.from(StateSnapshot.class, SnapshotStore.class)
            .withName("store-snapshots")
            .withSecondaryToPrimaryMapper((StateSnapshot s) -> Set.of())
            .withPrimaryToSecondaryMapper((SnapshotStore st) -> Set.of())
            .build();
    snapshots = new InformerEventSource<>(snapshotConfig, context);
    return List.of(
        watching(Secret.class, context, SnapshotStoreReconciler::secretNames),
        watching(ConfigMap.class, context, SnapshotStoreReconciler::configMapNames),
        runJobs,
        snapshots,
        pods.eventSource(),
        work.collections().eventSource(),
        work.catalog().catalogs().requests().eventSource());
  }

  /**
   * An informer on R that wakes every store in the same namespace whose spec names the changed
   * object.
   */
  private static <R extends HasMetadata> InformerEventSource<R, SnapshotStore> watching(
      Class<R> type,
      EventSourceContext<SnapshotStore> context,
      Function<SnapshotStore, Set<String>> names) {
    var config =
        InformerEventSourceConfiguration.from(type, SnapshotStore.class)
            .withSecondaryToPrimaryMapper(
                (R changed) ->
                    context
                        .getPrimaryCache()
                        .list(changed.getMetadata().getNamespace())
                        .filter(
                            store -> names.apply(store).contains(changed.getMetadata().getName()))
                        .map(ResourceID::fromResource)
                        .collect(Collectors.toSet()))
            .withPrimaryToSecondaryMapper(
                (SnapshotStore store) ->
                    names.apply(store).stream()
                        .map(n -> new ResourceID(n, store.getMetadata().getNamespace()))
                        .collect(Collectors.toSet()))
            // Only names and resourceVersions are cached: a change is all the store needs to hear
            // of, and the checker
            // reads the one Secret it needs when it runs. Every Secret in a namespace (Helm keeps
            // each release's
            // manifest in one) held in the operator's heap would cost memory and put credentials
            // there.
            .withItemStore(metadataOnly(type, context.getClient().getKubernetesSerialization()))
            .build();
    return new InformerEventSource<>(config, context);
  }

  /**
   * An informer cache that keeps of each object its namespace, name and resourceVersion, nothing
   * else.
   */
  static <R extends HasMetadata> ItemStore<R> metadataOnly(
      Class<R> type, KubernetesSerialization serialization) {
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
