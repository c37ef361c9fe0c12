package dev.strata.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.engine.index.IndexCodec;
import dev.strata.engine.index.IndexFormatException;
import dev.strata.engine.index.SnapshotIndex;
import dev.strata.engine.store.LocalBlobStoreManager;
import dev.strata.engine.store.Metadata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding 6 of issue 12: a base index with chunkSize 0 threw ArithmeticException, -5 stored files with no blobs, and
 * 2^31-1 ran a restore out of memory and left its staging directory. Every reader now refuses such an index, by the
 * one validator: a backup (its base), a restore, verify and garbage collection.
 */
class IndexNumbersTest {

  @TempDir Path tmp;

  @ParameterizedTest
  @ValueSource(ints = {0, -5, Integer.MAX_VALUE})
  void anIndexWithAnImpossibleChunkSizeIsRefusedByEveryReader(int chunkSize) throws IOException {
    Path source = Files.createDirectories(tmp.resolve("source"));
    Trees.write(source.resolve("f.sst"), Trees.random(1, 100_000));
    LocalBlobStoreManager store = new LocalBlobStoreManager(tmp.resolve("store"));
    BackupResult b = new BackupEngine(store, BackupOptions.defaults(), new Progress()).backup(source, "ns/pvc/");
    SnapshotIndex good = b.index();
    SnapshotIndex bad = new SnapshotIndex(good.formatVersion(), good.snapshotId(), good.metadata(), null, chunkSize, good.stats(), good.root());
    byte[] bytes = IndexCodec.encode(bad);
    store.put(b.indexKey(), bytes, bytes.length, null, Metadata.of(null, b.indexKey()));
    Trees.write(source.resolve("g.sst"), Trees.random(2, 1000));

    assertThatThrownBy(() -> new BackupEngine(store, BackupOptions.defaults(), new Progress()).backup(source, "ns/pvc/"))
        .isInstanceOf(IndexFormatException.class).hasMessageContaining("chunkSize " + chunkSize);
    assertThatThrownBy(() -> new SnapshotCatalog(store).load(good.snapshotId()))
        .isInstanceOf(IndexFormatException.class).hasMessageContaining("chunkSize");
    Path target = tmp.resolve("target");
    assertThatThrownBy(() -> new RestoreEngine(store, RestoreOptions.of(RestoreMode.EMPTY), new Progress()).restore(bad, target))
        .isInstanceOf(IndexFormatException.class);
    if (Files.exists(target)) {
      try (Stream<Path> s = Files.list(target)) {
        assertThat(s.toList()).as("nothing, no staging directory, left in the target").isEmpty();
      }
    }
    assertThatThrownBy(() -> new GarbageCollector(store, GcOptions.defaults().allowingShortGrace().withGrace(Duration.ZERO)).collect())
        .hasMessageContaining("garbage collection stopped before deleting anything").hasMessageContaining("chunkSize");
  }
}
