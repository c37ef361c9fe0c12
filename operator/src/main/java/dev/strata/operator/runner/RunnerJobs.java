package dev.strata.operator.runner;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the snapshot and restore reconcilers share about their runner Jobs: reading a Job's end, and
 * releasing the Job of a run that succeeded once its result is in the resource's status. A finished
 * Job's pod still names the PVC, and Kubernetes keeps a PVC that any scheduled pod names from being
 * deleted (the pvc-protection finalizer), so a Job left behind would keep a user's `kubectl delete
 * pvc` hanging. The Job of a failed run stays until its TTL, for its log.
 *
 * <p>Every runner Job and its pods carry the finalizer {@value #RESULT_FINALIZER} until the run's
 * end is in the resource's status: a Job whose TTL passed while no operator ran stays (deleted,
 * status intact) with its pods, whose termination message is the runner's result, until the
 * operator has read it. The TTL controller deletes in the foreground, so the garbage collector
 * deletes the pods first: the pods' finalizer keeps them, and the Job waits for them; a Job deleted
 * in the background is kept by its own.
 */
public final class RunnerJobs {

  private static final Logger LOG = LoggerFactory.getLogger(RunnerJobs.class);

  /**
   * When to look again after a Job's end, so that the look after the final status is stored
   * releases the Job.
   */
  public static final Duration RELEASE_AFTER = Duration.ofSeconds(2);

  /** What keeps a runner Job and its pods until the run's result is recorded. */
  public static final String RESULT_FINALIZER = "strata.dev/result";

  private RunnerJobs() {}

  /** The Job, with {@value #RESULT_FINALIZER} on it and on its pod template. */
  public static Job holdingResult(Job job) {
    return new JobBuilder(job)
        .editMetadata()
        .addToFinalizers(RESULT_FINALIZER)
        .endMetadata()
        .editSpec()
        .editTemplate()
        .editOrNewMetadata()
        .addToFinalizers(RESULT_FINALIZER)
        .endMetadata()
        .endTemplate()
        .endSpec()
        .build();
  }

  /** True when the object carries {@value #RESULT_FINALIZER}. */
  public static boolean holdsResult(HasMetadata object) {
    return object.getMetadata().getFinalizers() != null
        && object.getMetadata().getFinalizers().contains(RESULT_FINALIZER);
  }

  /** The owner's Job that still holds its result: to let go once the result is recorded. */
  public static Optional<Job> held(Optional<Job> job, HasMetadata owner) {
    return job.filter(j -> ownedBy(j, owner) && holdsResult(j));
  }

  /**
   * Removes {@value #RESULT_FINALIZER} from the Job's pods (read from the API server: the cache
   * keeps no finalizers), then from the Job, so that its TTL, a deletion or the garbage collector
   * can take them. Each removal is a JSON patch that first tests the finalizer is where the object
   * in hand has it, so no other finalizer is ever removed. An object already gone is fine, and so
   * is a failed test (422): the object in hand is stale, because the finalizer was removed already
   * (the cache has not caught up) or its finalizers changed, and either change brings an informer
   * event, whose reconcile lets go with the fresh object.
   */
  public static void letGo(KubernetesClient client, Job job, String who) {
    String ns = job.getMetadata().getNamespace();
    List<Pod> pods =
        client
            .pods()
            .inNamespace(ns)
            .withLabel("job-name", job.getMetadata().getName())
            .list()
            .getItems();
    for (Pod pod : pods) {
      if (holdsResult(pod)) {
        removeFinalizer(client, pod);
      }
    }
    if (holdsResult(job)) {
      removeFinalizer(client, job);
      LOG.info("{}: runner Job {} let go", who, job.getMetadata().getName());
    }
  }

  private static void removeFinalizer(KubernetesClient client, HasMetadata object) {
    int at = object.getMetadata().getFinalizers().indexOf(RESULT_FINALIZER);
    String path = "/metadata/finalizers/" + at;
    String patch =
        "[{\"op\":\"test\",\"path\":\""
            + path
            + "\",\"value\":\""
            + RESULT_FINALIZER
            + "\"},{\"op\":\"remove\",\"path\":\""
            + path
            + "\"}]";
    try {
      client.resource(object).patch(PatchContext.of(PatchType.JSON), patch);
    } catch (KubernetesClientException e) {
      if (e.getCode() == 422) {
        LOG.debug(
            "{} {}: finalizer not where the cached object has it: {}",
            object.getKind(),
            object.getMetadata().getName(),
            e.getMessage());
      } else if (e.getCode() != 404) {
        throw e;
      }
    }
  }

  /** The Job's condition of that type when it is True. */
  public static Optional<JobCondition> condition(Job job, String type) {
    if (job.getStatus() == null || job.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return job.getStatus().getConditions().stream()
        .filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus()))
        .findFirst();
  }

  /**
   * True when the Job failed because its {@code activeDeadlineSeconds} passed: the Job controller
   * stopped its pod, which could not say why.
   */
  public static boolean deadlineExceeded(Job job) {
    return condition(job, "Failed")
        .map(c -> "DeadlineExceeded".equals(c.getReason()))
        .orElse(false);
  }

  /** The Job's {@code activeDeadlineSeconds}, or null. */
  public static Long deadlineSeconds(Job job) {
    return job.getSpec() == null ? null : job.getSpec().getActiveDeadlineSeconds();
  }

  /** Complete or Failed: the Job controller starts no more pods for it. */
  public static boolean finished(Job job) {
    return condition(job, "Complete").isPresent() || condition(job, "Failed").isPresent();
  }

  public static boolean ownedBy(Job job, HasMetadata owner) {
    return job.getMetadata().getOwnerReferences() != null
        && job.getMetadata().getOwnerReferences().stream()
            .anyMatch(r -> owner.getMetadata().getUid().equals(r.getUid()));
  }

  /**
   * The Job to delete now that the owner's success is recorded: call only with the status already
   * read from the API server, so nothing depends on the Job any more. Never a Job of someone
   * else's, and never one of a failed run: its pod holds the runner's log until the Job's TTL
   * (STRATA_JOB_TTL_SECONDS).
   */
  public static Optional<Job> releasable(Optional<Job> job, HasMetadata owner, boolean succeeded) {
    return job.filter(
        j ->
            succeeded
                && ownedBy(j, owner)
                && finished(j)
                && j.getMetadata().getDeletionTimestamp() == null);
  }

  /** Deletes the Job and, through the garbage collector, its pods. */
  public static void release(KubernetesClient client, Job job, String who) {
    try {
      client.resource(job).withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
      LOG.info("{}: released finished runner Job {}", who, job.getMetadata().getName());
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        LOG.warn(
            "{}: runner Job {} not released, retrying later: {}",
            who,
            job.getMetadata().getName(),
            e.getMessage());
      }
    }
  }
}
