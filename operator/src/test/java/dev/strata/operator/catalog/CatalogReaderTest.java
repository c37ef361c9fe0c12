package dev.strata.operator.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.engine.BackupEngine;
import dev.strata.engine.BackupOptions;
import dev.strata.engine.Progress;
import dev.strata.engine.SnapshotCatalog;
import dev.strata.engine.index.SnapshotIndex;
import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.LocalBlobStoreManager;
import dev.strata.engine.store.StoreLayout;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading a store's catalog through the engine: every index's header read once, damaged ones reported. */
class CatalogReaderTest {

  @TempDir Path tmp;

  @Test
  void eachIndexIsReadOnceAndForgottenOrDamagedOnesAreNotListed() throws IOException {
    LocalBlobStoreManager local = new LocalBlobStoreManager(tmp.resolve("store"));
    AtomicInteger gets = new AtomicInteger();
    BlobStoreManager counted = (BlobStoreManager) Proxy.newProxyInstance(BlobStoreManager.class.getClassLoader(),
        new Class<?>[] {BlobStoreManager.class}, (proxy, method, args) -> {
          if (method.getName().equals("get")) {
            gets.incrementAndGet();
          }
          try {
            return method.invoke(local, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.writeString(src.resolve("a"), "a");
    SnapshotIndex first = new BackupEngine(local, BackupOptions.defaults(), new Progress())
        .withLabels(Map.of("strata.dev/group", "g1")).backup(src, "c1:demo/data/").index();
    SnapshotIndex second = new BackupEngine(local, BackupOptions.defaults(), new Progress()).backup(src, "c1:demo/other/rocksdb").index();

    CatalogReader reader = new CatalogReader();
    Listing l = reader.read(counted, Instant.EPOCH);
    assertThat(l.snapshots()).containsOnlyKeys(first.snapshotId(), second.snapshotId());
    assertThat(l.get(first.snapshotId()).orElseThrow().labels()).containsEntry("strata.dev/group", "g1");
    assertThat(l.get(second.snapshotId()).orElseThrow().source().orElseThrow().path()).isEqualTo("rocksdb");
    assertThat(gets.get()).isEqualTo(2);

    Listing again = reader.read(counted, Instant.EPOCH);
    assertThat(again.snapshots()).hasSize(2);
    assertThat(gets.get()).as("indexes never change: not read again").isEqualTo(2);

    new SnapshotCatalog(local).forget(first.snapshotId());
    String damaged = StoreLayout.indexKey("c1:demo/broken/", "20261127T000000.000Z-dddddd");
    byte[] junk = "not an index".getBytes();
    local.put(damaged, junk, junk.length, null, dev.strata.engine.store.Metadata.of(null, damaged).withSize(junk.length));
    Listing third = reader.read(counted, Instant.EPOCH);
    assertThat(third.snapshots()).containsOnlyKeys(second.snapshotId());
    assertThat(third.unreadable()).singleElement().asString().startsWith(damaged + ": ");
  }
}
