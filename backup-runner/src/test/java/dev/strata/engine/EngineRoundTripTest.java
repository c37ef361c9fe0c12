package dev.strata.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.engine.format.Compression;
import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.LocalBlobStoreManager;
import dev.strata.engine.store.Metadata;
import dev.strata.engine.store.StoreLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backup and restore through the local-directory store: the engine's contract, end to end, without
 * a server.
 */
class EngineRoundTripTest {

  static final int CHUNK = 64 * 1024;

  @TempDir Path tmp;
  Path source;
  LocalBlobStoreManager store;

  @BeforeEach
  void setUp() throws IOException {
    source = Files.createDirectories(tmp.resolve("source"));
    store = new LocalBlobStoreManager(tmp.resolve("store"));
  }

  /** Small chunks and packs, and no compression, so that byte counts are exact. */
  static BackupOptions options() {
    return BackupOptions.defaults()
        .withChunkSize(CHUNK)
        .withParallelism(4)
        .withCompression(Compression.OFF)
        .withInit(
            dev.strata.engine.format.Repository.Init.DEFAULT
                .withChunker(BackupOptions.defaults().withChunkSize(CHUNK).init().chunker())
                .withPackSize(CHUNK));
  }

  BackupResult backup() {
    return backup(options());
  }

  BackupResult backup(BackupOptions options) {
    return new BackupEngine(store, options, new Progress()).backup(source, "ns/pvc/");
  }

  RestoreResult restore(Snapshot index, Path target, RestoreMode mode) {
    return new RestoreEngine(store, new RestoreOptions(mode, 4, false), new Progress())
        .restore(index, target);
  }

  @Test
  void restoresARichTreeByteIdentical() throws IOException {
    Trees.makeRichTree(source);
    BackupResult first = backup();

    assertThat(first.index().stats().files()).isEqualTo(7);
    assertThat(first.index().stats().symlinks()).isEqualTo(4);
    assertThat(first.index().stats().uploadedBytes()).isEqualTo(first.index().stats().totalBytes());

    Path target = tmp.resolve("restored");
    RestoreResult r = restore(first.index(), target, RestoreMode.EMPTY);

    Trees.assertSameTree(source, target);
    assertThat(r.downloadedBytes()).isEqualTo(first.index().stats().totalBytes());
    assertThat(Files.list(target).map(p -> p.getFileName().toString()))
        .noneMatch(n -> n.startsWith(RestoreEngine.STAGING_PREFIX));
  }

  @Test
  void restoresOwnersWhenRunningAsRoot() throws IOException {
    Path f = Trees.write(source.resolve("owned"), "o".getBytes());
    Path setgid = Trees.write(source.resolve("owned-setgid"), "g".getBytes());
    boolean root = LocalFiles.runningAsRoot();
    if (root) {
      Files.setAttribute(f, "unix:uid", 1234);
      Files.setAttribute(f, "unix:gid", 4321);
      Files.setAttribute(setgid, "unix:gid", 4321); // owner unchanged, group changed
    }
    Files.setAttribute(
        setgid, "unix:mode", 02750); // a chown clears it: the restore must set it after the chown
    BackupResult b = backup();
    assertThat(Trees.tree(store, b.index()).file("owned").metadata().uid())
        .isEqualTo(root ? 1234 : LocalEntry.stat(f).metadata().uid());
    Path target = tmp.resolve("restored");
    restore(b.index(), target, RestoreMode.EMPTY);
    // As root the owner is re-applied; otherwise files belong to whoever restores, which describe()
    // shows equally.
    if (root) {
      assertThat(Files.getAttribute(target.resolve("owned"), "unix:uid")).isEqualTo(1234);
      assertThat(Files.getAttribute(target.resolve("owned"), "unix:gid")).isEqualTo(4321);
      assertThat(Files.getAttribute(target.resolve("owned-setgid"), "unix:gid")).isEqualTo(4321);
    }
    assertThat((Integer) Files.getAttribute(target.resolve("owned-setgid"), "unix:mode") & 07777)
        .isEqualTo(02750);
    if (root) {
      // Same bytes, time and mode, another group: a sync restore changes the group, which clears
      // the setgid bit
      // that was already right, so it must set the mode again.
      Path kept = target.resolve("owned-setgid");
      Files.setAttribute(kept, "unix:gid", 0);
      Files.setAttribute(kept, "unix:mode", 02750);
      Files.setLastModifiedTime(kept, Files.getLastModifiedTime(setgid));
      RestoreResult r = restore(b.index(), target, RestoreMode.SYNC);
      assertThat(r.reusedBytes()).isPositive();
      assertThat(Files.getAttribute(kept, "unix:gid")).isEqualTo(4321);
      assertThat((Integer) Files.getAttribute(kept, "unix:mode") & 07777).isEqualTo(02750);
    }
  }

