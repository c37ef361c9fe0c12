package dev.strata.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.strata.engine.store.LocalBlobStoreManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Findings 8 and 9 of issue 12: what a failed restore leaves, and leftovers it cannot prove are its
 * own.
 */
class RestoreFailureTest {

  @TempDir Path tmp;
  Path source;
  LocalBlobStoreManager store;
  Path immutable;

  @BeforeEach
  void setUp() throws IOException {
    source = Files.createDirectories(tmp.resolve("source"));
    store = new LocalBlobStoreManager(tmp.resolve("store"));
  }

  @AfterEach
  void unlock() throws Exception {
    if (immutable != null) {
      new ProcessBuilder("chattr", "-i", immutable.toString()).inheritIO().start().waitFor();
    }
  }

  static List<String> names(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /**
   * A file the commit cannot replace (immutable: even root cannot rename over it) fails the restore
   * in its commit phase. The old engine left its staging directory behind, and the command line
   * exited 0 with --on-failure continue.
   */
  @Test
  void aFailureWhileMovingFilesIntoPlaceRemovesTheStagingDirectoryAndSaysTheTargetIsPartlyRestored()
      throws Exception {
    assumeTrue(
        dev.strata.engine.fs.Capabilities.canChown()
            && new ProcessBuilder("chattr", "--help").start().waitFor() != 127,
        "needs chattr and CAP_LINUX_IMMUTABLE (root) to make a file the commit cannot replace");
    Trees.write(source.resolve("a.txt"), "a".getBytes());
    Trees.write(source.resolve("b.txt"), "b".getBytes());
    Snapshot s =
        new BackupEngine(store, BackupOptions.defaults(), new Progress())
            .backup(source, "ns/pvc/")
            .index();
    Path target = Files.createDirectories(tmp.resolve("target"));
    immutable = Trees.write(target.resolve("b.txt"), "old".getBytes());
    assertThat(
            new ProcessBuilder("chattr", "+i", immutable.toString()).inheritIO().start().waitFor())
        .isZero();

    assertThatThrownBy(
            () ->
                new RestoreEngine(store, RestoreOptions.of(RestoreMode.OVERWRITE), new Progress())
                    .restore(s, target))
        .isInstanceOf(RestoreCommitException.class)
        .hasMessageContaining("(at b.txt)")
        .hasMessageContaining("partly restored");
    assertThat(names(target)).containsExactly("a.txt", "b.txt");
    assertThat(Files.readString(target.resolve("b.txt"))).isEqualTo("old");
  }

  @Test
  void modeEmptyRefusesAStagingLeftoverItCannotProveIsItsOwnAndLeavesIt() throws IOException {
    Trees.write(source.resolve("a.txt"), "a".getBytes());
    Snapshot s =
        new BackupEngine(store, BackupOptions.defaults(), new Progress())
            .backup(source, "ns/pvc/")
            .index();
    Path target = Files.createDirectories(tmp.resolve("target"));
    Path notOurs =
        Trees.write(
            target.resolve(".strata-staging-1234/precious.db"), "someone's data".getBytes());

    assertThatThrownBy(
            () ->
                new RestoreEngine(store, RestoreOptions.of(RestoreMode.EMPTY), new Progress())
                    .restore(s, target))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not empty")
        .hasMessageContaining(".strata-staging-1234");
    assertThat(notOurs).hasContent("someone's data");
  }
}
