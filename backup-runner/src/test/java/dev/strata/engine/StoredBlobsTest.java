package dev.strata.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.engine.store.LocalBlobStoreManager;
import dev.strata.engine.store.Metadata;
import dev.strata.engine.store.ObjectInfo;
import dev.strata.engine.store.StoreLayout;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A source's first backup learns what the store holds by listing shards of blobs/, not by a HEAD per chunk. */
class StoredBlobsTest {

  static final int CHUNK = 64 * 1024;
  static final Metadata MD = Metadata.of("test", "x");

  @TempDir Path tmp;

  /** Counts the HEADs and listings that reach the store. */
  static final class CountingStore extends DelegatingStore {
    final AtomicInteger stats = new AtomicInteger();
    final AtomicInteger lists = new AtomicInteger();

    CountingStore(Path root) {
      super(new LocalBlobStoreManager(root));
    }

    @Override
    public Optional<ObjectInfo> stat(String key, Metadata metadata) {
      stats.incrementAndGet();
      return super.stat(key, metadata);
    }

    @Override
    public void list(String prefix, Consumer<ObjectInfo> consumer, Metadata metadata) {
      lists.incrementAndGet();
      super.list(prefix, consumer, metadata);
    }
  }

  BackupResult backup(CountingStore store, Path source, String sourceId) {
    return new BackupEngine(store, BackupOptions.defaults().withChunkSize(CHUNK).withParallelism(4), new Progress()).backup(source, sourceId);
  }

  @Test
  void aFirstBackupListsShardsAndReusesWhatAnotherSourceStoredWithoutAHeadPerChunk() throws IOException {
    CountingStore store = new CountingStore(tmp.resolve("store"));
    Path a = tmp.resolve("a");
    for (int i = 0; i < 40; i++) {
      Trees.write(a.resolve("f" + i + ".sst"), Trees.random(i, 3 * CHUNK));
    }
    BackupResult first = backup(store, a, "ns/a/");
    assertThat(store.stats.get()).as("no HEAD per chunk").isZero();
    int listsOfFirst = store.lists.get();
    assertThat(listsOfFirst).as("at most one listing per shard, plus the catalog's").isLessThanOrEqualTo(256 + 4);

    // Another source with the same content: its first backup finds every chunk through the listings and uploads none.
    BackupResult second = backup(store, a, "ns/b/");
    assertThat(store.stats.get()).isZero();
    assertThat(second.index().stats().uploadedBytes()).isZero();
    assertThat(first.index().stats().uploadedBytes()).isEqualTo(first.index().stats().totalBytes());

    // An incremental backup asks about its few new chunks one by one again.
    Trees.write(a.resolve("new.sst"), Trees.random(99, CHUNK));
    int listsBefore = store.lists.get();
    backup(store, a, "ns/a/");
    assertThat(store.stats.get()).as("the new chunk, and the check that the base snapshot was not forgotten").isEqualTo(2);
    assertThat(store.lists.get() - listsBefore).as("only the catalog's listings").isLessThan(listsOfFirst);
  }

  @Test
  void aShardTooLargeToListIsAskedAboutChunkByChunk() throws IOException {
    CountingStore store = new CountingStore(tmp.resolve("store"));
    byte[] data = Trees.random(7, 1000);
    String id = Hashing.hex(Hashing.sha256(data, 0, data.length));
    // Three other blobs in the same shard as `id`, with a limit of two: the listing stops, and a HEAD answers.
    int added = 0;
    for (int seed = 100; added < 3; seed++) {
      byte[] other = Trees.random(seed, 100);
      String otherId = Hashing.hex(Hashing.sha256(other, 0, other.length));
      if (otherId.startsWith(id.substring(0, 2))) {
        store.put(StoreLayout.blobKey(otherId), other, other.length, null, MD);
        added++;
      }
    }
    store.put(StoreLayout.blobKey(id), data, data.length, null, MD);
    StoredBlobs small = new StoredBlobs(store, "test", 2);
    assertThat(small.find(id, MD)).hasValueSatisfying(o -> assertThat(o.size()).isEqualTo(1000));
    assertThat(store.stats.get()).isEqualTo(1);

    StoredBlobs enough = new StoredBlobs(store, "test", 10);
    assertThat(enough.find(id, MD)).isPresent();
    assertThat(enough.find(id.substring(0, 2) + "0".repeat(62), MD))
        .as("a blob the listed shard does not hold").isEmpty();
    assertThat(store.stats.get()).as("answered from the listing").isEqualTo(1);
  }
}
