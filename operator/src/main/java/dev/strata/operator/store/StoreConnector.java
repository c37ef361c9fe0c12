package dev.strata.operator.store;

import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.engine.store.BlobStoreManager;

/** Opens the store a SnapshotStore describes, with the credentials its Secret holds. */
public interface StoreConnector {

  /**
   * @throws StoreAccessException when the store cannot even be opened (missing Secret or key, invalid settings)
   */
  BlobStoreManager open(SnapshotStore store);
}
