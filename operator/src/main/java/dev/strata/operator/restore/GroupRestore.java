package dev.strata.operator.restore;

import dev.strata.api.v1alpha1.ClaimTemplate;
import dev.strata.api.v1alpha1.GroupRestoreStatus;
import dev.strata.api.v1alpha1.RestoreSource;
import dev.strata.api.v1alpha1.RestoreTarget;
import dev.strata.api.v1alpha1.SnapshotGroupStatus;
import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.api.v1alpha1.StateRestore;
import dev.strata.api.v1alpha1.StateRestoreSpec;
import dev.strata.api.v1alpha1.StateRestoreStatus;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.operator.Conditions;
import dev.strata.operator.EventRecorder;
import dev.strata.operator.KStatus;
import dev.strata.operator.Labels;
import dev.strata.operator.schedule.Groups;
import dev.strata.operator.schedule.VolumeSelection;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Decides a group restore (source.group): one StateRestore per member of the group, each restoring
 * its member (source.snapshotName) into the PVC of the member's own name in this namespace, at the
 * path it was taken of; an existing PVC is restored into, a missing one is created (default
 * StorageClass, sized from the snapshot). So a StatefulSet's replica N gets back what replica N
 * had, and the StatefulSet, created afterwards, adopts the claims by name. Only a whole group is
 * restored (every member succeeded; an imported group knows its size from the strata.dev/group-size
 * its members carry in their indexes), and only into the namespace it was taken in: anything else
 * fails and says how to restore members one by one. The group restore ends when every member's
 * restore has. Pure.
 */
public final class GroupRestore {

  /**
   * @param restore the group restore
   * @param members the StateSnapshots of the namespace labelled with the group
   * @param existingClaims which of the members' PVCs exist in the namespace
   * @param children the StateRestores this group restore made (label strata.dev/group-restore)
   */
  public record Observation(
      StateRestore restore,
      List<StateSnapshot> members,
      Set<String> existingClaims,
      List<StateRestore> children,
      Instant now) {}

  public record Decision(
      StateRestoreStatus status,
      List<StateRestore> create,
      List<EventRecorder.Event> events,
      boolean ended) {}

  private GroupRestore() {}

  public static Decision decide(Observation o) {
    StateRestore r = o.restore();
    StateRestoreStatus old = r.getStatus();
    if (old != null
        && (old.phase() == SnapshotPhase.Succeeded || old.phase() == SnapshotPhase.Failed)) {
      return new Decision(old, List.of(), List.of(), true);
    }
    String ns = r.getMetadata().getNamespace();
    String group = r.getSpec().source().group();
    if (o.children().isEmpty()) {
      Optional<Refusal> refused = refuse(o, group, ns);
      if (refused.isPresent()) {
        Refusal no = refused.get();
        return no.waits()
            ? status(
                o,
                SnapshotPhase.Pending,
                no.reason(),
                no.message(),
                List.of(),
                List.of(),
                List.of())
            : status(
                o,
                SnapshotPhase.Failed,
                no.reason(),
                no.message(),
                List.of(),
                List.of(),
                List.of(EventRecorder.Event.warning(no.reason(), no.message())));
      }
    }
    Map<String, StateRestore> childOf = new TreeMap<>();
    o.children().forEach(c -> childOf.put(c.getSpec().source().snapshotName(), c));
    List<StateRestore> create = new ArrayList<>();
    List<GroupRestoreStatus.Member> entries = new ArrayList<>();
    for (StateSnapshot m : sortedMembers(o.members())) {
      String snapshot = m.getMetadata().getName();
      StateRestore child = childOf.get(snapshot);
      if (child == null) {
        child = child(r, m, o.existingClaims().contains(m.getSpec().source().pvcName()));
        create.add(child);
      }
      entries.add(
          new GroupRestoreStatus.Member(
              m.getSpec().source().pvcName(),
              snapshot,
              child.getMetadata().getName(),
              child.getStatus() == null || child.getStatus().phase() == null
                  ? SnapshotPhase.Pending
                  : child.getStatus().phase()));
    }
    long succeeded = entries.stream().filter(e -> e.phase() == SnapshotPhase.Succeeded).count();
    long failed = entries.stream().filter(e -> e.phase() == SnapshotPhase.Failed).count();
    boolean done = succeeded + failed == entries.size();
    List<EventRecorder.Event> events = new ArrayList<>();
    if (!create.isEmpty() && o.children().isEmpty()) {
      events.add(
          EventRecorder.Event.normal(
              "Started",
              "restoring group "
                  + group
                  + ": "
                  + entries.size()
                  + " StateRestores, one per PVC ("
                  + entries.stream()
                      .map(GroupRestoreStatus.Member::pvc)
                      .collect(Collectors.joining(", "))
                  + ")"));
    }
    SnapshotPhase phase =
        !done
            ? SnapshotPhase.Running
            : failed == 0 ? SnapshotPhase.Succeeded : SnapshotPhase.Failed;
    String reason = !done ? "Restoring" : failed == 0 ? "Succeeded" : "MembersFailed";
    String message =
        !done
            ? succeeded
                + " of "
                + entries.size()
                + " PVCs restored"
                + (failed > 0 ? ", " + failed + " failed" : "")
            : failed == 0
                ? "all " + entries.size() + " PVCs of group " + group + " restored"
                : failed
                    + " of "
                    + entries.size()
                    + " PVCs failed to restore: "
                    + entries.stream()
                        .filter(e -> e.phase() == SnapshotPhase.Failed)
                        .map(e -> e.pvc() + " (StateRestore " + e.restore() + ")")
                        .collect(Collectors.joining(", "));
    if (done) {
      events.add(
          failed == 0
              ? EventRecorder.Event.normal(reason, message)
              : EventRecorder.Event.warning(reason, message));
    }
    return status(o, phase, reason, message, entries, create, events);
  }

