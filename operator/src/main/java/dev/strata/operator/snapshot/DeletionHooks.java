package dev.strata.operator.snapshot;

import dev.strata.api.v1alpha1.Hook;
import dev.strata.api.v1alpha1.HookResult;
import dev.strata.api.v1alpha1.SnapshotHooks;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.operator.EventRecorder.Event;
import dev.strata.operator.hooks.HookPod;
import dev.strata.operator.hooks.HookRunner;
import dev.strata.operator.hooks.HookStage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * What a StateSnapshot deleted while its hooks or its runner ran still owes before it goes: its
 * post hooks, which undo what its pre hooks did (a thaw after a freeze, removing a checkpoint). A
 * pre hook still running is waited for (no later pre hook starts); then the post hooks run as after
 * any run. Nothing is owed when no pre hook started, or when the post hooks have all ended. Pure.
 */
final class DeletionHooks {

  /**
   * @param done whether the object may go now
   * @param results every hook result, to record in the status
   * @param start a post hook to start now
   */
  record Step(
      boolean done,
      List<HookResult> results,
      List<Event> events,
      Optional<HookStage.Start> start) {}

  private DeletionHooks() {}

  /** Whether post hooks are owed: a pre hook started, and not every post hook has ended. */
  static boolean owes(StateSnapshot s) {
    SnapshotHooks spec = s.getSpec().hooks();
    List<HookResult> results = recorded(s);
    if (spec == null
        || spec.postOrEmpty().isEmpty()
        || results.stream().noneMatch(r -> HookStage.PRE.equals(r.stage()))) {
      return false;
    }
    long postEnded =
        results.stream().filter(r -> HookStage.POST.equals(r.stage()) && r.ended()).count();
    return postEnded < spec.postOrEmpty().size();
  }

  private static List<HookResult> recorded(StateSnapshot s) {
    List<HookResult> r = s.getStatus() == null ? null : s.getStatus().hooks();
    return r == null ? List.of() : r;
  }

  static Step next(
      StateSnapshot s,
      Optional<HookPod> pod,
      Function<HookRunner.Key, HookRunner.Polled> poll,
      Instant now) {
    List<HookResult> results = recorded(s);
    if (!owes(s)) {
      return new Step(true, results, List.of(), Optional.empty());
    }
    SnapshotHooks spec = s.getSpec().hooks();
    long preStarted = results.stream().filter(r -> HookStage.PRE.equals(r.stage())).count();
    HookStage.Context c =
        new HookStage.Context(
            s.getMetadata().getNamespace(),
            s.getMetadata().getName(),
            s.getMetadata().getUid(),
            s.getSpec().source().pvcName(),
            pod,
            poll,
            now);
    // Only the pre hooks that started: the stage settles the one in flight and starts no other.
    List<Hook> started =
        spec.preOrEmpty().subList(0, (int) Math.min(preStarted, spec.preOrEmpty().size()));
    HookStage.Progress pre = HookStage.advance(HookStage.PRE, started, results, c);
    List<Event> events = new ArrayList<>(pre.events());
    if (!pre.done()) {
      return new Step(false, pre.results(), events, Optional.empty());
    }
    HookStage.Progress post =
        HookStage.advance(HookStage.POST, spec.postOrEmpty(), pre.results(), c);
    events.addAll(post.events());
    return new Step(post.done(), post.results(), events, post.start());
  }
}
