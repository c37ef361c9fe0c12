package dev.strata.operator;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.strata.api.v1alpha1.RunnerSpec;
import dev.strata.api.v1alpha1.SourceId;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The operator's settings, from environment variables (the Helm chart sets them).
 *
 * @param namespaces namespaces to watch; empty means all
 * @param runnerImage the image runner Jobs use
 * @param runnerUid default user id of runner pods (non-root); null: none, the platform assigns one
 *     (OpenShift's restricted SCC), STRATA_RUNNER_UID set but empty
 * @param leaderElection whether to elect a leader, so that two replicas are safe
 * @param leaseNamespace where the leader-election Lease lives
 * @param httpPort port of /metrics, /healthz and /readyz
 * @param storeRecheck how often a SnapshotStore is checked again
 * @param jobTtl how long finished runner Jobs are kept
 * @param progressInterval how often a running snapshot's progress is read
 * @param runnerRetryDeadline how long a runner retries a failing store request (0: the runner's
 *     default, 5 minutes)
 * @param schedulePoll the longest a schedule waits before it looks at the clock again
 * @param retentionInterval how often retention policies are applied (also whenever their snapshots
 *     change)
 * @param runnerDefaults operator-wide defaults of runner pods, below each store's spec.runner
 *     (STRATA_RUNNER_DEFAULTS, the JSON of a spec.runner without user and profile); never null
 * @param clusterId the name of this cluster in source ids ({@code cluster:namespace/pvc/path});
 *     null until resolved at start-up from the kube-system namespace's UID when not set ({@link
 *     #resolveClusterId})
 */
public record OperatorSettings(
    Set<String> namespaces,
    String runnerImage,
    Long runnerUid,
    boolean leaderElection,
    String leaseNamespace,
    int httpPort,
    Duration storeRecheck,
    Duration jobTtl,
    Duration progressInterval,
    Duration runnerRetryDeadline,
    Duration schedulePoll,
    Duration retentionInterval,
    RunnerSpec runnerDefaults,
    String clusterId) {

  /**
   * Tagged with the build's version without -SNAPSHOT, as the chart's appVersion (a test ties
   * them).
   */
  public static final String DEFAULT_RUNNER_IMAGE = "ghcr.io/strata-dev/strata-runner:0.1.0";

  public static OperatorSettings fromEnv(Map<String, String> env) {
    return new OperatorSettings(
        Arrays.stream(env.getOrDefault("STRATA_NAMESPACES", "").split(","))
            .map(String::trim)
            .filter(s -> !s.isEmpty())
            .collect(Collectors.toUnmodifiableSet()),
        env.getOrDefault("STRATA_RUNNER_IMAGE", DEFAULT_RUNNER_IMAGE),
        runnerUid(env.getOrDefault("STRATA_RUNNER_UID", "65532")),
        Boolean.parseBoolean(env.getOrDefault("STRATA_LEADER_ELECTION", "true")),
        env.getOrDefault("STRATA_LEASE_NAMESPACE", env.getOrDefault("POD_NAMESPACE", "default")),
        Integer.parseInt(env.getOrDefault("STRATA_HTTP_PORT", "8080")),
        Duration.ofSeconds(Long.parseLong(env.getOrDefault("STRATA_STORE_RECHECK_SECONDS", "300"))),
        Duration.ofSeconds(Long.parseLong(env.getOrDefault("STRATA_JOB_TTL_SECONDS", "600"))),
        Duration.ofSeconds(
            Long.parseLong(env.getOrDefault("STRATA_PROGRESS_INTERVAL_SECONDS", "3"))),
        Duration.ofSeconds(
            Long.parseLong(env.getOrDefault("STRATA_RUNNER_RETRY_DEADLINE_SECONDS", "0"))),
        Duration.ofSeconds(Long.parseLong(env.getOrDefault("STRATA_SCHEDULE_POLL_SECONDS", "60"))),
        Duration.ofSeconds(
            Long.parseLong(env.getOrDefault("STRATA_RETENTION_INTERVAL_SECONDS", "300"))),
        runnerDefaults(env.getOrDefault("STRATA_RUNNER_DEFAULTS", "")),
        clusterId(env.get("STRATA_CLUSTER_ID")));
  }

  static Long runnerUid(String value) {
    if (value.isBlank()) {
      return null;
    }
    long uid = Long.parseLong(value.strip());
    if (uid < 1) {
      throw new IllegalArgumentException(
          "STRATA_RUNNER_UID (chart value runner.uid) must be a non-root user id, not "
              + uid
              + "; leave it empty to let the platform assign one");
    }
    return uid;
  }

  static RunnerSpec runnerDefaults(String json) {
    RunnerSpec none = new RunnerSpec(null, null, null, null, null, null, null, null, null, null);
    if (json.isBlank()) {
      return none;
    }
    RunnerSpec parsed;
    try {
      parsed = Serialization.jsonMapper().readValue(json, RunnerSpec.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "STRATA_RUNNER_DEFAULTS (chart value runner.podDefaults) is not the JSON of a runner spec: "
              + e.getOriginalMessage(),
          e);
    }
    if (parsed.runAsUser() != null
        || parsed.runAsGroup() != null
        || parsed.profile() != null
        || parsed.resources() != null) {
      throw new IllegalArgumentException(
          "STRATA_RUNNER_DEFAULTS (chart value runner.podDefaults) takes tolerations, nodeSelector,"
              + " priorityClassName, labels, annotations and imagePullSecrets; set the user with runner.uid, and the profile and"
              + " resources per SnapshotStore (spec.runner)");
    }
    return parsed;
  }

  /** A cluster id as set, checked; null when unset (then derived at start-up). */
  static String clusterId(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    String id = value.strip();
    if (!SourceId.CLUSTER.matcher(id).matches()) {
      throw new IllegalArgumentException(
          "STRATA_CLUSTER_ID (chart value clusterId) '"
              + id
              + "' is not a cluster id: use 1-63 lower-case"
              + " letters, digits, '-' and '.', starting and ending with a letter or digit, e.g. prod-eu-1");
    }
    return id;
  }

  /**
   * The settings with the cluster id, when none was set: the one given (the kube-system namespace's
   * UID).
   */
  public OperatorSettings resolveClusterId(java.util.function.Supplier<String> derived) {
    return clusterId != null ? this : withClusterId(clusterId(derived.get()));
  }

  public static OperatorSettings defaults() {
    return fromEnv(Map.of());
  }

  public OperatorSettings withRunnerImage(String image) {
    return new OperatorSettings(
        namespaces,
        image,
        runnerUid,
        leaderElection,
        leaseNamespace,
        httpPort,
        storeRecheck,
        jobTtl,
        progressInterval,
        runnerRetryDeadline,
        schedulePoll,
        retentionInterval,
        runnerDefaults,
        clusterId);
  }

  public OperatorSettings withLeaderElection(boolean on, String namespace) {
    return new OperatorSettings(
        namespaces,
        runnerImage,
        runnerUid,
        on,
        namespace,
        httpPort,
        storeRecheck,
        jobTtl,
        progressInterval,
        runnerRetryDeadline,
        schedulePoll,
        retentionInterval,
        runnerDefaults,
        clusterId);
  }

  public OperatorSettings withHttpPort(int port) {
    return new OperatorSettings(
        namespaces,
        runnerImage,
        runnerUid,
        leaderElection,
        leaseNamespace,
        port,
        storeRecheck,
        jobTtl,
        progressInterval,
        runnerRetryDeadline,
        schedulePoll,
        retentionInterval,
        runnerDefaults,
        clusterId);
  }

  public OperatorSettings withClusterId(String id) {
    return new OperatorSettings(
        namespaces,
        runnerImage,
        runnerUid,
        leaderElection,
        leaseNamespace,
        httpPort,
        storeRecheck,
        jobTtl,
        progressInterval,
        runnerRetryDeadline,
        schedulePoll,
        retentionInterval,
        runnerDefaults,
        id);
  }

  public OperatorSettings withStoreRecheck(Duration d) {
    return new OperatorSettings(
        namespaces,
        runnerImage,
        runnerUid,
        leaderElection,
        leaseNamespace,
        httpPort,
        d,
        jobTtl,
        progressInterval,
        runnerRetryDeadline,
        schedulePoll,
        retentionInterval,
        runnerDefaults,
        clusterId);
  }
}
