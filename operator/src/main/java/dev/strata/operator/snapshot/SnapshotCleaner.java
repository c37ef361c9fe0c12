package dev.strata.operator.snapshot;

import dev.strata.api.v1alpha1.DeletionPolicy;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.engine.SnapshotCatalog;
import dev.strata.engine.index.SnapshotSummary;
import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.Metadata;
import dev.strata.engine.store.StoreLayout;
import dev.strata.operator.Labels;
import dev.strata.operator.runner.RunnerNames;
import dev.strata.operator.store.StoreClients;
import java.util.ArrayList;
import java.util.List;

/**
 * Removes a deleted StateSnapshot's index from its store when its deletionPolicy is Delete. The
 * snapshot is found by the index key in its status, or, when the status never recorded it (the
 * operator lost the result), by the createdBy marker the runner wrote into the index. Blobs are
 * left to garbage collection.
 */
public final class SnapshotCleaner {

  private final StoreClients clients;

  public SnapshotCleaner(StoreClients clients) {
    this.clients = clients;
  }

  /**
   * @return the index keys deleted
   */
  public List<String> removeFromStore(StateSnapshot s, SnapshotStore store) {
    List<String> deleted = new ArrayList<>();
    if (policy(s) == DeletionPolicy.Retain) {
      return deleted;
    }
    // The id it was taken under, as its status records it (a run that never started has nothing in
    // the store).
    String sourceId = sourceIdOf(s);
    BlobStoreManager manager = clients.client(store);
    String key =
        s.getStatus() != null && s.getStatus().snapshotIndex() != null
            ? s.getStatus().snapshotIndex().key()
            : null;
    SnapshotCatalog catalog = new SnapshotCatalog(manager);
    if (key != null) {
      forget(catalog, manager, key, sourceId, deleted);
    } else if (s.getStatus() != null && s.getStatus().jobName() != null) {
      for (SnapshotSummary summary : madeBy(catalog, s, sourceId)) {
        forget(
            catalog,
            manager,
            StoreLayout.indexKey(sourceId, summary.snapshotId()),
            sourceId,
            deleted);
      }
    }
    String progress = StoreLayout.progressKey(RunnerNames.progressObject(s));
    manager.delete(progress, Metadata.of(sourceId, progress));
    return deleted;
  }

  /**
   * What happens in the store when the object goes: its spec's deletionPolicy, unless the
   * annotation strata.dev/deletion-policy says Retain (the spec is immutable; the annotation is how
   * to let a snapshot go whose store refuses the removal).
   */
  public static DeletionPolicy policy(StateSnapshot s) {
    var annotations = s.getMetadata().getAnnotations();
    return annotations != null
            && DeletionPolicy.Retain.name().equals(annotations.get(Labels.DELETION_POLICY))
        ? DeletionPolicy.Retain
        : s.getSpec().deletionPolicyOrDefault();
  }

  /** The id the snapshot was taken under, as its status records it, else the legacy one. */
  static String sourceIdOf(StateSnapshot s) {
    return s.getStatus() != null && s.getStatus().sourceId() != null
        ? s.getStatus().sourceId()
        : s.getSpec().source().legacySourceId(s.getMetadata().getNamespace());
  }

  /** The source's snapshots whose index names this StateSnapshot (its createdBy marker). */
  static List<SnapshotSummary> madeBy(SnapshotCatalog catalog, StateSnapshot s, String sourceId) {
    String marker = RunnerNames.createdBy(s);
    return catalog.summaries(sourceId).stream()
        .filter(summary -> marker.equals(summary.metadata().createdBy()))
        .toList();
  }

  /**
   * Forgetting leaves a tombstone, so a backup that diffed against this snapshot keeps its blobs
   * for the grace period.
   */
  private static void forget(
      SnapshotCatalog catalog,
      BlobStoreManager manager,
      String key,
      String sourceId,
      List<String> done) {
    if (manager.stat(key, Metadata.of(sourceId, key)).isEmpty()) {
      return; // already forgotten (a retried clean-up)
    }
    catalog.forget(new SnapshotCatalog.Entry(StoreLayout.snapshotIdOf(key), key, null));
    done.add(key);
  }
}
