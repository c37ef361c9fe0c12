package dev.strata.operator.schedule;

import dev.strata.api.v1alpha1.ConcurrencyPolicy;
import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.api.v1alpha1.SnapshotSchedule;
import dev.strata.api.v1alpha1.SnapshotScheduleSpec;
import dev.strata.api.v1alpha1.SnapshotScheduleStatus;
import dev.strata.api.v1alpha1.SnapshotsOnDelete;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.operator.Conditions;
import dev.strata.operator.EventRecorder;
import dev.strata.operator.KStatus;
import dev.strata.operator.Labels;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Decides what a SnapshotSchedule does now. Pure: given the schedule, its StateSnapshots and the
 * time, it returns the status and at most one StateSnapshot to create. Runs missed while the
 * operator was down (or the schedule suspended) collapse into one catch-up run, and not even that
 * when it is later than startingDeadlineSeconds. Snapshot names derive from the schedule and the
 * scheduled time, so a retry or a restarted operator cannot create a duplicate.
 */
public final class ScheduleDecider {

  static final DateTimeFormatter NAME_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmm").withZone(ZoneOffset.UTC);

  static final String VOLUMES_NOT_FOUND = "VolumesNotFound";

  private final Duration poll;

  public ScheduleDecider(Duration poll) {
    this.poll = poll;
  }

  public static String snapshotName(String schedule, Instant scheduledTime) {
    return schedule + "-" + NAME_TIME.format(scheduledTime);
  }

  /** A single-PVC schedule, or a grouped one whose selection is already made. */
  public ScheduleDecision decide(SnapshotSchedule schedule, List<StateSnapshot> mine, Instant now) {
    return decide(
        schedule,
        mine,
        VolumeSelection.select(schedule.getSpec(), Optional.empty(), List.of()),
        now);
  }

  /**
   * @param selection the PVCs a grouped schedule's run would snapshot now (for a single-PVC
   *     schedule: the template's)
   */
  public ScheduleDecision decide(
      SnapshotSchedule schedule,
      List<StateSnapshot> mine,
      VolumeSelection.Selected selection,
      Instant now) {
    return decide(schedule, mine, () -> selection, now);
  }

