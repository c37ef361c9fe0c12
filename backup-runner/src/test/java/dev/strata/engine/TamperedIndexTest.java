package dev.strata.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.engine.index.DirIndex;
import dev.strata.engine.index.FileIndex;
import dev.strata.engine.index.IndexCodec;
import dev.strata.engine.index.IndexFormatException;
import dev.strata.engine.index.SnapshotIndex;
import dev.strata.engine.store.LocalBlobStoreManager;
import dev.strata.engine.store.Metadata;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An index edited in the store to escape the target is refused before anything is written. */
class TamperedIndexTest {

  @TempDir Path tmp;

  @Test
  void anIndexNamingDotDotIsRefusedAndNothingIsWrittenOutsideTheTarget() throws IOException {
    Path source = Files.createDirectories(tmp.resolve("work/source"));
    Trees.write(source.resolve("x"), "payload".getBytes());
    LocalBlobStoreManager store = new LocalBlobStoreManager(tmp.resolve("store"));
    BackupResult b = new BackupEngine(store, BackupOptions.defaults(), new Progress()).backup(source, "src");

    // Rename the file entry to "../x" and put the edited index back where the real one was.
    SnapshotIndex good = b.index();
    FileIndex f = good.root().file("x");
    FileIndex evil = new FileIndex("../x", f.kind(), f.metadata(), f.blobs(), f.checksum(), null);
    DirIndex root = good.root();
    SnapshotIndex tampered =
        new SnapshotIndex(good.formatVersion(), good.snapshotId(), good.metadata(), null, good.chunkSize(), good.stats(),
            new DirIndex("", root.metadata(), List.of(evil), List.of(), List.of(), List.of()));
    byte[] bytes = IndexCodec.encode(tampered);
    store.put(b.indexKey(), bytes, bytes.length, null, Metadata.of("src", b.indexKey()));

    Path target = Files.createDirectories(tmp.resolve("work/target"));
    List<String> before = listAll(tmp.resolve("work"));
    // Refused as it is read (and again by the restore, for an index built in memory).
    assertThatThrownBy(() -> new SnapshotCatalog(store).load(good.snapshotId()))
        .isInstanceOf(IndexFormatException.class)
        .hasMessageContaining("'../x'");
    assertThatThrownBy(() -> new RestoreEngine(store, RestoreOptions.of(RestoreMode.SYNC), new Progress()).restore(tampered, target))
        .isInstanceOf(IndexFormatException.class)
        .hasMessageContaining("'../x'")
        .hasMessageContaining(good.snapshotId());
    assertThat(listAll(tmp.resolve("work"))).isEqualTo(before);
    assertThat(tmp.resolve("work/x")).doesNotExist();
  }

  @Test
  void anIndexFileNamedForAnotherSnapshotIsRefused() throws IOException {
    Path source = Files.createDirectories(tmp.resolve("source"));
    Trees.write(source.resolve("x"), "p".getBytes());
    LocalBlobStoreManager store = new LocalBlobStoreManager(tmp.resolve("store"));
    BackupResult a = new BackupEngine(store, BackupOptions.defaults(), new Progress()).backup(source, "src");
    byte[] bytes = store.get(a.indexKey(), null);
    String fakeKey = a.indexKey().replace(a.index().snapshotId(), "20991231T000000.000Z-ffffff");
    store.put(fakeKey, bytes, bytes.length, null, null);
    assertThatThrownBy(() -> new SnapshotCatalog(store).latest("src")).hasMessageContaining("tampered");
  }

  private static List<String> listAll(Path root) throws IOException {
    List<String> out = new ArrayList<>();
    try (var s = Files.walk(root)) {
      s.forEach(p -> out.add(root.relativize(p).toString()));
    }
    out.sort(null);
    return out;
  }
}
