package dev.strata.operator.runner;

import dev.strata.operator.Labels;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Which of Strata's runner Jobs, not yet ended, mount a claim. A restore must not write into a
 * volume another restore is writing (two restores into one PVC at once interleave their files) or a
 * backup is reading (that backup would pass a half-restored volume for a good snapshot). Pure.
 */
public final class BusyClaims {

  /** Locks striped by claim, held by a run that may start its Job (see {@link #lockFor}). */
  private static final Object[] LOCKS = new Object[64];

  static {
    for (int i = 0; i < LOCKS.length; i++) {
      LOCKS[i] = new Object();
    }
  }

  private BusyClaims() {}

  /**
   * What a run holds from looking for the claim's other runners until its own Job is created: two
   * runs reconciled at once (two restores, a restore and a backup) cannot both find it free.
   */
  public static Object lockFor(String namespace, String claim) {
    return LOCKS[Math.floorMod((namespace + "/" + claim).hashCode(), LOCKS.length)];
  }

  /**
   * Strata's runner Jobs in the namespace, from the API server, not a cache: a Job created a moment
   * ago for another run counts (its pod may not exist yet), and the caller's informer may not watch
   * that kind's Jobs.
   */
  public static List<Job> runnerJobs(KubernetesClient client, String namespace, String operation) {
    var jobs =
        client
            .batch()
            .v1()
            .jobs()
            .inNamespace(namespace)
            .withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE);
    return (operation == null ? jobs : jobs.withLabel(Labels.OPERATION, operation))
        .list()
        .getItems();
  }

  /**
   * The lookup, made at most once and only when asked for: by a decider whose run would start now
   * (every other precondition holds), so a run waiting for something else (its PVC, its store...)
   * lists no Jobs at each look.
   */
  public static Supplier<Optional<String>> once(Supplier<Optional<String>> lookup) {
    return new Supplier<>() {
      private Optional<String> answer;

      @Override
      public synchronized Optional<String> get() {
        if (answer == null) {
          answer = lookup.get();
        }
        return answer;
      }
    };
  }

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
