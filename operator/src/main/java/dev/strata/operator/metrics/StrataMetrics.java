package dev.strata.operator.metrics;

import dev.strata.api.v1alpha1.GarbageCollectionStatus;
import dev.strata.api.v1alpha1.VerificationStatus;
import dev.strata.build.BuildInfo;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.core.metrics.Info;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The operator's own metrics, exported for Prometheus. Every series of a namespace, source, store
 * or schedule the operator knows exists from the moment it knows it (at start-up, when the
 * informers list what is there): counters at 0, so that {@code increase()} counts the first failure
 * after a restart or failover, and a source that never succeeded has its last-success gauge at 0.
 * Durations are histograms with buckets. Per-source series are labelled by the source identity
 * (namespace/pvc/path), so their number grows with sources, not with snapshots.
 */
public final class StrataMetrics {

  static final List<String> RESULTS = List.of("succeeded", "failed");

  /** What a schedule's due time can come to. */
  public static final List<String> SCHEDULE_OUTCOMES = List.of("created", "skipped", "missed");

  /**
   * The kinds of runs a store starts on a schedule: each has strata_<kind>_runs_total and the like.
   */
  public static final List<String> PERIODIC_KINDS = List.of("gc", "verify");

  /** From a minute-long backup of a small volume to a day-long first backup of a large one. */
  static final Duration[] RUN_BUCKETS = {
    Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(15), Duration.ofSeconds(30),
        Duration.ofMinutes(1),
    Duration.ofMinutes(2), Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMinutes(30),
        Duration.ofHours(1),
    Duration.ofHours(2), Duration.ofHours(6), Duration.ofHours(12), Duration.ofHours(24)
  };

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Set<String> namespaces = ConcurrentHashMap.newKeySet();
  private final Map<String, AtomicLong> gauges = new ConcurrentHashMap<>();

  /** The metrics of this build (its version and commit in {@code strata_build_info}). */
  public StrataMetrics() {
    this(BuildInfo.version(), BuildInfo.commit());
  }

  /**
   * {@code strata_build_info{version, commit} 1}, the Prometheus convention for what a process is
   * built from (commit "unknown" for a build outside a git checkout): joined on, it labels any
   * other series with the operator's version.
   */
  StrataMetrics(String version, String commit) {
    Info.builder()
        .name("strata_build_info")
        .help("The version and commit the operator was built from (always 1)")
        .labelNames("version", "commit")
        .register(registry.getPrometheusRegistry())
        .addLabelValues(version, commit == null ? "unknown" : commit);
  }

  public MeterRegistry registry() {
    return registry;
  }

  public String scrape() {
    return registry.scrape();
  }

  // ---- what the operator knows ----

  /**
   * A namespace with Strata objects (or one the operator is told to watch): its snapshot and
   * restore series at 0.
   */
  public void namespaceSeen(String namespace) {
    if (!namespaces.add(namespace)) {
      return;
    }
    for (String result : RESULTS) {
      snapshots(namespace, result);
      snapshotDuration(namespace, result);
      restores(namespace, result);
      restoreDuration(namespace, result);
    }
    bytes("strata_snapshot_uploaded_bytes", "Bytes uploaded by snapshots", namespace);
    bytes(
        "strata_snapshot_reused_bytes",
        "Bytes snapshots did not upload because the store had them",
        namespace);
    bytes("strata_restore_downloaded_bytes", "Bytes restores downloaded", namespace);
    bytes(
        "strata_restore_reused_bytes",
        "Bytes restores did not download because the target had them",
        namespace);
  }

  /**
   * A source some StateSnapshot or schedule names. Its last-success gauge is the newest success
   * known, 0 while it has none: a restarted operator learns each source's last success from the
   * snapshots it lists.
   */
  public void sourceSeen(String namespace, String sourceId, Instant lastSuccess) {
    namespaceSeen(namespace);
    AtomicLong gauge =
        gauge(
            "strata_snapshot_last_success_timestamp_seconds",
            "When the last successful snapshot of a source finished (Unix seconds; 0: none yet)",
            Tags.of("namespace", namespace, "source", sourceId));
    if (lastSuccess != null) {
      gauge.accumulateAndGet(lastSuccess.getEpochSecond(), Math::max);
    }
  }

  /**
   * No StateSnapshot of the source is left: its gauge goes, so an alert does not wait for a source
   * nobody backs up.
   */
  public void sourceGone(String namespace, String sourceId) {
    remove(
        "strata_snapshot_last_success_timestamp_seconds",
        Tags.of("namespace", namespace, "source", sourceId));
  }

  public void storeSeen(String namespace, String store, GarbageCollectionStatus lastGc) {
    storeSeen(namespace, store, lastGc, null);
  }

