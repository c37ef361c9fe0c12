package dev.strata.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.engine.index.FileBlob;
import dev.strata.engine.index.FileIndex;
import dev.strata.engine.index.IndexCodec;
import dev.strata.engine.index.IndexFormatException;
import dev.strata.engine.index.SnapshotIndex;
import dev.strata.engine.store.LocalBlobStoreManager;
import dev.strata.engine.store.Metadata;
import dev.strata.engine.store.StoreLayout;
import dev.strata.engine.tree.TreeEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Finding 6 of issue 12: a base index with chunkSize 0 threw ArithmeticException, -5 stored files
 * with no blobs, and 2^31-1 ran a restore out of memory and left its staging directory. Every
 * reader refuses such an index, by the one validator: a backup (its base), a restore, verify and
 * garbage collection; in format 1 (a chunk size in the index) and in format 2 (blob sizes in the
 * tree that do not add up, or are negative or huge).
 */
class IndexNumbersTest {

  @TempDir Path tmp;

  @ParameterizedTest
  @ValueSource(ints = {0, -5, Integer.MAX_VALUE})
  void aFormatOneIndexWithAnImpossibleChunkSizeIsRefusedByEveryReader(int chunkSize)
      throws IOException {
    Path source = Files.createDirectories(tmp.resolve("source"));
    Trees.write(source.resolve("f.sst"), Trees.random(1, 100_000));
    LocalBlobStoreManager store = new LocalBlobStoreManager(tmp.resolve("store"));
    SnapshotIndex good = FormatOne.backup(store, source, "ns/pvc/", 64 * 1024, null);
    SnapshotIndex bad =
        new SnapshotIndex(
            good.formatVersion(),
            good.snapshotId(),
            good.metadata(),
            null,
            chunkSize,
            good.stats(),
            good.root());
    String key = StoreLayout.indexKey("ns/pvc/", good.snapshotId());
    byte[] bytes = IndexCodec.encode(bad);
    store.put(key, bytes, bytes.length, null, Metadata.of(null, key));
    Trees.write(source.resolve("g.sst"), Trees.random(2, 1000));

    assertRefusedByEveryReader(
        store, source, good.snapshotId(), Snapshot.of(key, bad), "chunkSize " + chunkSize);
  }

  @ParameterizedTest
  @ValueSource(longs = {0, -5, Integer.MAX_VALUE, Long.MAX_VALUE})
  void aFormatTwoTreeWithImpossibleBlobSizesIsRefusedByEveryReader(long size) throws IOException {
    Path source = Files.createDirectories(tmp.resolve("source"));
    Trees.write(source.resolve("f.sst"), Trees.random(1, 100_000));
    LocalBlobStoreManager store = new LocalBlobStoreManager(tmp.resolve("store"));
    BackupResult b =
        new BackupEngine(store, BackupOptions.defaults(), new Progress()).backup(source, "ns/pvc/");
    Tamper.rewriteTree(
        store,
        null,
        b.index(),
        records -> {
          List<TreeEntry> out = new ArrayList<>();
          for (TreeEntry e : records) {
            if (e instanceof TreeEntry.File f && f.file().name().equals("f.sst")) {
              FileBlob first = f.file().blobs().get(0);
              FileIndex edited =
                  new FileIndex(
                      "f.sst",
                      FileIndex.Kind.FILE,
                      f.file().metadata(),
                      List.of(new FileBlob(first.id(), 0, size)),
                      null,
                      null);
              out.add(new TreeEntry.File(edited, false));
            } else {
              out.add(e);
            }
          }
          return out;
        });
    Trees.write(source.resolve("g.sst"), Trees.random(2, 1000));
    Snapshot forged = new SnapshotCatalog(store).load(b.index().snapshotId());
    assertRefusedByEveryReader(store, source, b.index().snapshotId(), forged, "f.sst");
  }

  private void assertRefusedByEveryReader(
      LocalBlobStoreManager store, Path source, String id, Snapshot bad, String why)
      throws IOException {
    assertThatThrownBy(
            () ->
                new BackupEngine(store, BackupOptions.defaults(), new Progress())
                    .backup(source, "ns/pvc/"))
        .isInstanceOf(IndexFormatException.class)
        .hasMessageContaining(why);
    if (bad.formatVersion() == 1) {
      assertThatThrownBy(() -> new SnapshotCatalog(store).load(id))
          .isInstanceOf(IndexFormatException.class)
          .hasMessageContaining(why);
    }
    Path target = tmp.resolve("target");
    assertThatThrownBy(
            () ->
                new RestoreEngine(store, RestoreOptions.of(RestoreMode.EMPTY), new Progress())
                    .restore(bad, target))
        .isInstanceOf(IndexFormatException.class);
    if (Files.exists(target)) {
      try (Stream<Path> s = Files.list(target)) {
        assertThat(s.toList()).as("nothing, no staging directory, left in the target").isEmpty();
      }
    }
    if (bad.formatVersion() == 2) {
      assertThatThrownBy(() -> new SnapshotVerifier(store, 2).verify(bad, false))
          .isInstanceOf(IndexFormatException.class);
    }
    assertThatThrownBy(
            () ->
                new GarbageCollector(
                        store, GcOptions.defaults().allowingShortGrace().withGrace(Duration.ZERO))
                    .collect())
        .hasMessageContaining("garbage collection stopped before deleting anything");
  }
}
