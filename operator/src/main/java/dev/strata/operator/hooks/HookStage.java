package dev.strata.operator.hooks;

import dev.strata.api.v1alpha1.Hook;
import dev.strata.api.v1alpha1.HookErrorPolicy;
import dev.strata.api.v1alpha1.HookResult;
import dev.strata.operator.EventRecorder.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Moves one stage of a run's hooks (pre or post) a step on, from what the status recorded and what
 * the hooks in flight say. Hooks run one at a time, in order; each is recorded Running when it
 * starts and with its result when it ends (an Event each). A pre hook that fails with onError Fail
 * ends the stage (the later pre hooks do not run); post hooks all run, whatever fails, since they
 * undo what the pre hooks did. A hook this process does not know although the status says it runs
 * was cut off by an operator restart: it failed, and its result is unknown. Pure.
 */
public final class HookStage {

  public static final String PRE = "pre";
  public static final String POST = "post";

  /** A hook to start now. */
  public record Start(
      HookRunner.Key key, String pod, String container, List<String> command, Duration timeout) {}

  /**
   * @param results every hook result of the run, both stages, in order (pre first)
   * @param done whether every hook of the stage has ended
   * @param failure the first hook of the stage that did not succeed although its onError is Fail
   * @param running the hook running now, if one is
   */
  public record Progress(
      List<HookResult> results,
      Optional<Start> start,
      List<Event> events,
      boolean done,
      Optional<HookResult> failure,
      Optional<HookResult> running) {}

  /** Where a stage's hooks run and how to ask about those in flight. */
  public record Context(
      String namespace,
      String name,
      String uid,
      String pvc,
      Optional<HookPod> pod,
      Function<HookRunner.Key, HookRunner.Polled> poll,
      Instant now) {}

  private HookStage() {}

  public static Progress advance(
      String stage, List<Hook> hooks, List<HookResult> recorded, Context c) {
    List<HookResult> others = new ArrayList<>();
    List<HookResult> mine = new ArrayList<>();
    for (HookResult r : recorded == null ? List.<HookResult>of() : recorded) {
      (stage.equals(r.stage()) ? mine : others).add(r);
    }
    List<Event> events = new ArrayList<>();
    Optional<HookResult> failure = Optional.empty();
    for (int i = 0; i < hooks.size(); i++) {
      Hook h = hooks.get(i);
      HookRunner.Key key = new HookRunner.Key(c.namespace(), c.name(), c.uid(), stage, i);
      HookResult r;
      if (i < mine.size()) {
        r = mine.get(i);
        if (!r.ended()) {
          HookRunner.Polled p = c.poll().apply(key);
          if (p.isRunning()) {
            return new Progress(
                join(stage, others, mine),
                Optional.empty(),
                events,
                false,
                failure,
                Optional.of(r));
          }
          HookResult current = r;
          r =
              p.outcome()
                  .map(o -> ended(current, h, o, c.now()))
                  .orElseGet(
                      () ->
                          end(
                              current,
                              h,
                              HookResult.FAILED,
                              null,
                              null,
                              "the operator restarted while it ran: its result is unknown",
                              c.now()));
          mine.set(i, r);
          events.add(event(r, h));
        }
      } else {
        Optional<String> refusal =
            c.pod().isEmpty()
                ? Optional.of(
                    "no running pod uses PersistentVolumeClaim "
                        + c.pvc()
                        + ": hooks run in the pod that uses the volume")
                : containerOf(h, c.pod().get()).isEmpty()
                    ? Optional.of(
                        "pod "
                            + c.pod().get().name()
                            + " has no container "
                            + h.container()
                            + " (it has "
                            + String.join(", ", c.pod().get().containers())
                            + ")")
                    : Optional.empty();
        if (refusal.isPresent()) {
          HookResult started =
              new HookResult(
                  stage,
                  nameOf(h, stage, i),
                  c.pod().map(HookPod::name).orElse(null),
                  h.container(),
                  HookResult.RUNNING,
                  null,
                  c.now().toString(),
                  null,
                  null,
                  null);
          r = end(started, h, HookResult.FAILED, null, null, refusal.get(), c.now());
          mine.add(r);
          events.add(event(r, h));
        } else {
          HookPod pod = c.pod().get();
          String container = containerOf(h, pod).orElseThrow();
          r =
              new HookResult(
                  stage,
                  nameOf(h, stage, i),
                  pod.name(),
                  container,
                  HookResult.RUNNING,
                  null,
                  c.now().toString(),
                  null,
                  null,
                  null);
          mine.add(r);
          Start start =
              new Start(
                  key,
                  pod.name(),
                  container,
                  h.command(),
                  Duration.ofSeconds(h.timeoutSecondsOrDefault()));
          return new Progress(
              join(stage, others, mine),
              Optional.of(start),
              events,
              false,
              failure,
              Optional.of(r));
        }
      }
      if (!r.succeeded() && h.onErrorOrDefault() == HookErrorPolicy.Fail && failure.isEmpty()) {
        failure = Optional.of(r);
        if (PRE.equals(stage)) {
          break;
        }
      }
    }
    return new Progress(
        join(stage, others, mine), Optional.empty(), events, true, failure, Optional.empty());
  }

