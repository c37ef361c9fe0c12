package dev.strata.operator.store;

import dev.strata.api.v1alpha1.CaBundleRef;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.SnapshotStoreStatus;
import dev.strata.operator.Conditions;
import dev.strata.operator.OperatorSettings;
import dev.strata.operator.metrics.StrataMetrics;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a SnapshotStore's Ready condition true or false with a reason: observes the store and its Secret, checks the
 * bucket with the referenced credentials, and writes the result. It checks again periodically, and at once when the
 * Secret (or the CA bundle's Secret or ConfigMap) changes.
 */
@ControllerConfiguration(name = "snapshotstore")
public class SnapshotStoreReconciler implements Reconciler<SnapshotStore> {

  private static final Logger LOG = LoggerFactory.getLogger(SnapshotStoreReconciler.class);

  private final StoreChecker checker;
  private final OperatorSettings settings;
  private final StrataMetrics metrics;
  private final Clock clock;

  public SnapshotStoreReconciler(StoreChecker checker, OperatorSettings settings, StrataMetrics metrics, Clock clock) {
    this.checker = checker;
    this.settings = settings;
    this.metrics = metrics;
    this.clock = clock;
  }

  @Override
  public UpdateControl<SnapshotStore> reconcile(SnapshotStore store, Context<SnapshotStore> context) {
    StoreCheck check = checker.check(store);
    Instant now = clock.instant();
    Long generation = store.getMetadata().getGeneration();
    var old = store.getStatus() == null ? null : store.getStatus().conditions();
    boolean wasReady = Conditions.isTrue(old, Conditions.READY);
    store.setStatus(
        new SnapshotStoreStatus(
            Conditions.set(old, Conditions.READY, check.ready() ? Conditions.TRUE : Conditions.FALSE, check.reason(), check.message(), generation, now),
            generation,
            now.toString(),
            store.getStatus() == null ? null : store.getStatus().lastGarbageCollection()));
    metrics.storeChecked(store.getMetadata().getNamespace(), store.getMetadata().getName(), check.ready());
    if (wasReady != check.ready() || old == null) {
      LOG.info("{}/{}: store {} ({})", store.getMetadata().getNamespace(), store.getMetadata().getName(),
          check.ready() ? "ready" : "not ready", check.reason());
    }
    return UpdateControl.patchStatus(store).rescheduleAfter(settings.storeRecheck());
  }

  @Override
  public List<EventSource<?, SnapshotStore>> prepareEventSources(EventSourceContext<SnapshotStore> context) {
    return List.of(
        watching(Secret.class, context, SnapshotStoreReconciler::secretNames),
        watching(ConfigMap.class, context, SnapshotStoreReconciler::configMapNames));
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
            .build();
    return new InformerEventSource<>(config, context);
  }

  static Set<String> secretNames(SnapshotStore store) {
    Set<String> names = new HashSet<>();
    if (store.getSpec() != null && store.getSpec().credentialsSecretRef() != null) {
      names.add(store.getSpec().credentialsSecretRef().name());
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
