package dev.strata.operator.schedule;

import dev.strata.api.v1alpha1.SnapshotSchedule;
import dev.strata.api.v1alpha1.SnapshotScheduleSpec;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.operator.Dependents;
import dev.strata.operator.EventRecorder;
import dev.strata.operator.Labels;
import dev.strata.operator.metrics.StrataMetrics;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
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
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles a SnapshotSchedule: observes its StateSnapshots (by label), lets the ScheduleDecider
 * decide, then creates the due snapshot (a name that already exists means it was created before:
 * nothing to do), stops replaced ones, records Events and writes the status. It never writes the
 * schedule's spec.
 */
@ControllerConfiguration(name = "snapshotschedule")
public class SnapshotScheduleReconciler implements Reconciler<SnapshotSchedule> {

  private static final Logger LOG = LoggerFactory.getLogger(SnapshotScheduleReconciler.class);

  private final ScheduleDecider decider;
  private final EventRecorder events;
  private final StrataMetrics metrics;
  private final Clock clock;
  private InformerEventSource<StateSnapshot, SnapshotSchedule> snapshots;

  public SnapshotScheduleReconciler(
      ScheduleDecider decider, EventRecorder events, StrataMetrics metrics, Clock clock) {
    this.decider = decider;
    this.events = events;
    this.metrics = metrics;
    this.clock = clock;
  }

  @Override
  public UpdateControl<SnapshotSchedule> reconcile(
      SnapshotSchedule schedule, Context<SnapshotSchedule> context) {
    KubernetesClient client = context.getClient();
    String ns = schedule.getMetadata().getNamespace();
    List<StateSnapshot> mine = context.getSecondaryResources(StateSnapshot.class).stream().toList();
    ScheduleDecision decision =
        decider.decide(schedule, mine, () -> select(client, schedule), clock.instant());

    for (String name : decision.delete()) {
      client.resources(StateSnapshot.class).inNamespace(ns).withName(name).delete();
      LOG.info(
          "{}/{}: stopped {} (concurrencyPolicy Replace)",
          ns,
          schedule.getMetadata().getName(),
          name);
    }
    decision.create().forEach(s -> Dependents.create(client, s, schedule, snapshots));
    decision.events().forEach(e -> events.record(schedule, e, "Schedule"));
    String next = decision.status().nextScheduleTime();
    metrics.scheduleSeen(
        ns, schedule.getMetadata().getName(), next == null ? null : Instant.parse(next));
    decision
        .outcomes()
        .forEach(outcome -> metrics.scheduleRun(ns, schedule.getMetadata().getName(), outcome));
    if (schedule.getSpec().snapshotTemplate() != null
        && schedule.getSpec().snapshotTemplate().source() != null
        && schedule.getSpec().snapshotTemplate().source().pvcName() != null) {
      metrics.sourceSeen(
          ns, schedule.getSpec().snapshotTemplate().source().legacySourceId(ns), null);
    }

    UpdateControl<SnapshotSchedule> control;
    if (Objects.equals(schedule.getStatus(), decision.status())) {
      control = UpdateControl.noUpdate();
    } else {
      schedule.setStatus(decision.status());
      control = UpdateControl.patchStatus(schedule);
    }
    decision.requeueAfter().ifPresent(control::rescheduleAfter);
    return control;
  }

  /**
   * A grouped schedule's PVCs as they are now: the StatefulSet (when it names one) and the
   * namespace's claims, read from the API server (two requests), so only when the decider asks.
   */
  private static VolumeSelection.Selected select(
      KubernetesClient client, SnapshotSchedule schedule) {
    SnapshotScheduleSpec spec = schedule.getSpec();
    if (!spec.grouped()) {
      return VolumeSelection.select(spec, Optional.empty(), List.of());
    }
    String ns = schedule.getMetadata().getNamespace();
    Optional<StatefulSet> sts =
        spec.statefulSet() == null
            ? Optional.empty()
            : Optional.ofNullable(
                client
                    .apps()
                    .statefulSets()
                    .inNamespace(ns)
                    .withName(spec.statefulSet().name())
                    .get());
    List<PersistentVolumeClaim> claims =
        client.persistentVolumeClaims().inNamespace(ns).list().getItems();
    return VolumeSelection.select(spec, sts, claims);
  }

  @Override
  public List<EventSource<?, SnapshotSchedule>> prepareEventSources(
      EventSourceContext<SnapshotSchedule> context) {
    var config =
        InformerEventSourceConfiguration.from(StateSnapshot.class, SnapshotSchedule.class)
            .withLabelSelector(Labels.SCHEDULE)
            .withSecondaryToPrimaryMapper(
                (StateSnapshot s) -> {
                  Map<String, String> labels = s.getMetadata().getLabels();
                  String owner = labels == null ? null : labels.get(Labels.SCHEDULE);
                  return owner == null
                      ? Set.of()
                      : Set.of(new ResourceID(owner, s.getMetadata().getNamespace()));
                })
            .build();
    this.snapshots = new InformerEventSource<>(config, context);
    return List.of(this.snapshots);
  }
}