  /**
   * A store: its series at 0, and the last runs' times and the damage found as its status records
   * them.
   */
  public void storeSeen(
      String namespace,
      String store,
      GarbageCollectionStatus lastGc,
      VerificationStatus lastVerification) {
    namespaceSeen(namespace);
    Tags tags = Tags.of("namespace", namespace, "store", store);
    for (String ready : List.of("true", "false")) {
      storeChecks(tags.and("ready", ready));
    }
    gauge(
        "strata_store_ready", "Whether the last check found the store usable (1) or not (0)", tags);
    for (String kind : PERIODIC_KINDS) {
      for (String result : RESULTS) {
        periodicRuns(kind, tags.and("result", result));
      }
      periodicDuration(kind, tags);
      AtomicLong last = lastRun(kind, tags);
      String time =
          "gc".equals(kind)
              ? (lastGc == null ? null : lastGc.time())
              : (lastVerification == null ? null : lastVerification.time());
      if (time != null) {
        last.accumulateAndGet(Instant.parse(time).getEpochSecond(), Math::max);
      }
    }
    AtomicLong damaged = damaged(tags);
    if (lastVerification != null
        && "Succeeded".equals(lastVerification.result())
        && lastVerification.damagedSnapshots() != null) {
      damaged.set(lastVerification.damagedSnapshots());
    }
    bytes("strata_gc_deleted_blobs", "Blobs garbage collection deleted", tags);
    bytes("strata_gc_deleted_bytes", "Bytes garbage collection deleted", tags);
  }

  public void storeGone(String namespace, String store) {
    Tags tags = Tags.of("namespace", namespace, "store", store);
    registry.getMeters().stream()
        .filter(
            m ->
                m.getId().getName().startsWith("strata_")
                    && tags.stream()
                        .allMatch(t -> t.getValue().equals(m.getId().getTag(t.getKey()))))
        .toList()
        .forEach(this::remove);
  }

  /** A schedule: its run outcomes at 0, and when it runs next (0: never). */
  public void scheduleSeen(String namespace, String schedule, Instant nextRun) {
    namespaceSeen(namespace);
    Tags tags = Tags.of("namespace", namespace, "schedule", schedule);
    for (String outcome : SCHEDULE_OUTCOMES) {
      scheduleRuns(tags.and("outcome", outcome));
    }
    gauge(
            "strata_schedule_next_run_timestamp_seconds",
            "When a schedule's next run is due (Unix seconds; 0: none)",
            tags)
        .set(nextRun == null ? 0 : nextRun.getEpochSecond());
  }

  // ---- what happened ----

  public void snapshotFinished(
      String namespace,
      String sourceId,
      boolean succeeded,
      Duration duration,
      long uploaded,
      long reused,
      Instant finished) {
    namespaceSeen(namespace);
    String result = succeeded ? "succeeded" : "failed";
    snapshots(namespace, result).increment();
    if (duration != null) {
      snapshotDuration(namespace, result).record(duration);
    }
    if (succeeded) {
      bytes("strata_snapshot_uploaded_bytes", "Bytes uploaded by snapshots", namespace)
          .increment(uploaded);
      bytes(
              "strata_snapshot_reused_bytes",
              "Bytes snapshots did not upload because the store had them",
              namespace)
          .increment(reused);
      sourceSeen(namespace, sourceId, finished);
    } else {
      sourceSeen(namespace, sourceId, null);
    }
  }

  public void restoreFinished(
      String namespace, boolean succeeded, Duration duration, long downloaded, long reused) {
    namespaceSeen(namespace);
    String result = succeeded ? "succeeded" : "failed";
    restores(namespace, result).increment();
    if (duration != null) {
      restoreDuration(namespace, result).record(duration);
    }
    if (succeeded) {
      bytes("strata_restore_downloaded_bytes", "Bytes restores downloaded", namespace)
          .increment(downloaded);
      bytes(
              "strata_restore_reused_bytes",
              "Bytes restores did not download because the target had them",
              namespace)
          .increment(reused);
    }
  }

  /**
   * A schedule's due time came: a snapshot was created, skipped (one still running), or missed (too
   * late).
   */
  public void scheduleRun(String namespace, String schedule, String outcome) {
    scheduleRuns(Tags.of("namespace", namespace, "schedule", schedule, "outcome", outcome))
        .increment();
  }

  public void storeChecked(String namespace, String store, boolean ready) {
    Tags tags = Tags.of("namespace", namespace, "store", store);
    storeChecks(tags.and("ready", Boolean.toString(ready))).increment();
    gauge(
            "strata_store_ready",
            "Whether the last check found the store usable (1) or not (0)",
            tags)
        .set(ready ? 1 : 0);
  }

  /** A run a store started on a schedule ended ({@code kind}: gc), as its status now reports it. */
  public void periodicRunFinished(
      String kind, String namespace, String store, GarbageCollectionStatus run) {
    Tags tags = Tags.of("namespace", namespace, "store", store);
    periodicRunFinished(kind, tags, "Succeeded".equals(run.result()), run.durationMs(), run.time());
    if ("gc".equals(kind) && run.blobsDeleted() != null) {
      bytes("strata_gc_deleted_blobs", "Blobs garbage collection deleted", tags)
          .increment(run.blobsDeleted());
      bytes("strata_gc_deleted_bytes", "Bytes garbage collection deleted", tags)
          .increment(run.bytesDeleted() == null ? 0 : run.bytesDeleted());
    }
  }

