package dev.strata.engine.index;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * Who made a snapshot of what: the source identity (for Kubernetes namespace/pvc/path), the store it lives in, when it
 * was created, and the job or workload that made it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SnapshotMetadata(String sourceId, String store, Instant createdAt, String createdBy) {}
