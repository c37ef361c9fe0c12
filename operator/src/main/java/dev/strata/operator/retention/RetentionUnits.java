package dev.strata.operator.retention;

import dev.strata.api.v1alpha1.SnapshotGroupStatus;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.operator.Labels;
import dev.strata.operator.retention.RetentionEvaluator.Candidate;
import dev.strata.operator.retention.RetentionEvaluator.Outcome;
import dev.strata.operator.schedule.Groups;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a retention policy counts: the snapshots of one source, one by one; and for a grouped
 * schedule (statefulSet, pvcSelector) its groups, each one restore point whose members are kept or
 * expired together. A group counts as succeeded only when whole (every member succeeded); one with
 * a failed or missing member counts as failed, so keepLast and its kin never count it, and
 * keepFailed (default 1) keeps the newest such group, with its members that did succeed. A group
 * with a member still running, or one being deleted, is not touched. Pure.
 */
public final class RetentionUnits {

  /**
   * @param key the source ({@code namespace/pvc/path}), or {@code groups of <schedule>}
   * @param members each candidate's StateSnapshots (one, or a group's)
   */
  public record Unit(
      String key, List<Candidate> candidates, Map<String, List<StateSnapshot>> members) {}

  private RetentionUnits() {}

  public static List<Unit> split(List<StateSnapshot> snapshots, String namespace) {
    Map<String, Map<String, List<StateSnapshot>>> byKey = new TreeMap<>();
    for (StateSnapshot s : snapshots) {
      var group = Groups.groupOf(s);
      String key;
      String name;
      if (group.isPresent()) {
        Map<String, String> labels = s.getMetadata().getLabels();
        key = "groups of " + labels.getOrDefault(Labels.SCHEDULE, group.get());
        name = group.get();
      } else {
        // By volume and path, whatever the id they were taken under (this cluster's, or from before
        // clusters were named).
        key = s.getSpec().source().legacySourceId(namespace);
        name = s.getMetadata().getName();
      }
      byKey
          .computeIfAbsent(key, k -> new TreeMap<>())
          .computeIfAbsent(name, k -> new ArrayList<>())
          .add(s);
    }
    List<Unit> units = new ArrayList<>();
    byKey.forEach(
        (key, byName) -> {
          List<Candidate> candidates = new ArrayList<>();
          byName.forEach(
              (name, members) ->
                  candidates.add(
                      key.startsWith("groups of ")
                          ? group(name, members)
                          : single(members.get(0))));
          units.add(new Unit(key, candidates, byName));
        });
    return units;
  }

  static Candidate single(StateSnapshot s) {
    return RetentionPolicyReconciler.candidate(s);
  }

  static Candidate group(String name, List<StateSnapshot> members) {
    SnapshotGroupStatus g = Groups.summarize(name, members);
    boolean deleting =
        members.stream().anyMatch(s -> s.getMetadata().getDeletionTimestamp() != null);
    Outcome o =
        deleting || Groups.RUNNING.equals(g.phase())
            ? Outcome.IN_PROGRESS
            : Groups.SUCCEEDED.equals(g.phase()) ? Outcome.SUCCEEDED : Outcome.FAILED;
    return new Candidate(
        name, g.scheduledTime() == null ? Instant.EPOCH : Instant.parse(g.scheduledTime()), o);
  }
}
