package dev.strata.operator.schedule;

import dev.strata.api.v1alpha1.SnapshotScheduleSpec;
import dev.strata.api.v1alpha1.StatefulSetVolumes;
import dev.strata.operator.LabelSelectors;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which PVCs a grouped schedule's run snapshots. By StatefulSet: the claims its volumeClaimTemplate
 * makes for ordinals 0 to replicas-1 ({@code <template>-<statefulset>-<ordinal>}) that exist, in
 * ordinal order; those of replicas scaled away are not taken, and one not created yet is named as
 * missing. By selector: the PVCs of the namespace whose own labels match, by name; being deleted, a
 * PVC is left out. Pure.
 */
public final class VolumeSelection {

  /**
   * @param pvcs the PVCs to snapshot, in order
   * @param missing expected claims that do not exist (a StatefulSet's replicas whose claim is not
   *     made yet)
   * @param problem what makes the selection impossible, in words that say what to fix; null when it
   *     is possible
   */
  public record Selected(List<String> pvcs, List<String> missing, String problem) {

    static Selected impossible(String problem) {
      return new Selected(List.of(), List.of(), problem);
    }
  }

  private VolumeSelection() {}

  /**
   * @param statefulSet the StatefulSet spec.statefulSet names, when it exists
   * @param claims the PVCs of the schedule's namespace
   */
  public static Selected select(
      SnapshotScheduleSpec spec,
      Optional<StatefulSet> statefulSet,
      List<PersistentVolumeClaim> claims) {
    Set<String> live =
        claims.stream()
            .filter(c -> c.getMetadata().getDeletionTimestamp() == null)
            .map(c -> c.getMetadata().getName())
            .collect(Collectors.toSet());
    if (spec.statefulSet() != null) {
      return ofStatefulSet(spec.statefulSet(), statefulSet, live);
    }
    if (spec.pvcSelector() != null) {
      Optional<String> problem = LabelSelectors.problem(spec.pvcSelector(), "spec.pvcSelector");
      if (problem.isPresent()) {
        return Selected.impossible(problem.get());
      }
      List<String> pvcs =
          claims.stream()
              .filter(c -> c.getMetadata().getDeletionTimestamp() == null)
              .filter(c -> LabelSelectors.matches(spec.pvcSelector(), c.getMetadata().getLabels()))
              .map(c -> c.getMetadata().getName())
              .sorted(byOrdinal())
              .toList();
      return new Selected(pvcs, List.of(), null);
    }
    String pvc =
        spec.snapshotTemplate() == null || spec.snapshotTemplate().source() == null
            ? null
            : spec.snapshotTemplate().source().pvcName();
    return pvc == null
        ? Selected.impossible(
            "nothing to snapshot: set spec.snapshotTemplate.source.pvcName, spec.statefulSet or spec.pvcSelector")
        : new Selected(List.of(pvc), List.of(), null);
  }

  static Selected ofStatefulSet(
      StatefulSetVolumes wanted, Optional<StatefulSet> found, Set<String> live) {
    if (found.isEmpty()) {
      return Selected.impossible(
          "StatefulSet "
              + wanted.name()
              + " does not exist in this namespace (spec.statefulSet.name)");
    }
    StatefulSet sts = found.get();
    List<String> templates =
        sts.getSpec() == null || sts.getSpec().getVolumeClaimTemplates() == null
            ? List.of()
            : sts.getSpec().getVolumeClaimTemplates().stream()
                .map(t -> t.getMetadata().getName())
                .toList();
    String template;
    if (wanted.volumeClaimTemplate() != null) {
      if (!templates.contains(wanted.volumeClaimTemplate())) {
        return Selected.impossible(
            "StatefulSet "
                + wanted.name()
                + " has no volumeClaimTemplate "
                + wanted.volumeClaimTemplate()
                + (templates.isEmpty() ? "" : ": it has " + String.join(", ", templates))
                + " (spec.statefulSet.volumeClaimTemplate)");
      }
      template = wanted.volumeClaimTemplate();
    } else if (templates.size() == 1) {
      template = templates.get(0);
    } else if (templates.isEmpty()) {
      return Selected.impossible(
          "StatefulSet "
              + wanted.name()
              + " has no volumeClaimTemplates: its volumes are not its own PVCs;"
              + " select them with spec.pvcSelector");
    } else {
      return Selected.impossible(
          "StatefulSet "
              + wanted.name()
              + " has several volumeClaimTemplates ("
              + String.join(", ", templates)
              + "): name one in spec.statefulSet.volumeClaimTemplate");
    }
    int replicas = sts.getSpec().getReplicas() == null ? 1 : sts.getSpec().getReplicas();
    List<String> pvcs = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (int i = 0; i < replicas; i++) {
      String claim = claimName(template, wanted.name(), i);
      (live.contains(claim) ? pvcs : missing).add(claim);
    }
    return new Selected(pvcs, missing, null);
  }

  /** The claim a StatefulSet's volumeClaimTemplate makes for one replica. */
  public static String claimName(String template, String statefulSet, int ordinal) {
    return template + "-" + statefulSet + "-" + ordinal;
  }

  /** By name, with a trailing ordinal compared as a number (data-x-2 before data-x-10). */
  public static Comparator<String> byOrdinal() {
    return Comparator.comparing((String n) -> n.replaceAll("-[0-9]+$", ""))
        .thenComparingLong(VolumeSelection::ordinal)
        .thenComparing(n -> n);
  }

  static long ordinal(String name) {
    var m = java.util.regex.Pattern.compile("-([0-9]{1,9})$").matcher(name);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }
}