  /**
   * @param selection reads the PVCs a grouped schedule's run would snapshot now (for a grouped
   *     schedule, from the API server). Asked only when a run is due, when the spec is new (not yet
   *     observed), and while the last look found the selection impossible (so that the condition
   *     clears once it is fixed): not at every look at the clock.
   */
  public ScheduleDecision decide(
      SnapshotSchedule schedule,
      List<StateSnapshot> mine,
      Supplier<VolumeSelection.Selected> selection,
      Instant now) {
    SnapshotScheduleSpec spec = schedule.getSpec();
    SnapshotScheduleStatus old = schedule.getStatus();
    Long generation = schedule.getMetadata().getGeneration();
    List<Condition> oldConditions = old == null ? null : old.conditions();
    List<String> active =
        mine.stream()
            .filter(ScheduleDecider::running)
            .map(s -> s.getMetadata().getName())
            .sorted()
            .toList();
    Optional<StateSnapshot> lastOk =
        mine.stream()
            .filter(s -> s.getStatus() != null && s.getStatus().phase() == SnapshotPhase.Succeeded)
            .max(Comparator.comparing(ScheduleDecider::scheduledTime));
    String lastOkName =
        lastOk
            .map(s -> s.getMetadata().getName())
            .orElse(old == null ? null : old.lastSuccessfulSnapshot());
    String lastOkTime =
        lastOk
            .map(s -> s.getStatus().completionTime())
            .orElse(old == null ? null : old.lastSuccessfulTime());
    GroupedStatus groups = new GroupedStatus(spec.grouped(), mine, old);

    CronSchedule cron;
    try {
      cron = CronSchedule.parse(spec.schedule(), spec.timeZoneOrDefault());
    } catch (IllegalArgumentException e) {
      String message = e.getMessage() + " (spec.schedule / spec.timeZone)";
      SnapshotScheduleStatus st =
          groups.status(
              old == null ? null : old.lastScheduleTime(),
              null,
              lastOkName,
              lastOkTime,
              active,
              KStatus.ready(
                  oldConditions, Conditions.FALSE, "InvalidSchedule", message, generation, now),
              generation,
              List.of());
      boolean announce =
          !"InvalidSchedule"
              .equals(
                  Conditions.find(oldConditions, Conditions.READY)
                      .map(Condition::getReason)
                      .orElse(null));
      return new ScheduleDecision(
          st,
          List.of(),
          List.of(),
          announce ? List.of(EventRecorder.Event.warning("InvalidSchedule", message)) : List.of(),
          Optional.empty());
    }

    ZonedDateTime nowZ = now.atZone(cron.zone());
    String lastScheduleTime = old == null ? null : old.lastScheduleTime();
    Instant created =
        schedule.getMetadata().getCreationTimestamp() == null
            ? now
            : Instant.parse(schedule.getMetadata().getCreationTimestamp());
    // The API server stamps the creation time with its clock. An operator whose clock is behind it
    // (skew, or a clock
    // set back) must not count due times before the schedule existed, so it waits for the first one
    // after creation.
    boolean waitingForCreation = lastScheduleTime == null && now.isBefore(created);
    ZonedDateTime nextAfter =
        waitingForCreation ? created.minusSeconds(1).atZone(cron.zone()) : nowZ;
    Instant next = cron.next(nextAfter).map(ZonedDateTime::toInstant).orElse(null);
    Duration requeue = next == null ? poll : min(Duration.between(now, next), poll);
    if (spec.suspended()) {
      SnapshotScheduleStatus st =
          groups.status(
              lastScheduleTime,
              null,
              lastOkName,
              lastOkTime,
              active,
              KStatus.ready(
                  oldConditions,
                  Conditions.TRUE,
                  "Suspended",
                  "the schedule is suspended",
                  generation,
                  now),
              generation,
              List.of());
      return new ScheduleDecision(st, List.of(), List.of(), List.of(), Optional.of(poll));
    }

    Instant from =
        lastScheduleTime == null ? created.minusSeconds(1) : Instant.parse(lastScheduleTime);
    Optional<Instant> due =
        cron.latestBetween(from.atZone(cron.zone()), nowZ).map(ZonedDateTime::toInstant);

    List<EventRecorder.Event> events = new ArrayList<>();
    List<StateSnapshot> create = List.of();
    List<String> delete = List.of();
    String readyStatus = Conditions.TRUE;
    String reason = "Scheduled";
    String message = next == null ? "no further runs" : "next run at " + next;
    if (waitingForCreation) {
      reason = "WaitingForFirstRun";
      message =
          "the operator's clock ("
              + now
              + ") is behind the schedule's creation time ("
              + created
              + "); the first run is the first due time after creation"
              + (next == null ? ", and there is none" : ": " + next);
    }
    boolean read =
        due.isPresent()
            || old == null
            || !Objects.equals(old.observedGeneration(), generation)
            || VOLUMES_NOT_FOUND.equals(
                Conditions.find(oldConditions, Conditions.READY)
                    .map(Condition::getReason)
                    .orElse(null));
    VolumeSelection.Selected selected = read ? selection.get() : null;
    if (selected != null && selected.problem() != null) {
      readyStatus = Conditions.FALSE;
      reason = VOLUMES_NOT_FOUND;
      message = selected.problem();
    }
    if (due.isPresent()) {
      Instant d = due.get();
      List<StateSnapshot> run =
          selected.pvcs().isEmpty() ? List.of() : run(schedule, d, selected.pvcs());
      Set<String> runNames =
          run.stream().map(s -> s.getMetadata().getName()).collect(Collectors.toSet());
      Set<String> existing =
          mine.stream().map(s -> s.getMetadata().getName()).collect(Collectors.toSet());
      // A run some of whose snapshots exist was started before (by this operator before a restart):
      // it is finished,
      // whatever else runs.
      boolean started = runNames.stream().anyMatch(existing::contains);
      List<String> others = active.stream().filter(n -> !runNames.contains(n)).toList();
      Long deadline = spec.startingDeadlineSeconds();
      if (deadline != null && Duration.between(d, now).getSeconds() > deadline) {
        events.add(
            EventRecorder.Event.warning(
                "MissedSchedule",
                "the run due at "
                    + d
                    + " is more than startingDeadlineSeconds="
                    + deadline
                    + " late: skipped"));
      } else if (run.isEmpty()) {
        events.add(
            EventRecorder.Event.warning(
                "NoVolumes",
                "the run due at "
                    + d
                    + " was skipped: "
                    + (selected.problem() != null
                        ? selected.problem()
                        : "no PVC is selected" + missing(selected))));
      } else if (!started
          && !others.isEmpty()
          && spec.concurrencyPolicyOrDefault() == ConcurrencyPolicy.Forbid) {
        events.add(
            EventRecorder.Event.normal(
                "SkippedConcurrent",
                "the run due at "
                    + d
                    + " was skipped: "
                    + String.join(", ", others)
                    + " is still running (concurrencyPolicy Forbid)"));
      } else {
        create = run.stream().filter(s -> !existing.contains(s.getMetadata().getName())).toList();
        if (!started && spec.concurrencyPolicyOrDefault() == ConcurrencyPolicy.Replace) {
          delete = others;
        }
        if (!create.isEmpty()) {
          events.add(
              EventRecorder.Event.normal(
                  "SnapshotCreated",
                  !spec.grouped()
                      ? "created StateSnapshot "
                          + create.get(0).getMetadata().getName()
                          + " for "
                          + d
                      : "created group "
                          + Groups.groupId(schedule.getMetadata().getName(), d)
                          + " of "
                          + run.size()
                          + " StateSnapshots ("
                          + String.join(", ", selected.pvcs())
                          + ") for "
                          + d
                          + missing(selected)));
        }
      }
      lastScheduleTime = d.toString();
    }
    List<String> activeAfter = new ArrayList<>(active);
    activeAfter.removeAll(delete);
    create.forEach(s -> activeAfter.add(s.getMetadata().getName()));
    SnapshotScheduleStatus st =
        groups.status(
            lastScheduleTime,
            next == null ? null : next.toString(),
            lastOkName,
            lastOkTime,
            activeAfter.stream().sorted().toList(),
            KStatus.ready(oldConditions, readyStatus, reason, message, generation, now),
            generation,
            create);
    return new ScheduleDecision(st, create, delete, events, Optional.of(requeue));
  }

