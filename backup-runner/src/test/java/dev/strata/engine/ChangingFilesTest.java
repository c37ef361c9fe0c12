package dev.strata.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.engine.index.FileIndex;
import dev.strata.engine.store.LocalBlobStoreManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Finding 2 of issue 12 and the file-change policy: a snapshot holds what each file held at one
 * moment, or says which file changed under it; never a silent mix. Changes are made at exact
 * moments through the store or a seam.
 */
class ChangingFilesTest {

  static final int CHUNK = 64 * 1024;

  @TempDir Path tmp;
  Path source;
  LocalBlobStoreManager store;

  @BeforeEach
  void setUp() throws IOException {
    source = Files.createDirectories(tmp.resolve("source"));
    store = new LocalBlobStoreManager(tmp.resolve("store"));
  }

  BackupOptions options() {
    return BackupOptions.defaults().withChunkSize(CHUNK).withParallelism(1);
  }

  Snapshot restoreAndRead(Snapshot index, Path target) {
    new RestoreEngine(store, RestoreOptions.of(RestoreMode.EMPTY), new Progress())
        .restore(index, target);
    return index;
  }

  /**
   * The reproduction: a file replaced by `mv` with one of the same size and mtime while its
   * chunks are read. Each chunk reopened the file by path, so the snapshot mixed both files,
   * without a word.
   */
  @Test
  void aFileReplacedBetweenItsChunksIsNeverCommittedTorn() throws IOException {
    byte[] a = Trees.random(1, 8 * CHUNK);
    byte[] b = Trees.random(2, 8 * CHUNK);
    Path file = Trees.write(source.resolve("000042.sst"), a);
    FileTime mtime = Files.getLastModifiedTime(file);
    Path next = Trees.write(tmp.resolve("next.sst"), b);
    Files.setLastModifiedTime(next, mtime);
    AtomicBoolean swapped = new AtomicBoolean();
    BackupEngine swapAfterFirstChunk =
        afterEachChunk(
            relPath -> {
              if (swapped.compareAndSet(false, true)) {
                Files.move(
                    next,
                    file,
                    StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
              }
            });

    Snapshot s = swapAfterFirstChunk.backup(source, "ns/pvc/").index();

    assertThat(swapped).isTrue();
    Path target = tmp.resolve("restored");
    restoreAndRead(s, target);
    byte[] restored = Files.readAllBytes(target.resolve("000042.sst"));
    // One file whole, never half of each: here the new one, read again once the swap was seen.
    assertThat(restored).isEqualTo(b);
  }

  /** What a test does to the source after a chunk of the file at {@code relPath} was read. */
  interface AfterChunk {
    void run(String relPath) throws IOException;
  }

  /** An engine that runs {@code action} after each chunk it reads. */
  BackupEngine afterEachChunk(AfterChunk action) {
    return new BackupEngine(store, options(), new Progress())
        .withHooks(
            new BackupEngine.Hooks() {
              @Override
              public void afterChunkRead(String relPath, long offset) {
                try {
                  action.run(relPath);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              }
            });
  }

  /** A seam that appends to the file after each chunk read: it changes under every read. */
  BackupEngine alwaysChanging(Path file, BackupOptions options) {
    return new BackupEngine(store, options, new Progress())
        .withHooks(
            new BackupEngine.Hooks() {
              @Override
              public void afterChunkRead(String relPath, long offset) {
                try {
                  Files.write(file, new byte[] {1}, StandardOpenOption.APPEND);
                  Thread.sleep(25); // past the file system's timestamp tick, so the ctime moves
                } catch (IOException | InterruptedException e) {
                  throw new IllegalStateException(e);
                }
              }
            });
  }

  @Test
  void aFileThatKeepsChangingFailsTheBackupNamingItByDefault() throws IOException {
    Path log = Trees.write(source.resolve("LOG"), Trees.random(3, 1000));
    AtomicInteger reads = new AtomicInteger();
    assertThatThrownBy(
            () -> alwaysChanging(log, options().withChangeRetries(2)).backup(source, "ns/pvc/"))
        .isInstanceOf(FileChangedException.class)
        .hasMessageContaining("file LOG changed while it was read (3 reads)")
        .hasMessageContaining("--on-file-change record");
    assertThat(new SnapshotCatalog(store).entries(null)).isEmpty();
  }

  @Test
  void withPolicyRecordAFileThatKeepsChangingIsCommittedAndMarkedChanged() throws IOException {
    Path log = Trees.write(source.resolve("LOG"), Trees.random(3, 1000));
    Trees.write(source.resolve("CURRENT"), "MANIFEST-000001\n".getBytes());
    BackupResult r =
        alwaysChanging(
                log, options().withChangeRetries(1).withOnFileChange(FileChangePolicy.RECORD))
            .backup(source, "ns/pvc/");
    FileIndex entry = Trees.tree(store, r.index()).file("LOG");
    assertThat(entry.isChanged()).isTrue();
    assertThat(r.changedFiles()).containsExactly("LOG");
    // Files that did not change are not marked.
    assertThat(Trees.tree(store, r.index()).file("CURRENT").isChanged()).isFalse();
  }

  @Test
  void aFileThatVanishesWhileReadIsLeftOutWithAWarning() throws IOException {
    Path gone = Trees.write(source.resolve("gone.sst"), Trees.random(4, 3 * CHUNK));
    Trees.write(source.resolve("stays.sst"), Trees.random(5, 1000));
    BackupResult r =
        afterEachChunk(
                relPath -> {
                  if (relPath.equals("gone.sst")) {
                    Files.deleteIfExists(gone);
                  }
                })
            .backup(source, "ns/pvc/");
    assertThat(Trees.tree(store, r.index()).file("gone.sst")).isNull();
    assertThat(Trees.tree(store, r.index()).file("stays.sst")).isNotNull();
    assertThat(r.vanishedFiles()).containsExactly("gone.sst");
  }

  /**
   * The snapshot's counts are those of what it holds: a file that shrank while read (a log
   * truncated under a 381 MiB backup) was counted at its listed size, and one that vanished was
   * counted at all, so `strata snapshots` showed 381.5 MiB for a snapshot of 1002 bytes.
   */
  @Test
  void theSnapshotCountsWhatItHoldsNotWhatTheListingSaw() throws IOException {
    Path log = Trees.write(source.resolve("LOG"), Trees.random(9, 8 * CHUNK));
    Path gone = Trees.write(source.resolve("gone.sst"), Trees.random(10, 3 * CHUNK));
    Trees.write(source.resolve("stays.sst"), Trees.random(11, 1000));
    AtomicBoolean truncated = new AtomicBoolean();
    BackupResult r =
        afterEachChunk(
                relPath -> {
                  if (relPath.equals("LOG") && truncated.compareAndSet(false, true)) {
                    try (var ch = Files.newByteChannel(log, StandardOpenOption.WRITE)) {
                      ch.truncate(100);
                    }
                  } else if (relPath.equals("gone.sst")) {
                    Files.deleteIfExists(gone);
                  }
                })
            .backup(source, "ns/pvc/");
    assertThat(truncated).isTrue();
    assertThat(Trees.tree(store, r.index()).file("LOG").metadata().size()).isEqualTo(100);
    assertThat(r.vanishedFiles()).containsExactly("gone.sst");
    var stats = r.index().stats();
    assertThat(stats.files()).isEqualTo(2);
    assertThat(stats.totalBytes()).isEqualTo(100 + 1000);
  }

  @Test
  void aFileThatVanishesOrBecomesASymlinkBeforeItIsOpenedIsLeftOutWithAWarning()
      throws IOException {
    Path gone = Trees.write(source.resolve("gone.sst"), Trees.random(6, 1000));
    Path linked = Trees.write(source.resolve("linked.sst"), Trees.random(7, 1000));
    Trees.write(source.resolve("stays.sst"), Trees.random(8, 1000));
    BackupResult r =
        new BackupEngine(store, options(), new Progress())
            .withHooks(
                new BackupEngine.Hooks() {
                  @Override
                  public void beforeOpenFile(String relPath) {
                    try {
                      if (relPath.equals("gone.sst")) {
                        Files.delete(gone);
                      } else if (relPath.equals("linked.sst")) {
                        Files.delete(linked);
                        Files.createSymbolicLink(linked, source.resolve("stays.sst"));
                      }
                    } catch (IOException e) {
                      throw new UncheckedIOException(e);
                    }
                  }
                })
            .backup(source, "ns/pvc/");
    assertThat(Trees.tree(store, r.index()).file("gone.sst")).isNull();
    assertThat(Trees.tree(store, r.index()).file("linked.sst")).isNull();
    assertThat(Trees.tree(store, r.index()).file("stays.sst")).isNotNull();
    assertThat(r.vanishedFiles()).containsExactlyInAnyOrder("gone.sst", "linked.sst");
  }
}
