package dev.strata.engine;

import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.Metadata;
import dev.strata.engine.store.ObjectInfo;
import dev.strata.engine.store.StoreException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** A store that fails every put after the first {@code allowed}: a backup interrupted by a store failure. */
final class FailingAfterPuts implements BlobStoreManager {
  private final BlobStoreManager delegate;
  private final AtomicInteger left;

  FailingAfterPuts(BlobStoreManager delegate, int allowed) {
    this.delegate = delegate;
    this.left = new AtomicInteger(allowed);
  }

  @Override
  public String location() {
    return delegate.location();
  }

  @Override
  public void checkAccess() {
    delegate.checkAccess();
  }

  @Override
  public void put(String key, byte[] data, int length, byte[] sha256, Metadata metadata) {
    if (left.getAndDecrement() <= 0) {
      throw new StoreException(StoreException.Kind.PERMANENT, "injected failure on put " + key);
    }
    delegate.put(key, data, length, sha256, metadata);
  }

  @Override
  public byte[] get(String key, Metadata metadata) {
    return delegate.get(key, metadata);
  }

  @Override
  public Optional<ObjectInfo> stat(String key, Metadata metadata) {
    return delegate.stat(key, metadata);
  }

  @Override
  public void delete(String key, Metadata metadata) {
    delegate.delete(key, metadata);
  }

  @Override
  public void removeTTL(String key, Metadata metadata) {
    delegate.removeTTL(key, metadata);
  }

  @Override
  public void list(String prefix, Consumer<ObjectInfo> consumer, Metadata metadata) {
    delegate.list(prefix, consumer, metadata);
  }

  @Override
  public void close() {
    delegate.close();
  }
}