  @Test
  void secondBackupUploadsOnlyTheChange() throws IOException {
    Trees.makeRichTree(source);
    BackupResult first = backup();
    Trees.write(source.resolve("a/new.sst"), Trees.random(2, 100_000));
    BackupResult second = backup();

    assertThat(second.index().previousSnapshotId()).isEqualTo(first.index().snapshotId());
    assertThat(second.index().stats().uploadedBytes()).isEqualTo(100_000);
    assertThat(second.index().stats().reusedBytes())
        .isEqualTo(second.index().stats().totalBytes() - 100_000);
    Path target = tmp.resolve("restored");
    restore(second.index(), target, RestoreMode.EMPTY);
    Trees.assertSameTree(source, target);
  }

  @Test
  void unchangedFilesAreNotReadAgain() throws IOException {
    Path big = Trees.write(source.resolve("big.sst"), Trees.random(3, 200_000));
    backup();
    // Unreadable now: a backup that opened it would fail. Only name, size and mtime are looked at.
    Trees.setMode(big, 0);
    if (!LocalFiles.runningAsRoot()) {
      BackupResult second = backup();
      assertThat(second.index().stats().uploadedBytes()).isZero();
    }
    // As root, permissions do not stop reads: replace the content keeping size and mtime instead,
    // and see it retained.
    long mtime = LocalEntry.stat(big).metadata().mtimeNanos();
    Files.write(big, Trees.random(4, 200_000));
    Files.setLastModifiedTime(big, LocalEntry.fromNanos(mtime));
    BackupResult cheap = backup();
    assertThat(cheap.index().stats().uploadedBytes()).isZero();
    BackupResult full = backup(options().withFullCheck(true));
    assertThat(full.index().stats().uploadedBytes()).isEqualTo(200_000);
  }

  @Test
  void identicalContentIsStoredOnceAcrossFilesAndSources() throws IOException {
    byte[] content = Trees.random(5, 150_000);
    Trees.write(source.resolve("one.sst"), content);
    Trees.write(source.resolve("copy/two.sst"), content);
    BackupResult b = backup();
    assertThat(b.index().stats().uploadedBytes()).isEqualTo(150_000);

    Path other = Files.createDirectories(tmp.resolve("other"));
    Trees.write(other.resolve("three.sst"), content);
    BackupResult fromOther =
        new BackupEngine(store, options(), new Progress()).backup(other, "ns/other/");
    assertThat(fromOther.index().stats().uploadedBytes()).isZero();
    var one = Trees.tree(store, b.index()).file("one.sst").blobs();
    assertThat(Trees.tree(store, fromOther.index()).file("three.sst").blobs()).isEqualTo(one);
    assertThat(dataBlobs()).isEqualTo(one.size()); // stored once, whatever file or source holds it
  }

  @Test
  void appendedFileResendsOnlyItsLastChunk() throws IOException {
    Path manifest = Trees.write(source.resolve("MANIFEST-000001"), Trees.random(6, 16 * CHUNK));
    BackupResult first = backup();
    Files.write(manifest, Trees.random(7, 1000), java.nio.file.StandardOpenOption.APPEND);
    BackupResult second = backup();
    var before = Trees.tree(store, first.index()).file("MANIFEST-000001").blobs();
    var after = Trees.tree(store, second.index()).file("MANIFEST-000001").blobs();
    // Content-defined chunks: every chunk but the last stays; the last is cut again with the
    // appended bytes.
    assertThat(after.subList(0, before.size() - 1)).isEqualTo(before.subList(0, before.size() - 1));
    long lastChunks =
        after.subList(before.size() - 1, after.size()).stream().mapToLong(b -> b.size()).sum();
    assertThat(second.index().stats().uploadedBytes())
        .isEqualTo(lastChunks)
        .isLessThanOrEqualTo(4L * CHUNK + 1000);
    restore(second.index(), tmp.resolve("restored"), RestoreMode.EMPTY);
    Trees.assertSameTree(source, tmp.resolve("restored"));
  }

