package dev.strata.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.engine.fs.DirHandle;
import dev.strata.engine.fs.Stat;
import dev.strata.engine.store.LocalBlobStoreManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding 3 of issue 12: a restore writes only inside its target, whatever races with it. */
class RestoreBoundaryTest {

  @TempDir Path tmp;
  Path source;
  Path outside;
  LocalBlobStoreManager store;

  @BeforeEach
  void setUp() throws IOException {
    source = Files.createDirectories(tmp.resolve("source"));
    outside = Files.createDirectories(tmp.resolve("outside"));
    store = new LocalBlobStoreManager(tmp.resolve("store"));
  }

  long count(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.count() - 1;
    }
  }

  /**
   * The reproduction (1 of 6 runs sent 1,615 files outside): a thread flips the target's
   * sub-directory between a directory and a symlink to a directory outside while overwrite restores
   * run. Bounded: 12 restores or 40 s.
   */
  @Test
  void aTargetDirectoryFlippingToASymlinkNeverReceivesFilesOutside() throws Exception {
    for (int i = 0; i < 400; i++) {
      Trees.write(source.resolve("sub/f" + i), Trees.random(i, 100));
    }
    Snapshot s =
        new BackupEngine(store, BackupOptions.defaults(), new Progress())
            .backup(source, "ns/pvc/")
            .index();
    Path target = Files.createDirectories(tmp.resolve("target"));
    Files.createDirectories(target.resolve("sub"));
    AtomicBoolean stop = new AtomicBoolean();
    Thread flipper =
        new Thread(
            () -> {
              Path sub = target.resolve("sub");
              for (int n = 0; !stop.get(); n++) {
                Path aside =
                    tmp.resolve(
                        "aside-" + n); // never inside outside/, whatever the restore does meanwhile
                try {
                  Files.move(sub, aside, StandardCopyOption.ATOMIC_MOVE);
                  Files.createSymbolicLink(sub, outside);
                  Thread.onSpinWait();
                  Files.delete(sub);
                  Files.move(aside, sub, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e) {
                  // the restore replaced sub meanwhile: flip whatever is there next
                }
              }
            });
    flipper.start();
    long deadline = System.nanoTime() + 40_000_000_000L;
    try {
      for (int run = 0; run < 12 && System.nanoTime() < deadline; run++) {
        try {
          new RestoreEngine(
                  store, new RestoreOptions(RestoreMode.OVERWRITE, 4, false, false), new Progress())
              .restore(s, target);
        } catch (RuntimeException targetChanged) {
          // failing is fine; writing outside is not
        }
        assertThat(count(outside)).as("entries written outside the target in run %d", run).isZero();
      }
    } finally {
      stop.set(true);
      flipper.join();
    }
  }

  /**
   * The second case: sync kept a file that is a hard link to a file outside and changed
   * that file's mode.
   */
  @Test
  void syncNeverChangesAFileOutsideThroughAHardLinkInTheTarget() throws IOException {
    Path f = Trees.write(source.resolve("config"), "v1".getBytes());
    Trees.setMode(f, 0600);
    Snapshot s =
        new BackupEngine(store, BackupOptions.defaults(), new Progress())
            .backup(source, "ns/pvc/")
            .index();
    Path precious = Trees.write(outside.resolve("shadow"), "v1".getBytes());
    Trees.setMode(precious, 0640);
    Files.setLastModifiedTime(precious, Files.getLastModifiedTime(f));
    Path target = Files.createDirectories(tmp.resolve("target"));
    Files.createLink(
        target.resolve("config"),
        precious); // same size and mtime as the snapshot's file, another mode

    new RestoreEngine(store, RestoreOptions.of(RestoreMode.SYNC), new Progress())
        .restore(s, target);

    assertThat(Files.getAttribute(precious, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS))
        .isEqualTo(0100640);
    assertThat(Files.getAttribute(precious, "unix:nlink")).isEqualTo(1);
    Trees.assertSameTree(source, target);
  }

  @Test
  void aSymlinkedDirectoryInTheTargetIsReplacedNotWrittenThrough() throws IOException {
    Trees.write(source.resolve("dir/file"), "inside".getBytes());
    Snapshot s =
        new BackupEngine(store, BackupOptions.defaults(), new Progress())
            .backup(source, "ns/pvc/")
            .index();
    Path target = Files.createDirectories(tmp.resolve("target"));
    Files.createSymbolicLink(target.resolve("dir"), outside);
    new RestoreEngine(store, RestoreOptions.of(RestoreMode.OVERWRITE), new Progress())
        .restore(s, target);
    assertThat(count(outside)).isZero();
    try (DirHandle t = DirHandle.open(target)) {
      Stat st = t.statAt("dir");
      assertThat(st.isDirectory()).isTrue();
    }
  }
}
