package dev.strata.operator.runner;

import dev.strata.operator.Labels;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which of Strata's runner Jobs, not yet ended, mount a claim. A restore must not write into a
 * volume another restore is writing (two restores into one PVC at once interleave their files) or a
 * backup is reading (that backup would pass a half-restored volume for a good snapshot). Pure.
 */
public final class BusyClaims {

  private BusyClaims() {}

  /**
   * The first (by name) of {@code jobs} that has not ended and whose pod mounts {@code claim},
   * other than {@code ownJob}.
   */
  public static Optional<Job> runnerUsing(List<Job> jobs, String claim, String ownJob) {
    return jobs.stream()
        .filter(j -> !j.getMetadata().getName().equals(ownJob))
        .filter(j -> !RunnerJobs.finished(j))
        .filter(j -> mounts(j, claim))
        .min(Comparator.comparing(j -> j.getMetadata().getName()));
  }

  /** "restore Job x of StateRestore y", for a message. */
  public static String describe(Job job) {
    Map<String, String> labels = job.getMetadata().getLabels();
    String operation = labels == null ? null : labels.get(Labels.OPERATION);
    List<OwnerReference> owners = job.getMetadata().getOwnerReferences();
    String owner =
        owners == null || owners.isEmpty()
            ? ""
            : " of " + owners.get(0).getKind() + " " + owners.get(0).getName();
    return (operation == null ? "" : operation + " ")
        + "Job "
        + job.getMetadata().getName()
        + owner;
  }

  static boolean mounts(Job job, String claim) {
    PodSpec pod =
        job.getSpec() == null || job.getSpec().getTemplate() == null
            ? null
            : job.getSpec().getTemplate().getSpec();
    return pod != null
        && pod.getVolumes() != null
        && pod.getVolumes().stream()
            .anyMatch(
                v ->
                    v.getPersistentVolumeClaim() != null
                        && claim.equals(v.getPersistentVolumeClaim().getClaimName()));
  }
}
