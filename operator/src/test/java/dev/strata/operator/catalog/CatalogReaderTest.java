package dev.strata.operator.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.engine.BackupEngine;
import dev.strata.engine.BackupOptions;
import dev.strata.engine.Progress;
import dev.strata.engine.Snapshot;
import dev.strata.engine.SnapshotCatalog;
import dev.strata.engine.format.UserKey;
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

/**
 * Reading a store's catalog through the engine: every snapshot object read once, damaged ones
 * reported.
 */
class CatalogReaderTest {

  @TempDir Path tmp;

  @Test
  void eachIndexIsReadOnceAndForgottenOrDamagedOnesAreNotListed() throws IOException {
    LocalBlobStoreManager local = new LocalBlobStoreManager(tmp.resolve("store"));
    AtomicInteger gets = new AtomicInteger();
    BlobStoreManager counted =
        (BlobStoreManager)
            Proxy.newProxyInstance(
                BlobStoreManager.class.getClassLoader(),
                new Class<?>[] {BlobStoreManager.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("get")
                      && args[0].toString().startsWith(StoreLayout.SNAPSHOTS)) {
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
    Snapshot first =
        new BackupEngine(local, BackupOptions.defaults(), new Progress())
            .withLabels(Map.of("strata.dev/group", "g1"))
            .backup(src, "c1:demo/data/")
            .index();
    Snapshot second =
        new BackupEngine(local, BackupOptions.defaults(), new Progress())
            .backup(src, "c1:demo/other/rocksdb")
            .index();

    CatalogReader reader = new CatalogReader();
    Listing l = reader.read(counted, Instant.EPOCH);
    assertThat(l.snapshots()).containsOnlyKeys(first.snapshotId(), second.snapshotId());
    assertThat(l.get(first.snapshotId()).orElseThrow().labels())
        .containsEntry("strata.dev/group", "g1");
    assertThat(l.get(second.snapshotId()).orElseThrow().source().orElseThrow().path())
        .isEqualTo("rocksdb");
    assertThat(gets.get()).isEqualTo(2);

    Listing again = reader.read(counted, Instant.EPOCH);
    assertThat(again.snapshots()).hasSize(2);
    assertThat(gets.get()).as("indexes never change: not read again").isEqualTo(2);

    new SnapshotCatalog(local).forget(first.snapshotId());
    String damaged = StoreLayout.indexKey("c1:demo/broken/", "20261127T000000.000Z-dddddd");
    byte[] junk = "not an index".getBytes();
    local.put(
        damaged,
        junk,
        junk.length,
        null,
        dev.strata.engine.store.Metadata.of(null, damaged).withSize(junk.length));
    Listing third = reader.read(counted, Instant.EPOCH);
    assertThat(third.snapshots()).containsOnlyKeys(second.snapshotId());
    assertThat(third.unreadable()).singleElement().asString().startsWith(damaged + ": ");
  }

  @Test
  void anEncryptedStoresSnapshotsAreReadWithItsKeyAskedForOnlyWhenThereIsOneToRead()
      throws IOException {
    LocalBlobStoreManager store = new LocalBlobStoreManager(tmp.resolve("encrypted"));
    Path src = Files.createDirectories(tmp.resolve("src"));
    Files.writeString(src.resolve("a"), "a");
    UserKey key = UserKey.of("a long random string, as the docs ask", "test");
    Snapshot s =
        new BackupEngine(store, BackupOptions.defaults().withKey(key), new Progress())
            .withLabels(Map.of("strata.dev/group", "g1"))
            .backup(src, "c1:demo/data/")
            .index();

    Listing without = new CatalogReader().read(store, Instant.EPOCH);
    assertThat(without.snapshots()).isEmpty();
    assertThat(without.unreadable()).singleElement().asString().contains("encrypted");

    AtomicInteger asked = new AtomicInteger();
    CatalogReader reader = new CatalogReader();
    Listing with =
        reader.read(
            store,
            () -> {
              asked.incrementAndGet();
              return key;
            },
            Instant.EPOCH);
    assertThat(with.unreadable()).isEmpty();
    assertThat(with.get(s.snapshotId()).orElseThrow().labels())
        .containsEntry("strata.dev/group", "g1");
    reader.read(
        store,
        () -> {
          asked.incrementAndGet();
          return key;
        },
        Instant.EPOCH);
    assertThat(asked.get())
        .as("nothing new to read the second time: the key is not read")
        .isEqualTo(1);

    Listing wrong =
        new CatalogReader().read(store, () -> UserKey.of("another key", "test"), Instant.EPOCH);
    assertThat(wrong.snapshots()).isEmpty();
    assertThat(wrong.unreadable()).singleElement().asString().contains("does not open");
    Listing missing =
        new CatalogReader()
            .read(
                store,
                () -> {
                  throw new dev.strata.operator.store.StoreAccessException(
                      "KeySecretNotFound", "Secret k with key key does not exist");
                },
                Instant.EPOCH);
    assertThat(missing.unreadable())
        .singleElement()
        .asString()
        .endsWith(": Secret k with key key does not exist");
  }
}