  @Test
  void anInsertionNearTheStartResendsOnlyTheChunksAroundIt() throws IOException {
    byte[] content = Trees.random(61, 40 * CHUNK);
    Path f = Trees.write(source.resolve("000042.sst"), content);
    BackupResult first = backup();
    byte[] inserted = new byte[content.length + 100];
    System.arraycopy(content, 0, inserted, 0, 1000);
    System.arraycopy(Trees.random(62, 100), 0, inserted, 1000, 100);
    System.arraycopy(content, 1000, inserted, 1100, content.length - 1000);
    Files.write(f, inserted);
    BackupResult second = backup();
    // Fixed-offset chunks would send everything after the insertion again (2.5 MB); content-defined
    // ones resynchronise.
    assertThat(second.index().stats().uploadedBytes()).isLessThanOrEqualTo(2L * 4 * CHUNK);
    assertThat(first.index().stats().uploadedBytes()).isEqualTo(content.length);
    restore(second.index(), tmp.resolve("restored"), RestoreMode.EMPTY);
    Trees.assertSameTree(source, tmp.resolve("restored"));
  }

  @Test
  void removedAndChangedEntriesAreRecorded() throws IOException {
    Trees.makeRichTree(source);
    backup();
    Files.delete(source.resolve("zero.bin"));
    LocalFiles.deleteTree(source.resolve("empty"));
    Trees.write(source.resolve("a/b/c/deep.txt"), "changed".getBytes());
    BackupResult second = backup();
    assertThat(Trees.tree(store, second.index()).filesRemoved()).containsExactly("zero.bin");
    assertThat(Trees.tree(store, second.index()).subDirsRemoved()).containsExactly("empty");
    Path target = tmp.resolve("restored");
    restore(second.index(), target, RestoreMode.EMPTY);
    Trees.assertSameTree(source, target);
  }

  @Test
  void latestIsPerSource() throws IOException {
    Trees.write(source.resolve("f"), "mine".getBytes());
    BackupResult mine = backup();
    Path other = Files.createDirectories(tmp.resolve("other"));
    Trees.write(other.resolve("g"), "theirs".getBytes());
    new BackupEngine(store, options(), new Progress())
        .backup(other, "ns/pvc/sub"); // newer, other source
    assertThat(new SnapshotCatalog(store).latest("ns/pvc/").orElseThrow().snapshotId())
        .isEqualTo(mine.index().snapshotId());
    assertThat(new SnapshotCatalog(store).latest("ns/unknown/")).isEmpty();
  }

  @Test
  void emptyModeRefusesANonEmptyTargetAndWritesNothing() throws IOException {
    Trees.write(source.resolve("f"), "x".getBytes());
    BackupResult b = backup();
    Path target = Files.createDirectories(tmp.resolve("busy"));
    Trees.write(target.resolve("keep.txt"), "mine".getBytes());
    var before = Trees.describe(target);
    assertThatThrownBy(() -> restore(b.index(), target, RestoreMode.EMPTY))
        .hasMessageContaining("is not empty")
        .hasMessageContaining("--mode overwrite or --mode sync");
    assertThat(Trees.describe(target)).isEqualTo(before);
  }

  @Test
  void overwriteReplacesSnapshotFilesAndKeepsOthers() throws IOException {
    Trees.makeRichTree(source);
    BackupResult b = backup();
    Path target = Files.createDirectories(tmp.resolve("target"));
    Trees.write(target.resolve("extra.txt"), "extra".getBytes());
    Trees.write(target.resolve("zero.bin"), "not zero".getBytes());
    Files.createDirectories(
        target.resolve("link-rel")); // a directory where the snapshot has a symlink
    RestoreResult r = restore(b.index(), target, RestoreMode.OVERWRITE);
    var restored = Trees.describe(target);
    assertThat(restored.remove("extra.txt"))
        .contains("FILE")
        .endsWith(Hashing.hex(Hashing.sha256("extra".getBytes())));
    var expected = Trees.describe(source);
    // The extra file keeps the root's mtime from being the snapshot's; everything else is exact.
    restored.remove(".");
    expected.remove(".");
    assertThat(restored).containsExactlyEntriesOf(expected);
    assertThat(r.downloadedBytes()).isEqualTo(b.index().stats().totalBytes());
  }

