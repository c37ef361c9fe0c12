package dev.strata.engine;

import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.Metadata;
import dev.strata.engine.store.ObjectInfo;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A store that passes everything to another; tests override a method to inject an event at an exact
 * moment.
 */
class DelegatingStore implements BlobStoreManager {
  final BlobStoreManager delegate;

  DelegatingStore(BlobStoreManager delegate) {
    this.delegate = delegate;
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
  public void initialize() {
    delegate.initialize();
  }

  @Override
  public void put(String key, byte[] data, int length, byte[] sha256, Metadata metadata) {
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
