package dev.strata.engine.index;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Map;

/**
 * Who made a snapshot of what: the source identity (for Kubernetes {@code
 * cluster:namespace/pvc/path}), the store it lives in, when it was created, the job or workload
 * that made it, and labels its maker attached (for Kubernetes, the StateSnapshot's {@code
 * strata.dev/*} labels, such as its schedule or group), so that a cluster that never saw the
 * snapshot made can still tell what it belongs to. Readers that predate labels ignore them.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SnapshotMetadata(
    String sourceId,
    String store,
    Instant createdAt,
    String createdBy,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> labels) {

  public SnapshotMetadata {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
  }

  public SnapshotMetadata(String sourceId, String store, Instant createdAt, String createdBy) {
    this(sourceId, store, createdAt, createdBy, Map.of());
  }
}