  private static String missing(VolumeSelection.Selected selection) {
    return selection.missing().isEmpty()
        ? ""
        : "; not created yet, so not taken: " + String.join(", ", selection.missing());
  }

  /**
   * One run's StateSnapshots: the template's one, or one per selected PVC of a grouped schedule.
   */
  static List<StateSnapshot> run(SnapshotSchedule schedule, Instant scheduled, List<String> pvcs) {
    String name = schedule.getMetadata().getName();
    if (!schedule.getSpec().grouped()) {
      return List.of(snapshot(schedule, snapshotName(name, scheduled), scheduled));
    }
    String group = Groups.groupId(name, scheduled);
    List<StateSnapshot> out = new ArrayList<>();
    for (String pvc : pvcs) {
      StateSnapshot s = snapshot(schedule, Groups.memberName(group, pvc), scheduled);
      s.getMetadata().getLabels().put(Labels.GROUP, group);
      s.getMetadata().getLabels().put(Labels.GROUP_SIZE, Integer.toString(pvcs.size()));
      s.setSpec(schedule.getSpec().snapshotTemplate().withPvc(pvc));
      out.add(s);
    }
    return out;
  }

  static StateSnapshot snapshot(SnapshotSchedule schedule, String name, Instant scheduled) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(Labels.SCHEDULE, schedule.getMetadata().getName());
    if (schedule.getSpec().retentionPolicyRef() != null) {
      labels.put(Labels.RETENTION_POLICY, schedule.getSpec().retentionPolicyRef().name());
    }
    ObjectMetaBuilder meta =
        new ObjectMetaBuilder()
            .withName(name)
            .withNamespace(schedule.getMetadata().getNamespace())
            .withLabels(labels)
            .withAnnotations(Map.of(Labels.SCHEDULED_TIME, scheduled.toString()));
    if (schedule.getSpec().snapshotsOnDeleteOrDefault() == SnapshotsOnDelete.Delete) {
      // Garbage collection of the API server deletes them with the schedule.
      meta.withOwnerReferences(
          new OwnerReferenceBuilder()
              .withApiVersion(schedule.getApiVersion())
              .withKind(schedule.getKind())
              .withName(schedule.getMetadata().getName())
              .withUid(schedule.getMetadata().getUid())
              .withBlockOwnerDeletion(false)
              .withController(true)
              .build());
    }
    StateSnapshot s = new StateSnapshot();
    s.setMetadata(meta.build());
    s.setSpec(schedule.getSpec().snapshotTemplate());
    return s;
  }

  /** The status, with a grouped schedule's newest group and newest whole group. */
  private record GroupedStatus(
      boolean grouped, List<StateSnapshot> mine, SnapshotScheduleStatus old) {

    SnapshotScheduleStatus status(
        String lastScheduleTime,
        String next,
        String lastOkName,
        String lastOkTime,
        List<String> active,
        List<Condition> conditions,
        Long generation,
        List<StateSnapshot> created) {
      if (!grouped) {
        return new SnapshotScheduleStatus(
            lastScheduleTime, next, lastOkName, lastOkTime, active, conditions, generation);
      }
      List<StateSnapshot> all = new ArrayList<>(mine);
      all.addAll(created);
      var last = Groups.newest(all).orElse(old == null ? null : old.lastGroup());
      String whole =
          Groups.newestWhole(mine)
              .map(g -> g.name())
              .orElse(old == null ? null : old.lastSuccessfulGroup());
      return new SnapshotScheduleStatus(
          lastScheduleTime,
          next,
          lastOkName,
          lastOkTime,
          active,
          conditions,
          generation,
          last,
          whole);
    }
  }

  static boolean running(StateSnapshot s) {
    SnapshotPhase p = s.getStatus() == null ? null : s.getStatus().phase();
    return p != SnapshotPhase.Succeeded
        && p != SnapshotPhase.Failed
        && s.getMetadata().getDeletionTimestamp() == null;
  }

  /**
   * The time retention, "latest" and "last successful" count by: the scheduled time, else when the
   * snapshot was taken (an imported one's, whose object is younger than it), else when the object
   * was created.
   */
  public static Instant scheduledTime(StateSnapshot s) {
    Map<String, String> a = s.getMetadata().getAnnotations();
    String t = a == null ? null : a.get(Labels.SCHEDULED_TIME);
    if (t == null && a != null) {
      t = a.get(Labels.TAKEN_AT);
    }
    if (t != null) {
      return Instant.parse(t);
    }
    return s.getMetadata().getCreationTimestamp() == null
        ? Instant.EPOCH
        : Instant.parse(s.getMetadata().getCreationTimestamp());
  }

  private static Duration min(Duration a, Duration b) {
    Duration x = a.compareTo(b) <= 0 ? a : b;
    return x.isNegative() || x.isZero() ? Duration.ofSeconds(1) : x;
  }
}