  /** The recorded results, settled, and an Event for each end found. */
  public record Settled(List<HookResult> results, List<Event> events) {}

  /**
   * The recorded results with every hook recorded Running that this process knows has ended
   * replaced by its end, with its Event. Done first in every step, whatever the stage: a reconcile
   * may read a status older than the one it wrote last (the cache has not seen that write yet), and
   * without this a later step (the Job's progress, the post hooks) would write the older results
   * back, so a hook that ended would stay Running in the status for good. Such a stale read repeats
   * the hook's Event; a status never loses a result.
   */
  public static Settled settle(
      List<Hook> pre, List<Hook> post, List<HookResult> recorded, Context c) {
    if (recorded == null || recorded.isEmpty()) {
      return new Settled(List.of(), List.of());
    }
    List<Event> events = new ArrayList<>();
    List<HookResult> settled = new ArrayList<>(recorded.size());
    int preIndex = 0;
    int postIndex = 0;
    for (HookResult r : recorded) {
      boolean isPre = PRE.equals(r.stage());
      int i = isPre ? preIndex++ : postIndex++;
      List<Hook> hooks = isPre ? pre : post;
      if (r.ended() || i >= hooks.size()) {
        settled.add(r);
        continue;
      }
      Hook h = hooks.get(i);
      HookRunner.Polled p =
          c.poll().apply(new HookRunner.Key(c.namespace(), c.name(), c.uid(), r.stage(), i));
      if (p.outcome().isPresent()) {
        HookResult end = ended(r, h, p.outcome().get(), c.now());
        settled.add(end);
        events.add(event(end, h));
      } else {
        settled.add(r);
      }
    }
    return new Settled(List.copyOf(settled), List.copyOf(events));
  }

  /** The name a hook goes by: its own, or pre-1, post-2... */
  public static String nameOf(Hook h, String stage, int index) {
    return h.name() != null ? h.name() : stage + "-" + (index + 1);
  }

  static Optional<String> containerOf(Hook h, HookPod pod) {
    if (h.container() == null) {
      return pod.containers().stream().findFirst();
    }
    return pod.containers().contains(h.container()) ? Optional.of(h.container()) : Optional.empty();
  }

  static HookResult ended(HookResult running, Hook h, PodExec.Outcome o, Instant now) {
    return switch (o.kind()) {
      case EXITED ->
          o.exitCode() == 0
              ? end(running, h, HookResult.SUCCEEDED, 0, o.output(), null, now)
              : end(
                  running,
                  h,
                  HookResult.FAILED,
                  o.exitCode(),
                  o.output(),
                  "exited with " + o.exitCode(),
                  now);
      case TIMED_OUT ->
          end(
              running,
              h,
              HookResult.TIMED_OUT,
              null,
              o.output(),
              "did not exit within "
                  + h.timeoutSecondsOrDefault()
                  + " s (timeoutSeconds); it may still run in the container",
              now);
      case NOT_RUN -> end(running, h, HookResult.FAILED, null, o.output(), o.error(), now);
    };
  }

  private static HookResult end(
      HookResult r, Hook h, String result, Integer exit, String output, String why, Instant now) {
    String message = null;
    if (!HookResult.SUCCEEDED.equals(result)) {
      message =
          why
              + (h.onErrorOrDefault() == HookErrorPolicy.Fail
                  ? " (onError Fail: the snapshot fails)"
                  : " (onError Continue: the snapshot goes on)");
    }
    String out = output == null || output.isEmpty() ? null : output;
    return new HookResult(
        r.stage(),
        r.name(),
        r.pod(),
        r.container(),
        result,
        exit,
        r.startTime(),
        now.toString(),
        out,
        message);
  }

  static Event event(HookResult r, Hook h) {
    String where =
        r.pod() == null ? "" : " in pod " + r.pod() + " (container " + r.container() + ")";
    String tail = r.output() == null ? "" : ": " + last(r.output(), 300);
    if (r.succeeded()) {
      return Event.normal(
          "HookSucceeded", r.stage() + " hook " + r.name() + " succeeded" + where + tail);
    }
    return Event.warning(
        "HookFailed",
        r.stage()
            + " hook "
            + r.name()
            + " "
            + (HookResult.TIMED_OUT.equals(r.result()) ? "timed out" : "failed")
            + where
            + ": "
            + r.message()
            + tail);
  }

  /** One line that says how a hook failed, for a snapshot's message. */
  public static String describe(HookResult r) {
    String where =
        r.pod() == null ? "" : " in pod " + r.pod() + " (container " + r.container() + ")";
    String tail = r.output() == null ? "" : "; its output ends: " + last(r.output(), 200);
    return r.stage() + " hook " + r.name() + where + ": " + r.message() + tail;
  }

  static String last(String s, int n) {
    String one = s.replace('\n', ' ').strip();
    return one.length() <= n ? one : "..." + one.substring(one.length() - n);
  }

  private static List<HookResult> join(
      String stage, List<HookResult> others, List<HookResult> mine) {
    List<HookResult> all = new ArrayList<>();
    if (PRE.equals(stage)) {
      all.addAll(mine);
      all.addAll(others);
    } else {
      all.addAll(others);
      all.addAll(mine);
    }
    return List.copyOf(all);
  }
}