  @Test
  void syncIntoAStaleCopyDownloadsOnlyTheDifference() throws IOException {
    Trees.makeRichTree(source);
    BackupResult first = backup();
    Path target = tmp.resolve("replica");
    restore(first.index(), target, RestoreMode.EMPTY);

    // The source moves on: one new file, an append to the large file, one file removed.
    Trees.write(source.resolve("big/new.sst"), Trees.random(8, 70_000));
    Files.write(
        source.resolve("big/large.sst"),
        Trees.random(9, 5_000),
        java.nio.file.StandardOpenOption.APPEND);
    Files.delete(source.resolve("zero.bin"));
    BackupResult second = backup();
    // The stale copy has an extra file the snapshot lacks, and a file changed behind our back.
    Trees.write(target.resolve("stray.tmp"), "stray".getBytes());
    Trees.write(target.resolve("a/b/c/deep.txt"), "DEEP".getBytes());

    RestoreResult r = restore(second.index(), target, RestoreMode.SYNC);

    Trees.assertSameTree(source, target);
    // The chunks the second snapshot has that the first lacks (new.sst, the re-cut end of
    // large.sst), and deep.txt (4
    // bytes, changed in the copy): the rest comes from the local files.
    java.util.Set<String> had = new java.util.HashSet<>();
    collectIds(Trees.tree(store, first.index()), had);
    java.util.Map<String, Long> now = new java.util.HashMap<>();
    collectSizes(Trees.tree(store, second.index()), now);
    long fresh =
        now.entrySet().stream()
            .filter(e -> !had.contains(e.getKey()))
            .mapToLong(java.util.Map.Entry::getValue)
            .sum();
    assertThat(fresh).isBetween(70_000L, 70_000L + 4 * 4 * CHUNK + 5_000);
    assertThat(r.downloadedBytes()).isEqualTo(fresh + 4);
    assertThat(r.reusedBytes())
        .isEqualTo(second.index().stats().totalBytes() - r.downloadedBytes());
  }

  @Test
  void syncOfAnUnchangedCopyDownloadsNothing() throws IOException {
    Trees.makeRichTree(source);
    BackupResult b = backup();
    Path target = tmp.resolve("replica");
    restore(b.index(), target, RestoreMode.EMPTY);
    RestoreResult again = restore(b.index(), target, RestoreMode.SYNC);
    assertThat(again.downloadedBytes()).isZero();
    Trees.assertSameTree(source, target);
  }

  @Test
  void syncReplacesASymlinkedDirectoryWithoutWritingThroughIt() throws IOException {
    Trees.write(source.resolve("dir/file"), "inside".getBytes());
    BackupResult b = backup();
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Path target = Files.createDirectories(tmp.resolve("target"));
    Files.createSymbolicLink(
        target.resolve("dir"), outside); // a hostile target: dir points elsewhere
    restore(b.index(), target, RestoreMode.SYNC);
    assertThat(Files.list(outside)).isEmpty();
    Trees.assertSameTree(source, target);
  }

  @Test
  void corruptBlobFailsTheRestoreNamingTheFileAndLeavesTheTargetAsItWas() throws IOException {
    Trees.makeRichTree(source);
    BackupResult b = backup();
    String blobId =
        Trees.tree(store, b.index()).subDir("big").file("large.sst").blobs().get(2).id();
    Trees.corruptBlob(store, blobId);

    Path target = Files.createDirectories(tmp.resolve("target"));
    Trees.write(target.resolve("big/large.sst"), "old".getBytes());
    var before = Trees.describe(target);
    assertThatThrownBy(() -> restore(b.index(), target, RestoreMode.SYNC))
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining("big/large.sst")
        .hasMessageContaining("does not match its checksum");
    assertThat(Trees.describe(target)).isEqualTo(before);
  }

