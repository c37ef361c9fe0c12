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
import dev.strata.engine.store.StoreLayout;
import dev.strata.engine.tree.TreeEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An index edited in the store to escape the target is refused before anything is written, in
 * either format.
 */
class TamperedIndexTest {

  @TempDir Path tmp;

  @Test
  void aFormatOneIndexNamingDotDotIsRefusedAndNothingIsWrittenOutsideTheTarget()
      throws IOException {
    Path source = Files.createDirectories(tmp.resolve("work/source"));
    Trees.write(source.resolve("x"), "payload".getBytes());
    LocalBlobStoreManager store = new LocalBlobStoreManager(tmp.resolve("store"));
    SnapshotIndex good = FormatOne.backup(store, source, "src", 64 * 1024, null);
    String key = StoreLayout.indexKey("src", good.snapshotId());

    // Rename the file entry to "../x" and put the edited index back where the real one was.
    FileIndex f = good.root().file("x");
    FileIndex evil = new FileIndex("../x", f.kind(), f.metadata(), f.blobs(), f.checksum(), null);
    DirIndex root = good.root();
    SnapshotIndex tampered =
        new SnapshotIndex(
            good.formatVersion(),
            good.snapshotId(),
            good.metadata(),
            null,
            good.chunkSize(),
            good.stats(),
            new DirIndex("", root.metadata(), List.of(evil), List.of(), List.of(), List.of()));
    byte[] bytes = IndexCodec.encode(tampered);
    store.put(key, bytes, bytes.length, null, Metadata.of("src", key));

    Path target = Files.createDirectories(tmp.resolve("work/target"));
    List<String> before = listAll(tmp.resolve("work"));
    // Refused as it is read (and again by the restore, for an index built in memory).
    assertThatThrownBy(() -> new SnapshotCatalog(store).load(good.snapshotId()))
        .isInstanceOf(IndexFormatException.class)
        .hasMessageContaining("'../x'");
    assertThatThrownBy(
            () ->
                new RestoreEngine(store, RestoreOptions.of(RestoreMode.SYNC), new Progress())
                    .restore(Snapshot.of(key, tampered), target))
        .isInstanceOf(IndexFormatException.class)
        .hasMessageContaining("'../x'")
        .hasMessageContaining(good.snapshotId());
    assertThat(listAll(tmp.resolve("work"))).isEqualTo(before);
    assertThat(tmp.resolve("work/x")).doesNotExist();
  }

  @Test
  void aFormatTwoTreeNamingDotDotIsRefusedAndNothingIsWrittenOutsideTheTarget() throws IOException {
    Path source = Files.createDirectories(tmp.resolve("work/source"));
    Trees.write(source.resolve("x"), "payload".getBytes());
    Trees.write(source.resolve("d/y"), "more".getBytes());
    LocalBlobStoreManager store = new LocalBlobStoreManager(tmp.resolve("store"));
    BackupResult b =
        new BackupEngine(store, BackupOptions.defaults(), new Progress()).backup(source, "src");
    Tamper.rewriteTree(
        store,
        null,
        b.index(),
        records -> {
          List<TreeEntry> out = new ArrayList<>();
          for (TreeEntry e : records) {
            if (e instanceof TreeEntry.File f && f.file().name().equals("y")) {
              FileIndex g = f.file();
              out.add(
                  new TreeEntry.File(
                      new FileIndex("../../x", g.kind(), g.metadata(), g.blobs(), null, null),
                      false));
            } else {
              out.add(e);
            }
          }
          return out;
        });
    Snapshot forged = new SnapshotCatalog(store).load(b.index().snapshotId());
    Path target = Files.createDirectories(tmp.resolve("work/target"));
    List<String> before = listAll(tmp.resolve("work"));
    assertThatThrownBy(
            () ->
                new RestoreEngine(store, RestoreOptions.of(RestoreMode.SYNC), new Progress())
                    .restore(forged, target))
        .isInstanceOf(IndexFormatException.class)
        .hasMessageContaining("'../../x'")
        .hasMessageContaining(forged.snapshotId());
    assertThatThrownBy(() -> new SnapshotVerifier(store, 2).verify(forged, false))
        .isInstanceOf(IndexFormatException.class);
    assertThat(listAll(tmp.resolve("work"))).isEqualTo(before);
  }

  @Test
  void anIndexFileNamedForAnotherSnapshotIsRefused() throws IOException {
    Path source = Files.createDirectories(tmp.resolve("source"));
    Trees.write(source.resolve("x"), "p".getBytes());
    LocalBlobStoreManager store = new LocalBlobStoreManager(tmp.resolve("store"));
    BackupResult a =
        new BackupEngine(store, BackupOptions.defaults(), new Progress()).backup(source, "src");
    byte[] bytes = store.get(a.indexKey(), null);
    String fakeKey = a.indexKey().replace(a.index().snapshotId(), "20991231T000000.000Z-ffffff");
    store.put(fakeKey, bytes, bytes.length, null, null);
    assertThatThrownBy(() -> new SnapshotCatalog(store).latest("src"))
        .hasMessageContaining("tampered");
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
