package dev.strata.engine;

import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.Metadata;
import dev.strata.engine.store.StoreException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A store that fails every put after the first {@code allowed}: a backup interrupted by a store
 * failure.
 */
final class FailingAfterPuts extends DelegatingStore {
  private final AtomicInteger left;

  FailingAfterPuts(BlobStoreManager delegate, int allowed) {
    super(delegate);
    this.left = new AtomicInteger(allowed);
  }

  @Override
  public void put(String key, byte[] data, int length, byte[] sha256, Metadata metadata) {
    if (left.getAndDecrement() <= 0) {
      throw new StoreException(StoreException.Kind.PERMANENT, "injected failure on put " + key);
    }
    super.put(key, data, length, sha256, metadata);
  }
}
