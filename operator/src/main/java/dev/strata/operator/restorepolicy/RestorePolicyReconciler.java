package dev.strata.operator.restorepolicy;

import dev.strata.api.v1alpha1.RestoreFailurePolicy;
import dev.strata.api.v1alpha1.RestorePolicy;
import dev.strata.api.v1alpha1.RestorePolicyStatus;
import dev.strata.engine.Sizes;
import dev.strata.operator.Conditions;
import dev.strata.operator.EventRecorder;
import dev.strata.operator.KStatus;
import dev.strata.operator.LabelSelectors;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
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
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports what a RestorePolicy does: Ready (the webhook serves with a valid certificate, its
 * configuration is current, and it has loaded this generation of the policy; or why not), and, from
 * the pods the webhook labelled, the snapshot each source resolved to, restores done, and an Event
 * on the pod and the policy for each restore: Restored, FreshStart or RestoreFailed. It writes the
 * status only, never the spec.
 */
@ControllerConfiguration(name = "restorepolicy")
public class RestorePolicyReconciler implements Reconciler<RestorePolicy> {

  private static final Logger LOG = LoggerFactory.getLogger(RestorePolicyReconciler.class);
  static final Duration RECHECK = Duration.ofSeconds(60);
  static final Duration SOON = Duration.ofSeconds(1);

  private final RestoreWebhook webhook;
  private final EventRecorder events;
  private final Clock clock;

  public RestorePolicyReconciler(RestoreWebhook webhook, EventRecorder events, Clock clock) {
    this.webhook = webhook;
    this.events = events;
    this.clock = clock;
  }

  @Override
  public UpdateControl<RestorePolicy> reconcile(
      RestorePolicy policy, Context<RestorePolicy> context) {
    Instant now = clock.instant();
    RestorePolicyStatus old = policy.getStatus();
    Long generation = policy.getMetadata().getGeneration();
    Readiness ready = readiness(policy);

    List<PodRestoreReport> reports =
        context.getSecondaryResources(Pod.class).stream()
            .map(PodRestoreReport::of)
            .flatMap(Optional::stream)
            .toList();
    RestoreTally.Update tally = RestoreTally.apply(old, reports);
    for (PodRestoreReport r : tally.fresh()) {
      announce(
          policy,
          context.getSecondaryResources(Pod.class).stream()
              .filter(p -> Objects.equals(p.getMetadata().getUid(), r.podUid()))
              .findFirst(),
          r);
    }

    List<Condition> conditions =
        KStatus.ready(
            old == null ? null : old.conditions(),
            ready.ok() ? Conditions.TRUE : Conditions.FALSE,
            ready.reason(),
            ready.message(),
            generation,
            now);
    RestorePolicyStatus next =
        new RestorePolicyStatus(tally.sources(), tally.restoresDone(), conditions, generation);
    UpdateControl<RestorePolicy> control;
    if (Objects.equals(old, next)) {
      control = UpdateControl.noUpdate();
    } else {
      policy.setStatus(next);
      control = UpdateControl.patchStatus(policy);
    }
    return control.rescheduleAfter(ready.reason().equals("WebhookSyncing") ? SOON : RECHECK);
  }

  record Readiness(boolean ok, String reason, String message) {}

  Readiness readiness(RestorePolicy policy) {
    RestoreWebhook.State state = webhook.state();
    if (!state.healthy()) {
      return new Readiness(false, state.reason(), state.message());
    }
    var spec = policy.getSpec();
    Optional<String> selectorProblem = LabelSelectors.problem(spec.podSelector());
    if (selectorProblem.isPresent()) {
      return new Readiness(
          false, "InvalidSelector", selectorProblem.get() + ": the policy selects no pod");
    }
    String ns = policy.getMetadata().getNamespace();
    if (webhook.lookup().store(ns, spec.storeRef().name()).isEmpty()) {
      return new Readiness(
          false,
          "StoreNotFound",
          "SnapshotStore "
              + spec.storeRef().name()
              + " does not exist: "
              + (spec.failurePolicyOrDefault() == RestoreFailurePolicy.Fail
                  ? "pods this policy selects are refused until it does (failurePolicy Fail)"
                  : "pods this policy selects start without a restore (failurePolicy Continue)"));
    }
    Long generation = policy.getMetadata().getGeneration();
    Optional<Long> loaded = webhook.policyGeneration(ns, policy.getMetadata().getName());
    if (loaded.isEmpty() || (generation != null && loaded.get() < generation)) {
      return new Readiness(
          false,
          "WebhookSyncing",
          "the webhook has not loaded generation " + generation + " of this policy yet");
    }
    return new Readiness(
        true,
        "Serving",
        "pods matching the selector restore the latest snapshot of their volume "
            + spec.volumeName()
            + " before they start; the webhook at "
            + webhook.settings().endpoint()
            + " serves a certificate valid until "
            + state.certificateNotAfter());
  }

  private void announce(RestorePolicy policy, Optional<Pod> pod, PodRestoreReport r) {
    String ns = policy.getMetadata().getNamespace();
    String type;
    String reason;
    String note;
    switch (r.result()) {
      case Restored -> {
        type = EventRecorder.NORMAL;
        reason = "Restored";
        note =
            "restored snapshot "
                + r.snapshotId()
                + " of "
                + r.sourceId()
                + " into pod "
                + r.pod()
                + ": "
                + r.files()
                + " files, "
                + Sizes.human(r.downloadedBytes())
                + " downloaded, "
                + Sizes.human(r.reusedBytes())
                + " reused";
      }
      case FreshStart -> {
        type = EventRecorder.NORMAL;
        reason = "FreshStart";
        note = "no snapshot of " + r.sourceId() + " yet: the pod starts empty";
      }
      default -> {
        type = EventRecorder.WARNING;
        reason = "RestoreFailed";
        note =
            "restoring "
                + r.sourceId()
                + " into pod "
                + r.pod()
                + " failed: "
                + r.message()
                + (policy.getSpec().failurePolicyOrDefault() == RestoreFailurePolicy.Continue
                    ? "; the pod starts with its volume as it was (failurePolicy Continue)"
                    : "; the pod does not start until a retry succeeds (failurePolicy Fail)");
      }
    }
    LOG.info("{}/{}: {}: {}", ns, policy.getMetadata().getName(), reason, note);
    events.record(policy, type, reason, "Restore", note);
    pod.ifPresent(p -> events.record(p, type, reason, "Restore", note));
  }

  @Override
  public List<EventSource<?, RestorePolicy>> prepareEventSources(
      EventSourceContext<RestorePolicy> context) {
    // Informers select by label, not annotation: the webhook labels every pod it mutates with the
    // policy's name.
    var pods =
        InformerEventSourceConfiguration.from(Pod.class, RestorePolicy.class)
            .withName("restore-policy-pods")
            .withLabelSelector(RestorePolicyPods.POLICY)
            .withSecondaryToPrimaryMapper(
                (Pod p) -> {
                  Map<String, String> labels = p.getMetadata().getLabels();
                  String name = labels == null ? null : labels.get(RestorePolicyPods.POLICY);
                  return name == null
                      ? Set.of()
                      : Set.of(new ResourceID(name, p.getMetadata().getNamespace()));
                })
            .build();
    return List.of(new InformerEventSource<>(pods, context));
  }
}
