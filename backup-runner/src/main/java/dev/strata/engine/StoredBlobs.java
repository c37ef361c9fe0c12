package dev.strata.engine;

import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.Metadata;
import dev.strata.engine.store.ObjectInfo;
import dev.strata.engine.store.StoreLayout;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Whether the store already holds a blob, for a backup that has no previous snapshot of its source and so asks about
 * every chunk it reads. Instead of a HEAD per chunk, it lists each shard of {@code blobs/} (the two-hex-digit
 * directories of {@link StoreLayout#blobKey}) the first time a chunk falls into it, once per backup. A shard of more
 * than {@link #MAX_LISTED} objects is not listed to its end (that would cost more requests than it saves); its chunks
 * are asked about one by one, as before.
 *
 * <p>A listing is as fresh as a HEAD at the start of the backup, which is what the grace-period rule measures from
 * (docs/garbage-collection.md): a blob listed younger than the refresh age is reused as is, an older one has its age
 * restarted and is uploaded again if it is gone by then.
 */
final class StoredBlobs {

  /** About four listing pages: beyond that a shard holds more objects than a backup's HEADs into it would cost. */
  static final int MAX_LISTED = 4000;

  private final BlobStoreManager store;
  private final String sourceId;
  private final int maxListed;
  private final Map<String, CompletableFuture<Optional<Map<String, ObjectInfo>>>> shards = new ConcurrentHashMap<>();

  StoredBlobs(BlobStoreManager store, String sourceId, int maxListed) {
    this.store = store;
    this.sourceId = sourceId;
    this.maxListed = maxListed;
  }

  /** The stored blob's size and age, or empty when the store does not hold it. */
  Optional<ObjectInfo> find(String blobId, Metadata metadata) {
    Optional<Map<String, ObjectInfo>> shard = shard(blobId.substring(0, 2));
    return shard.isPresent() ? Optional.ofNullable(shard.get().get(blobId)) : store.stat(StoreLayout.blobKey(blobId), metadata);
  }

  private Optional<Map<String, ObjectInfo>> shard(String shard) {
    CompletableFuture<Optional<Map<String, ObjectInfo>>> mine = new CompletableFuture<>();
    CompletableFuture<Optional<Map<String, ObjectInfo>>> listing = shards.putIfAbsent(shard, mine);
    if (listing != null) {
      try {
        return listing.join(); // another worker lists this shard: wait for it rather than list it twice
      } catch (CompletionException failed) {
        return Optional.empty(); // its listing failed: ask about this chunk alone
      }
    }
    try {
      Optional<Map<String, ObjectInfo>> listed = list(StoreLayout.BLOBS + shard + "/");
      mine.complete(listed);
      return listed;
    } catch (RuntimeException e) {
      shards.remove(shard, mine); // the next chunk of this shard tries again
      mine.completeExceptionally(e);
      throw e;
    }
  }

  private Optional<Map<String, ObjectInfo>> list(String prefix) {
    Map<String, ObjectInfo> found = new HashMap<>();
    try {
      store.list(prefix, o -> {
        String id = StoreLayout.blobIdOf(o.key());
        if (id != null) {
          found.put(id, o);
        }
        if (found.size() > maxListed) {
          throw TooMany.INSTANCE;
        }
      }, Metadata.of(sourceId, prefix));
      return Optional.of(found);
    } catch (TooMany e) {
      return Optional.empty();
    }
  }

  /** Stops a listing that grew past {@link #MAX_LISTED}; carries no stack trace, it is not an error. */
  private static final class TooMany extends RuntimeException {
    static final TooMany INSTANCE = new TooMany();

    private TooMany() {
      super(null, null, false, false);
    }
  }
}
