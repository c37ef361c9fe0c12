package dev.strata.engine;

import static org.assertj.core.api.Assertions.assertThat;

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
 * Finding 5 of issue 12, in store format 2: the collector's safety must not depend on how long a
 * backup runs. Here a backup lasts 7 h by an injected clock, and stalls meanwhile (its pending
 * object is not rewritten: its packs are collectable), and a collector with the default 6 h grace
 * runs in the middle of it and deletes the backup's early packs. The backup notices the gap at its
 * commit, looks at every pack it relies on, stores what is gone again from the source, and commits
 * a whole snapshot.
 */
class LongBackupTest {

  @TempDir Path tmp;

  /**
   * A clock the test moves; the backup reads it for its start, its pending object and its commit.
   */
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
    BlobStoreManager sevenHoursLater =
        new DelegatingStore(store) {
          @Override
          public void put(String key, byte[] data, int length, byte[] sha256, Metadata metadata) {
            if (key.startsWith(StoreLayout.PACKS) && puts.incrementAndGet() == 6) {
              // ...its first packs were written then, and now it is 7 h later: a collector runs
              // with the default grace.
              try (var packs = Files.walk(store.root().resolve(StoreLayout.PACKS))) {
                for (Path p : packs.filter(Files::isRegularFile).toList()) {
                  try {
                    Files.setLastModifiedTime(p, FileTime.from(Instant.now().minus(sevenHours)));
                  } catch (java.nio.file.NoSuchFileException renamed) {
                    // the other upload's temporary file, renamed to its pack meanwhile (the pack is
                    // found by the walk or not)
                  }
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
    BackupOptions options =
        BackupOptions.defaults()
            .withChunkSize(64 * 1024)
            .withParallelism(1)
            .withClock(clock)
            .withInit(
                BackupOptions.defaults().withChunkSize(64 * 1024).init().withPackSize(64 * 1024));

    Snapshot s =
        new BackupEngine(sevenHoursLater, options, new Progress())
            .backup(source, "ns/pvc/")
            .index();

    assertThat(collections).hasSize(1);
    assertThat(collections.get(0).packsDeleted())
        .as("the collector did delete the backup's early packs")
        .isPositive();
    assertThat(new SnapshotVerifier(store, 4).verify(s, true).problems()).isEmpty();
    Path target = tmp.resolve("target");
    new RestoreEngine(store, RestoreOptions.of(RestoreMode.EMPTY), new Progress())
        .restore(s, target);
    Trees.assertSameTree(source, target);
  }
}
