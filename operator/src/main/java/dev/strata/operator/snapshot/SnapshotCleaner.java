package dev.strata.operator.snapshot;

import dev.strata.api.v1alpha1.DeletionPolicy;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.engine.SnapshotCatalog;
import dev.strata.engine.index.SnapshotSummary;
import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.Metadata;
import dev.strata.engine.store.StoreLayout;
import dev.strata.operator.RunnerNames;
import dev.strata.operator.store.StoreConnector;
import java.util.ArrayList;
import java.util.List;

/**
 * Removes a deleted StateSnapshot's index from its store when its deletionPolicy is Delete. The snapshot is found by
 * the index key in its status, or, when the status never recorded it (the operator lost the result), by the
 * createdBy marker the runner wrote into the index. Blobs are left to garbage collection.
 */
public final class SnapshotCleaner {

  private final StoreConnector connector;

  public SnapshotCleaner(StoreConnector connector) {
    this.connector = connector;
  }

  /** @return the index keys deleted */
  public List<String> removeFromStore(StateSnapshot s, SnapshotStore store) {
    List<String> deleted = new ArrayList<>();
    if (s.getSpec().deletionPolicyOrDefault() == DeletionPolicy.Retain) {
      return deleted;
    }
    String sourceId = s.getSpec().source().sourceId(s.getMetadata().getNamespace());
    try (BlobStoreManager manager = connector.open(store)) {
      String key = s.getStatus() != null && s.getStatus().snapshotIndex() != null ? s.getStatus().snapshotIndex().key() : null;
      if (key != null) {
        manager.delete(key, Metadata.of(sourceId, key));
        deleted.add(key);
      } else if (s.getStatus() != null && s.getStatus().jobName() != null) {
        String marker = RunnerNames.createdBy(s);
        for (SnapshotSummary summary : new SnapshotCatalog(manager).summaries(sourceId)) {
          if (marker.equals(summary.metadata().createdBy())) {
            String k = StoreLayout.indexKey(sourceId, summary.snapshotId());
            manager.delete(k, Metadata.of(sourceId, k));
            deleted.add(k);
          }
        }
      }
      String progress = StoreLayout.progressKey(RunnerNames.progressObject(s));
      manager.delete(progress, Metadata.of(sourceId, progress));
    }
    return deleted;
  }
}