  /** Why a group cannot be restored: not yet (waits), or never. */
  record Refusal(boolean waits, String reason, String message) {}

  /** Why the group cannot be restored (yet); empty when it can. */
  static Optional<Refusal> refuse(Observation o, String group, String ns) {
    if (o.members().isEmpty()) {
      return Optional.of(
          new Refusal(
              true,
              "GroupNotFound",
              "no StateSnapshot of group "
                  + group
                  + " in namespace "
                  + ns
                  + " (yet): list the groups with"
                  + " kubectl get statesnapshots -L "
                  + Labels.GROUP));
    }
    SnapshotGroupStatus g = Groups.summarize(group, o.members());
    if (Groups.RUNNING.equals(g.phase())) {
      return Optional.of(
          new Refusal(
              true,
              "GroupRunning",
              "waiting for group " + group + ": " + g.running() + " of its snapshots still run"));
    }
    if (!Groups.SUCCEEDED.equals(g.phase())) {
      return Optional.of(
          new Refusal(
              false,
              "GroupIncomplete",
              "group "
                  + group
                  + " is not whole: "
                  + g.succeeded()
                  + " of "
                  + g.size()
                  + " members succeeded; restore the members you want one by one (source.snapshotName)"));
    }
    Map<String, List<String>> byPvc = new LinkedHashMap<>();
    o.members()
        .forEach(
            m ->
                byPvc
                    .computeIfAbsent(m.getSpec().source().pvcName(), k -> new ArrayList<>())
                    .add(m.getMetadata().getName()));
    Optional<Map.Entry<String, List<String>>> twice =
        byPvc.entrySet().stream().filter(e -> e.getValue().size() > 1).findFirst();
    if (twice.isPresent()) {
      return Optional.of(
          new Refusal(
              false,
              "GroupAmbiguous",
              "group "
                  + group
                  + " has several snapshots of PVC "
                  + twice.get().getKey()
                  + " ("
                  + String.join(", ", twice.get().getValue())
                  + "): restore the members one by one (source.snapshotName)"));
    }
    for (StateSnapshot m : o.members()) {
      Map<String, String> labels = m.getMetadata().getLabels();
      String takenIn = labels == null ? null : labels.get(Labels.SOURCE_NAMESPACE);
      if (takenIn != null && !takenIn.equals(ns)) {
        return Optional.of(
            new Refusal(
                false,
                "TargetMismatch",
                "group "
                    + group
                    + " was taken in namespace "
                    + takenIn
                    + ": restore it"
                    + " from a namespace of that name, or restore its members one by one with target.insteadOf"));
      }
    }
    return Optional.empty();
  }

