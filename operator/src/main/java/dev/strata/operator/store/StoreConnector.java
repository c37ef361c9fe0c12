package dev.strata.operator.store;

import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.engine.format.UserKey;
import dev.strata.engine.store.BlobStoreManager;

/** Opens the store a SnapshotStore describes, with the credentials its Secret holds. */
public interface StoreConnector {

  /**
   * @throws StoreAccessException when the store cannot even be opened (missing Secret or key,
   *     invalid settings)
   */
  BlobStoreManager open(SnapshotStore store);

  /**
   * The key of an encrypted store (spec.encryption), read now from its Secret, for reading the
   * store's snapshots in the operator (its catalog); null when the store names none.
   *
   * @throws StoreAccessException when the Secret or its key is missing
   */
  default UserKey key(SnapshotStore store) {
    return null;
  }
}
