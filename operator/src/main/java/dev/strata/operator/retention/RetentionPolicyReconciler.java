package dev.strata.operator.retention;

import dev.strata.api.v1alpha1.RetentionPolicy;
import dev.strata.api.v1alpha1.RetentionPolicyStatus;
import dev.strata.api.v1alpha1.RetentionSourceStatus;
import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.operator.Conditions;
import dev.strata.operator.EventRecorder;
import dev.strata.operator.KStatus;
import dev.strata.operator.Labels;
import dev.strata.operator.StoreRequests;
import dev.strata.operator.retention.RetentionEvaluator.Candidate;
import dev.strata.operator.retention.RetentionEvaluator.Outcome;
import dev.strata.operator.schedule.ScheduleDecider;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a RetentionPolicy to the StateSnapshots of the schedules that reference it (they carry
 * its name as a label), per source (and a grouped schedule's groups as wholes: RetentionUnits).
 * Expired snapshots are deleted (each one's deletionPolicy then removes it from the store), and the
 * stores they lived in are asked for a garbage collection. In dry-run it only reports. It writes
 * the policy's status, never its spec.
 */
@ControllerConfiguration(name = "retentionpolicy")
public class RetentionPolicyReconciler implements Reconciler<RetentionPolicy> {

  private static final Logger LOG = LoggerFactory.getLogger(RetentionPolicyReconciler.class);
  static final int MAX_NAMES = 20;

  private final StoreRequests collections;
  private final EventRecorder events;
  private final Clock clock;
  private final Duration interval;

  public RetentionPolicyReconciler(
      StoreRequests collections, EventRecorder events, Clock clock, Duration interval) {
    this.collections = collections;
    this.events = events;
    this.clock = clock;
    this.interval = interval;
  }

  @Override
  public UpdateControl<RetentionPolicy> reconcile(
      RetentionPolicy policy, Context<RetentionPolicy> context) {
    Instant now = clock.instant();
    String ns = policy.getMetadata().getNamespace();
    Long generation = policy.getMetadata().getGeneration();
    var oldConditions = policy.getStatus() == null ? null : policy.getStatus().conditions();
    RetentionRules rules;
    try {
      rules = RetentionRules.from(policy.getSpec());
    } catch (IllegalArgumentException e) {
      policy.setStatus(
          new RetentionPolicyStatus(
              now.toString(),
              List.of(),
              KStatus.ready(
                  oldConditions,
                  Conditions.FALSE,
                  "InvalidPolicy",
                  e.getMessage(),
                  generation,
                  now),
              generation));
      return UpdateControl.patchStatus(policy);
    }
    boolean dryRun = Boolean.TRUE.equals(policy.getSpec().dryRun());
    List<RetentionUnits.Unit> units =
        RetentionUnits.split(List.copyOf(context.getSecondaryResources(StateSnapshot.class)), ns);
    KubernetesClient client = context.getClient();
    List<RetentionSourceStatus> sources = new ArrayList<>();
    Set<String> storesToCollect = new TreeSet<>();
    for (RetentionUnits.Unit unit : units) {
      RetentionEvaluator.Verdict verdict =
          RetentionEvaluator.evaluate(unit.candidates(), rules, now);
      List<String> expire = verdict.expire();
      if (!dryRun && !expire.isEmpty()) {
        for (String name : expire) {
          // One snapshot, or every member of an expired group.
          for (StateSnapshot s : unit.members().get(name)) {
            client
                .resources(StateSnapshot.class)
                .inNamespace(ns)
                .withName(s.getMetadata().getName())
                .delete();
            storesToCollect.add(s.getSpec().storeRef().name());
          }
        }
        LOG.info(
            "{}/{}: expired {} of {}: {}",
            ns,
            policy.getMetadata().getName(),
            expire.size(),
            unit.key(),
            expire);
        events.record(
            policy,
            EventRecorder.NORMAL,
            "Expired",
            "Retention",
            "expired "
                + expire.size()
                + (unit.key().startsWith("groups of ") ? " " : " snapshots of ")
                + unit.key()
                + ": "
                + String.join(", ", expire.subList(0, Math.min(MAX_NAMES, expire.size()))));
      }
      sources.add(
          new RetentionSourceStatus(
              unit.key(),
              verdict.kept().size(),
              dryRun ? 0 : expire.size(),
              dryRun ? expire.subList(0, Math.min(MAX_NAMES, expire.size())) : List.of()));
    }
    // The stores' controller owns their collectors: it starts one when the store is ready and none
    // runs.
    storesToCollect.forEach(store -> collections.request(ns, store, now));
    String message = (dryRun ? "dry run: " : "") + units.size() + " sources evaluated";
    RetentionPolicyStatus status =
        new RetentionPolicyStatus(
            now.toString(),
            sources,
            KStatus.ready(
                oldConditions,
                Conditions.TRUE,
                dryRun ? "DryRun" : "Applied",
                message,
                generation,
                now),
            generation);
    // Only write when something changed besides the time, so a quiet policy does not churn its
    // status.
    RetentionPolicyStatus old = policy.getStatus();
    boolean changed =
        old == null
            || !sources.equals(old.sources())
            || !status.conditions().equals(old.conditions());
    UpdateControl<RetentionPolicy> control;
    if (changed) {
      policy.setStatus(status);
      control = UpdateControl.patchStatus(policy);
    } else {
      control = UpdateControl.noUpdate();
    }
    return control.rescheduleAfter(interval);
  }

  static Candidate candidate(StateSnapshot s) {
    SnapshotPhase p = s.getStatus() == null ? null : s.getStatus().phase();
    Outcome o =
        s.getMetadata().getDeletionTimestamp() != null
            ? Outcome.IN_PROGRESS
            : p == SnapshotPhase.Succeeded
                ? Outcome.SUCCEEDED
                : p == SnapshotPhase.Failed ? Outcome.FAILED : Outcome.IN_PROGRESS;
    return new Candidate(s.getMetadata().getName(), ScheduleDecider.scheduledTime(s), o);
  }

  @Override
  public List<EventSource<?, RetentionPolicy>> prepareEventSources(
      EventSourceContext<RetentionPolicy> context) {
    var snapshots =
        InformerEventSourceConfiguration.from(StateSnapshot.class, RetentionPolicy.class)
            .withName("retention-snapshots")
            .withLabelSelector(Labels.RETENTION_POLICY)
            .withSecondaryToPrimaryMapper(
                (StateSnapshot s) -> {
                  Map<String, String> labels = s.getMetadata().getLabels();
                  String policy = labels == null ? null : labels.get(Labels.RETENTION_POLICY);
                  return policy == null
                      ? Set.of()
                      : Set.of(new ResourceID(policy, s.getMetadata().getNamespace()));
                })
            .build();
    return List.of(new InformerEventSource<>(snapshots, context));
  }
}