  static List<StateSnapshot> sortedMembers(List<StateSnapshot> members) {
    return members.stream()
        .sorted(
            Comparator.comparing(m -> m.getSpec().source().pvcName(), VolumeSelection.byOrdinal()))
        .toList();
  }

  /**
   * One member's StateRestore: the group restore's settings, this member, into the PVC of its name.
   */
  static StateRestore child(StateRestore parent, StateSnapshot member, boolean claimExists) {
    String pvc = member.getSpec().source().pvcName();
    String path = member.getSpec().source().path();
    StateRestoreSpec p = parent.getSpec();
    RestoreTarget target =
        claimExists
            ? new RestoreTarget(pvc, null, path)
            : new RestoreTarget(null, new ClaimTemplate(pvc, null, null, null), path);
    StateRestore c = new StateRestore();
    c.setMetadata(
        new ObjectMetaBuilder()
            .withName(Groups.memberName(parent.getMetadata().getName(), pvc))
            .withNamespace(parent.getMetadata().getNamespace())
            .withLabels(labels(parent.getMetadata().getName(), p.source().group()))
            // Deleted with the group restore; the restored data stays in its PVCs.
            .withOwnerReferences(
                new OwnerReferenceBuilder()
                    .withApiVersion(parent.getApiVersion())
                    .withKind(parent.getKind())
                    .withName(parent.getMetadata().getName())
                    .withUid(parent.getMetadata().getUid())
                    .withController(true)
                    .withBlockOwnerDeletion(false)
                    .build())
            .build());
    c.setSpec(
        new StateRestoreSpec(
            new RestoreSource(member.getMetadata().getName(), null, null, null),
            p.storeRef(),
            target,
            p.mode(),
            p.verify(),
            p.parallelism(),
            p.allowTargetInUse(),
            p.activeDeadlineSeconds(),
            p.runner()));
    return c;
  }

  private static Map<String, String> labels(String groupRestore, String group) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(Labels.GROUP_RESTORE, groupRestore);
    labels.put(Labels.GROUP, group);
    return labels;
  }

  private static Decision status(
      Observation o,
      SnapshotPhase phase,
      String reason,
      String message,
      List<GroupRestoreStatus.Member> members,
      List<StateRestore> create,
      List<EventRecorder.Event> events) {
    StateRestore r = o.restore();
    StateRestoreStatus old = r.getStatus();
    Long generation = r.getMetadata().getGeneration();
    boolean ended = phase == SnapshotPhase.Succeeded || phase == SnapshotPhase.Failed;
    String start =
        old != null && old.startTime() != null
            ? old.startTime()
            : members.isEmpty() ? null : o.now().toString();
    int succeeded =
        (int) members.stream().filter(e -> e.phase() == SnapshotPhase.Succeeded).count();
    int failed = (int) members.stream().filter(e -> e.phase() == SnapshotPhase.Failed).count();
    var existing = old == null ? null : old.conditions();
    // kstatus: a group restore that failed is Stalled (never retried); one that waits or runs is
    // Reconciling.
    var conditions =
        phase == SnapshotPhase.Failed
            ? KStatus.ended(existing, reason, message, generation, o.now())
            : KStatus.ready(
                existing,
                phase == SnapshotPhase.Succeeded ? Conditions.TRUE : Conditions.FALSE,
                reason,
                message,
                generation,
                o.now());
    StateRestoreStatus next =
        new StateRestoreStatus(
            phase,
            null,
            null,
            null,
            start,
            ended ? o.now().toString() : null,
            null,
            null,
            null,
            null,
            null,
            conditions,
            generation,
            message,
            null,
            new GroupRestoreStatus(
                r.getSpec().source().group(),
                members.isEmpty() ? null : members,
                succeeded,
                failed));
    if (old != null
        && Objects.equals(old.group(), next.group())
        && old.phase() == phase
        && Objects.equals(old.message(), message)) {
      next = old;
    }
    return new Decision(next, create, events, ended);
  }
}