  @Test
  void aFailedRestoreReturnsOnlyAfterEveryWorkerStoppedAndLeavesNoStagingFiles()
      throws IOException {
    Trees.write(source.resolve("a.bin"), Trees.random(1, 2 * CHUNK));
    Trees.write(source.resolve("b.bin"), Trees.random(2, 2 * CHUNK));
    BackupResult b = backup();
    String corruptPack =
        Trees.packKeyOf(store, Trees.tree(store, b.index()).file("a.bin").blobs().get(0).id());
    CountDownLatch slowFetchStarted = new CountDownLatch(1);
    CountDownLatch corruptServed = new CountDownLatch(1);
    AtomicBoolean slowFetchEnded = new AtomicBoolean();
    // a.bin's blob comes back corrupt; b.bin's arrives after that failure, from a read that ignores
    // interrupts
    // (as a socket read can), so its worker writes a staging file after the restore has already
    // failed.
    AtomicBoolean slowStarted = new AtomicBoolean();
    BlobStoreManager racing =
        new DelegatingStore(store) {
          @Override
          public java.io.InputStream openRange(
              String key, long offset, long length, Metadata metadata) {
            if (!key.startsWith(StoreLayout.PACKS)) {
              return delegate.openRange(key, offset, length, metadata);
            }
            byte[] data;
            try (var in = delegate.openRange(key, offset, length, metadata)) {
              data = in.readAllBytes();
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
            if (key.equals(corruptPack)) {
              awaitUninterruptibly(slowFetchStarted);
              for (int i = 0; i < data.length; i += 97) {
                data[i] ^= 1;
              }
              corruptServed.countDown();
            } else if (slowStarted.compareAndSet(false, true)) {
              slowFetchStarted.countDown();
              awaitUninterruptibly(corruptServed);
              sleepUninterruptibly(300);
              slowFetchEnded.set(true);
            }
            return new java.io.ByteArrayInputStream(data);
          }

          @Override
          public byte[] get(String key, Metadata metadata) {
            byte[] data = delegate.get(key, metadata);
            if (key.equals(corruptPack)) {
              data[data.length / 2] ^= 1;
            }
            return data;
          }
        };
    Path target = Files.createDirectories(tmp.resolve("target"));
    Trees.write(target.resolve("existing.txt"), "already here".getBytes());
    var before = Trees.describe(target);

    assertThatThrownBy(
            () ->
                new RestoreEngine(
                        racing, new RestoreOptions(RestoreMode.OVERWRITE, 4, false), new Progress())
                    .restore(b.index(), target))
        .isInstanceOf(IntegrityException.class)
        .hasMessageContaining("a.bin");
    assertThat(slowFetchEnded).as("the restore failed while a worker still ran").isTrue();
    assertThat(Trees.describe(target)).isEqualTo(before);
  }

  private static void awaitUninterruptibly(CountDownLatch latch) {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (latch.getCount() > 0 && System.nanoTime() < deadline) {
      sleepUninterruptibly(5);
    }
  }

  private static void sleepUninterruptibly(long ms) {
    long end = System.nanoTime() + ms * 1_000_000;
    while (System.nanoTime() < end) {
      LockSupport.parkNanos(
          end - System.nanoTime()); // returns early on interrupt; the loop ignores it
    }
  }

  @Test
  void interruptedBackupCommitsNothingAndTheNextOneReusesItsBlobs() throws IOException {
    for (int i = 0; i < 10; i++) {
      Trees.write(source.resolve("f" + i + ".sst"), Trees.random(100 + i, 100_000));
    }
    for (int i = 10; i < 40; i++) {
      Trees.write(source.resolve("f" + i + ".sst"), Trees.random(100 + i, 100_000));
    }
    BlobStoreManager failing = new FailingAfterPuts(store, 30);
    assertThatThrownBy(
            () ->
                new BackupEngine(failing, options().withParallelism(1), new Progress())
                    .backup(source, "ns/pvc/"))
        .hasMessageContaining("injected");
    assertThat(new SnapshotCatalog(store).entries(null)).isEmpty();
    // Packs go into an index file every few, so the next backup finds what this one stored before
    // it died.
    assertThat(Trees.packs(store).size()).isBetween(BackupEngine.INDEX_EVERY, 30);
    assertThat(dataBlobs()).isPositive();

    BackupResult next = backup();
    assertThat(next.index().stats().reusedBytes())
        .as("at least the packs of the first index file")
        .isGreaterThan(BackupEngine.INDEX_EVERY * 50_000L);
    assertThat(next.index().stats().reusedBytes()).isPositive();
    restore(next.index(), tmp.resolve("restored"), RestoreMode.EMPTY);
    Trees.assertSameTree(source, tmp.resolve("restored"));
  }

  /** Data blobs in the store's index. */
  private int dataBlobs() {
    var ix = Trees.index(store);
    int n = 0;
    for (int e = 0; e < ix.size(); e++) {
      if (ix.type(e) == dev.strata.engine.pack.PackEntry.DATA && ix.isNewest(e)) {
        n++;
      }
    }
    return n;
  }

  static void collectIds(dev.strata.engine.index.DirIndex d, java.util.Set<String> out) {
    d.filesPresent().forEach(f -> f.blobs().forEach(b -> out.add(b.id())));
    d.subDirsPresent().forEach(s -> collectIds(s, out));
  }

  static void collectSizes(dev.strata.engine.index.DirIndex d, java.util.Map<String, Long> out) {
    d.filesPresent().forEach(f -> f.blobs().forEach(b -> out.put(b.id(), b.size())));
    d.subDirsPresent().forEach(s -> collectSizes(s, out));
  }
}
