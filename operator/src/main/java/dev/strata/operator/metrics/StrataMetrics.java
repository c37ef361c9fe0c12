package dev.strata.operator.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The operator's own metrics, exported for Prometheus. Per-source series are labelled by the source identity
 * (namespace/pvc/path), so their number grows with sources, not with snapshots.
 */
public final class StrataMetrics {

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, AtomicLong> lastSuccess = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> lastGc = new ConcurrentHashMap<>();

  public MeterRegistry registry() {
    return registry;
  }

  public String scrape() {
    return registry.scrape();
  }

  public void snapshotFinished(String namespace, String sourceId, boolean succeeded, Duration duration, long uploaded, long reused, long nowEpochSeconds) {
    String result = succeeded ? "succeeded" : "failed";
    Counter.builder("strata_snapshots").description("Snapshots finished, by result").tag("namespace", namespace).tag("result", result)
        .register(registry).increment();
    if (duration != null) {
      Timer.builder("strata_snapshot_duration").description("Time from runner start to result").tag("result", result)
          .register(registry).record(duration);
    }
    if (succeeded) {
      Counter.builder("strata_snapshot_uploaded_bytes").description("Bytes uploaded by snapshots").tag("namespace", namespace)
          .register(registry).increment(uploaded);
      Counter.builder("strata_snapshot_reused_bytes").description("Bytes snapshots did not upload because the store had them")
          .tag("namespace", namespace).register(registry).increment(reused);
      lastSuccess
          .computeIfAbsent(sourceId, id -> {
            AtomicLong holder = new AtomicLong();
            Gauge.builder("strata_snapshot_last_success_timestamp_seconds", holder, AtomicLong::get)
                .description("When the last successful snapshot of a source finished (Unix seconds)")
                .tag("source", id)
                .register(registry);
            return holder;
          })
          .set(nowEpochSeconds);
    }
  }

  public void garbageCollected(String namespace, String store, dev.strata.api.v1alpha1.GarbageCollectionStatus gc) {
    Counter.builder("strata_gc_runs").description("Garbage collections finished, by result").tag("namespace", namespace)
        .tag("store", store).tag("result", String.valueOf(gc.result()).toLowerCase()).register(registry).increment();
    if (gc.blobsDeleted() != null) {
      Counter.builder("strata_gc_deleted_blobs").description("Blobs garbage collection deleted").tag("namespace", namespace)
          .tag("store", store).register(registry).increment(gc.blobsDeleted());
      Counter.builder("strata_gc_deleted_bytes").description("Bytes garbage collection deleted").tag("namespace", namespace)
          .tag("store", store).register(registry).increment(gc.bytesDeleted() == null ? 0 : gc.bytesDeleted());
    }
    if (gc.durationMs() != null) {
      Timer.builder("strata_gc_duration").description("Duration of garbage collections").tag("namespace", namespace).tag("store", store)
          .register(registry).record(Duration.ofMillis(gc.durationMs()));
    }
    String key = namespace + "/" + store;
    lastGc.computeIfAbsent(key, k -> {
      AtomicLong holder = new AtomicLong();
      Gauge.builder("strata_gc_last_run_timestamp_seconds", holder, AtomicLong::get)
          .description("When the last garbage collection of a store finished (Unix seconds)")
          .tag("namespace", namespace).tag("store", store).register(registry);
      return holder;
    }).set(gc.time() == null ? 0 : java.time.Instant.parse(gc.time()).getEpochSecond());
  }

  public void storeChecked(String namespace, String store, boolean ready) {
    Counter.builder("strata_store_checks").description("SnapshotStore checks, by result").tag("namespace", namespace)
        .tag("store", store).tag("ready", Boolean.toString(ready)).register(registry).increment();
  }
}
