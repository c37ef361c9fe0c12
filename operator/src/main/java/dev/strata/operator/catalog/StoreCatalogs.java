package dev.strata.operator.catalog;

import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.operator.StoreRequests;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last listing of each store's catalog, in the operator's memory: the SnapshotStore's
 * controller reads it ({@link CatalogReader}) and keeps it here; StateSnapshots that stand for an
 * existing snapshot take their status from it, and restores resolve {@code source.fromStore} in it.
 * Whoever needs a fresher listing asks through {@link #requests()}, which wakes the store's
 * controller. A listing belongs to one store object and one generation of its spec: a store
 * recreated or changed (another bucket) is read again before its listing is used.
 */
public final class StoreCatalogs {

  private record Kept(String uid, Long generation, Listing listing) {}

  private final Map<String, Kept> listings = new ConcurrentHashMap<>();
  private final StoreRequests requests = new StoreRequests("catalog-requests");

  /** The store's last listing, if it was read for the store as it is now. */
  public Optional<Listing> listing(SnapshotStore store) {
    Kept kept =
        listings.get(key(store.getMetadata().getNamespace(), store.getMetadata().getName()));
    return kept != null
            && kept.uid().equals(store.getMetadata().getUid())
            && Objects.equals(kept.generation(), store.getMetadata().getGeneration())
        ? Optional.of(kept.listing())
        : Optional.empty();
  }

  public void put(SnapshotStore store, Listing listing) {
    listings.put(
        key(store.getMetadata().getNamespace(), store.getMetadata().getName()),
        new Kept(store.getMetadata().getUid(), store.getMetadata().getGeneration(), listing));
  }

  /** The store is gone. */
  public void forget(String namespace, String name) {
    listings.remove(key(namespace, name));
  }

  /**
   * Asks for a reading of a store's catalog now (a restore waiting for a snapshot the last reading
   * did not have).
   */
  public StoreRequests requests() {
    return requests;
  }

  private static String key(String namespace, String name) {
    return namespace + "/" + name;
  }
}
