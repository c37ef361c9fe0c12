package dev.strata.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.engine.index.SnapshotIndex;
import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.LocalBlobStoreManager;
import dev.strata.engine.store.Metadata;
import dev.strata.engine.store.StoreLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding 5 of issue 12: the collector's safety rested on "a backup is shorter than the grace period minus an hour",
 * which nothing enforced; with the collector 7 h ahead, a backup committed a snapshot with missing blobs. Here a backup
 * lasts 7 h by an injected clock (its first blobs are 7 h old when it commits) and a collector with the default 6 h grace
 * runs in the middle of it: the snapshot must still be whole.
 */
class LongBackupTest {

  @TempDir Path tmp;

  /** A clock the test moves; the backup reads it for its start, its uploads and its commit. */
  static final class MovableClock extends Clock {
    final AtomicReference<Instant> now = new AtomicReference<>(Instant.now());

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now.get();
    }
  }

  @Test
  void aBackupLongerThanTheGracePeriodCommitsNoMissingBlob() throws IOException {
    Path source = Files.createDirectories(tmp.resolve("source"));
    for (int i = 0; i < 10; i++) {
      Trees.write(source.resolve("f" + i + ".sst"), Trees.random(i, 100_000));
    }
    LocalBlobStoreManager store = new LocalBlobStoreManager(tmp.resolve("store"));
    Duration sevenHours = Duration.ofHours(7);
    MovableClock clock = new MovableClock();
    clock.now.set(Instant.now().minus(sevenHours)); // the backup starts "7 h ago"...
    AtomicInteger puts = new AtomicInteger();
    List<GcReport> collections = new ArrayList<>();
    BlobStoreManager sevenHoursLater = new DelegatingStore(store) {
      @Override
      public void put(String key, byte[] data, int length, byte[] sha256, Metadata metadata) {
        if (key.startsWith(StoreLayout.BLOBS) && puts.incrementAndGet() == 11) {
          // ...its first ten blobs were written then, and now it is 7 h later: a collector runs with the default grace.
          try (var blobs = Files.walk(store.root().resolve(StoreLayout.BLOBS))) {
            for (Path b : blobs.filter(Files::isRegularFile).toList()) {
              Files.setLastModifiedTime(b, FileTime.from(Instant.now().minus(sevenHours)));
            }
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
          clock.now.set(Instant.now());
          collections.add(new GarbageCollector(store, GcOptions.defaults()).collect());
        }
        super.put(key, data, length, sha256, metadata);
      }
    };

    SnapshotIndex s = new BackupEngine(sevenHoursLater, BackupOptions.defaults().withChunkSize(64 * 1024).withParallelism(1).withClock(clock), new Progress())
        .backup(source, "ns/pvc/").index();

    assertThat(collections).hasSize(1);
    assertThat(collections.get(0).blobsDeleted()).as("the collector did delete the backup's early blobs").isEqualTo(10);
    assertThat(new SnapshotVerifier(store, 4).verify(s, true).problems()).isEmpty();
    Path target = tmp.resolve("target");
    new RestoreEngine(store, RestoreOptions.of(RestoreMode.EMPTY), new Progress()).restore(s, target);
    Trees.assertSameTree(source, target);
  }
}
