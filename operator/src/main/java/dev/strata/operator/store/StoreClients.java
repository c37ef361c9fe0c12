package dev.strata.operator.store;

import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.engine.store.BlobStoreManager;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One S3 client per SnapshotStore, shared by everything the operator does with that store (progress
 * reads, removing deleted snapshots), instead of a client and connection pool per request. A client
 * is replaced when the store's spec changes (its generation), when a check with freshly read
 * credentials succeeds (a rotated Secret), and closed when the store fails its check or is deleted.
 * Callers never close what {@link #client} returns.
 */
public final class StoreClients implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(StoreClients.class);

  private record Entry(String uid, Long generation, BlobStoreManager manager) {
    boolean serves(SnapshotStore store) {
      return uid.equals(store.getMetadata().getUid())
          && Objects.equals(generation, store.getMetadata().getGeneration());
    }
  }

  private final StoreConnector connector;
  private final Map<String, Entry> clients = new ConcurrentHashMap<>();

  public StoreClients(StoreConnector connector) {
    this.connector = connector;
  }

  /**
   * The store's shared client, opened on first use.
   *
   * @throws StoreAccessException when the store cannot even be opened (missing Secret, invalid
   *     settings)
   */
  public BlobStoreManager client(SnapshotStore store) {
    Entry cached = clients.get(key(store));
    if (cached != null && cached.serves(store)) {
      return cached.manager();
    }
    synchronized (this) {
      cached = clients.get(key(store));
      if (cached != null && cached.serves(store)) {
        return cached.manager();
      }
      BlobStoreManager opened = connector.open(store);
      replace(store, opened);
      return opened;
    }
  }

  /**
   * The key of an encrypted store, read now from its Secret; null for a store without encryption.
   *
   * @throws StoreAccessException when the Secret or its key is missing
   */
  public dev.strata.engine.format.UserKey encryptionKey(SnapshotStore store) {
    return connector.key(store);
  }

  /**
   * A client opened now with the credentials the store's Secret holds now; not shared until {@link
   * #adopt}ed.
   */
  public BlobStoreManager open(SnapshotStore store) {
    return connector.open(store);
  }

  /**
   * A client that has just passed the store's check becomes the shared one, and the one it replaces
   * is closed.
   */
  public synchronized void adopt(SnapshotStore store, BlobStoreManager checked) {
    replace(store, checked);
  }

  /**
   * The store failed its check or is gone: its client is closed, and the next use opens a new one.
   */
  public synchronized void forget(String namespace, String name) {
    Entry old = clients.remove(namespace + "/" + name);
    if (old != null) {
      closeQuietly(old.manager(), namespace + "/" + name);
    }
  }

  /** How many clients are open (for tests and diagnostics). */
  public int size() {
    return clients.size();
  }

  private void replace(SnapshotStore store, BlobStoreManager manager) {
    Entry old =
        clients.put(
            key(store),
            new Entry(store.getMetadata().getUid(), store.getMetadata().getGeneration(), manager));
    if (old != null && old.manager() != manager) {
      // A request still using the old client fails and is retried by its reconcile; nothing depends
      // on one.
      closeQuietly(old.manager(), key(store));
    }
  }

  private static void closeQuietly(BlobStoreManager manager, String store) {
    try {
      manager.close();
    } catch (RuntimeException e) {
      LOG.debug("{}: store client not closed cleanly: {}", store, e.toString());
    }
  }

  private static String key(SnapshotStore store) {
    return store.getMetadata().getNamespace() + "/" + store.getMetadata().getName();
  }

  @Override
  public synchronized void close() {
    clients.forEach((key, entry) -> closeQuietly(entry.manager(), key));
    clients.clear();
  }
}