  /**
   * A scheduled verification ended. One that ran to its end succeeded, whatever it found, and sets
   * the damaged snapshots' gauge; one that could not run failed, and leaves the gauge as it was.
   */
  public void verificationFinished(String namespace, String store, VerificationStatus run) {
    Tags tags = Tags.of("namespace", namespace, "store", store);
    boolean ran = "Succeeded".equals(run.result());
    periodicRunFinished("verify", tags, ran, run.durationMs(), run.time());
    if (ran && run.damagedSnapshots() != null) {
      damaged(tags).set(run.damagedSnapshots());
    }
  }

  private void periodicRunFinished(
      String kind, Tags tags, boolean succeeded, Long durationMs, String time) {
    periodicRuns(kind, tags.and("result", succeeded ? "succeeded" : "failed")).increment();
    if (durationMs != null) {
      periodicDuration(kind, tags).record(Duration.ofMillis(durationMs));
    }
    if (time != null) {
      lastRun(kind, tags).accumulateAndGet(Instant.parse(time).getEpochSecond(), Math::max);
    }
  }

  private AtomicLong lastRun(String kind, Tags tags) {
    return gauge(
        "strata_" + kind + "_last_run_timestamp_seconds",
        "When the last " + kind + " run of a store finished (Unix seconds; 0: none yet)",
        tags);
  }

  private AtomicLong damaged(Tags tags) {
    return gauge(
        "strata_store_damaged_snapshots",
        "Snapshots the store's last verification found damaged (missing or corrupt blobs, unreadable index); 0 before one ran",
        tags);
  }

  /** A garbage collection ended. */
  public void garbageCollected(String namespace, String store, GarbageCollectionStatus gc) {
    storeSeen(namespace, store, null);
    periodicRunFinished("gc", namespace, store, gc);
  }

  // ---- the meters ----

  private Counter snapshots(String namespace, String result) {
    return Counter.builder("strata_snapshots")
        .description("Snapshots finished, by result")
        .tags("namespace", namespace, "result", result)
        .register(registry);
  }

  private Timer snapshotDuration(String namespace, String result) {
    return runTimer(
        "strata_snapshot_duration",
        "Time from a snapshot's runner start to its result",
        Tags.of("namespace", namespace, "result", result));
  }

  private Counter restores(String namespace, String result) {
    return Counter.builder("strata_restores")
        .description("Restores finished, by result")
        .tags("namespace", namespace, "result", result)
        .register(registry);
  }

  private Timer restoreDuration(String namespace, String result) {
    return runTimer(
        "strata_restore_duration",
        "Time from a restore's runner start to its result",
        Tags.of("namespace", namespace, "result", result));
  }

  private Counter bytes(String name, String description, String namespace) {
    return bytes(name, description, Tags.of("namespace", namespace));
  }

  private Counter bytes(String name, String description, Tags tags) {
    return Counter.builder(name).description(description).tags(tags).register(registry);
  }

  private Counter storeChecks(Tags tags) {
    return Counter.builder("strata_store_checks")
        .description("SnapshotStore checks, by result")
        .tags(tags)
        .register(registry);
  }

  private Counter scheduleRuns(Tags tags) {
    return Counter.builder("strata_schedule_runs")
        .description("A schedule's due times, by what came of them")
        .tags(tags)
        .register(registry);
  }

  private Counter periodicRuns(String kind, Tags tags) {
    return Counter.builder("strata_" + kind + "_runs")
        .description("Scheduled " + kind + " runs of a store that finished, by result")
        .tags(tags)
        .register(registry);
  }

  private Timer periodicDuration(String kind, Tags tags) {
    return runTimer(
        "strata_" + kind + "_duration", "Duration of a store's " + kind + " runs", tags);
  }

  private Timer runTimer(String name, String description, Tags tags) {
    return Timer.builder(name)
        .description(description)
        .tags(tags)
        .serviceLevelObjectives(RUN_BUCKETS)
        .register(registry);
  }

  /** A gauge read from a number kept here (a gauge holds its object weakly; this map keeps it). */
  private AtomicLong gauge(String name, String description, Tags tags) {
    return gauges.computeIfAbsent(
        name + tags,
        k -> {
          AtomicLong holder = new AtomicLong();
          Gauge.builder(name, holder, AtomicLong::get)
              .description(description)
              .tags(tags)
              .register(registry);
          return holder;
        });
  }

  private void remove(String name, Tags tags) {
    Meter meter = registry.find(name).tags(tags).meter();
    if (meter != null) {
      remove(meter);
    }
  }

  private void remove(Meter meter) {
    registry.remove(meter);
    gauges.remove(meter.getId().getName() + Tags.of(meter.getId().getTagsAsIterable()));
  }
}
