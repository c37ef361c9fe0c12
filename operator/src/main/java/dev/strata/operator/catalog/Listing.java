package dev.strata.operator.catalog;

import dev.strata.api.v1alpha1.SourceId;
import dev.strata.engine.index.SnapshotSummary;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one reading of a store's bucket found: every committed snapshot by id with the summary of
 * its index, and the index objects that could not be read.
 *
 * @param readAt when the reading began: a snapshot committed before then is in it
 */
public record Listing(
    String location, Instant readAt, Map<String, Entry> snapshots, List<String> unreadable) {

  /** One committed snapshot: where its index is, and what its header says. */
  public record Entry(String snapshotId, String key, SnapshotSummary summary) {

    /** The PVC it was taken of, when its source id names one. */
    public Optional<SourceId> source() {
      return SourceId.parse(summary.metadata().sourceId());
    }

    public String sourceId() {
      return summary.metadata().sourceId();
    }

    /** When it was taken: its index's creation time. */
    public Instant takenAt() {
      return summary.metadata().createdAt() == null
          ? Instant.EPOCH
          : summary.metadata().createdAt();
    }

    public Map<String, String> labels() {
      return summary.metadata().labels();
    }
  }

  public Optional<Entry> get(String snapshotId) {
    return Optional.ofNullable(snapshots.get(snapshotId));
  }

  public Collection<Entry> entries() {
    return snapshots.values();
  }

  /** Whether a snapshot committed at {@code t} (or before) would be in this listing. */
  public boolean readSince(Instant t) {
    return !readAt.isBefore(t);
  }
}
