package dev.strata.cli;

import static dev.strata.cli.StrataCliTest.strata;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.cli.StrataCliTest.Run;
import dev.strata.engine.SnapshotCatalog;
import dev.strata.engine.Trees;
import dev.strata.engine.store.LocalBlobStoreManager;
import dev.strata.engine.store.StoreLayout;
import dev.strata.engine.tree.TreeEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Findings 4, 7, 10, 11 and 14 of issue 12, as a person meets them on the command line. */
class SafetyCliTest {

  @TempDir Path tmp;

  String store() {
    return tmp.resolve("store").toUri().toString();
  }

  String backup(Path src, String... extra) throws IOException {
    String[] args =
        Stream.concat(
                Stream.of(
                    "backup",
                    "--store",
                    store(),
                    "--source",
                    src.toString(),
                    "--source-id",
                    "ns/pvc/",
                    "--json"),
                Stream.of(extra))
            .toArray(String[]::new);
    Run r = strata(args);
    assertThat(r.code()).as(r.err()).isZero();
    return r.json().get("snapshotId").asText();
  }

  /**
   * Finding 10: a typo in a monitoring `verify --all` reported success and created the directory.
   */
  @Test
  void readOnlyCommandsOnAMissingStoreFailAndCreateNothing() {
    Path missing = tmp.resolve("no-such-store");
    for (String[] cmd :
        new String[][] {
          {"verify", "--all"},
          {"snapshots"},
          {"show", "--snapshot", "20261126T071913.042Z-a1b2c3"},
          {
            "restore",
            "--latest",
            "--source-id",
            "x",
            "--target",
            tmp.resolve("t").toString(),
            "--if-none",
            "fresh-start"
          },
          {"gc"},
          {"forget", "--snapshot", "20261126T071913.042Z-a1b2c3"}
        }) {
      String[] args =
          Stream.concat(
                  Stream.of(cmd[0], "--store", missing.toUri().toString()), Stream.of(cmd).skip(1))
              .toArray(String[]::new);
      Run r = strata(args);
      assertThat(r.code()).as("%s: %s", cmd[0], r.err()).isEqualTo(1);
      assertThat(r.err()).as(cmd[0]).contains("does not exist: check --store");
      assertThat(missing).as(cmd[0]).doesNotExist();
    }
  }

  /** Finding 11: out-of-range --parallelism exited 1, and verify accepted 100000. */
  @Test
  void outOfRangeParallelismIsAUsageError() throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src"));
    for (String[] cmd :
        new String[][] {
          {"backup", "--source", src.toString()},
          {"verify", "--all"},
          {"gc"},
          {"restore", "--latest", "--source-id", "x", "--target", tmp.resolve("t").toString()}
        }) {
      for (String n : new String[] {"0", "-1", "257", "100000"}) {
        String[] args =
            Stream.concat(
                    Stream.of(cmd[0], "--store", store(), "--parallelism", n),
                    Stream.of(cmd).skip(1))
                .toArray(String[]::new);
        Run r = strata(args);
        assertThat(r.code()).as("%s --parallelism %s: %s", cmd[0], n, r.err()).isEqualTo(2);
        assertThat(r.err().strip())
            .contains("--parallelism must be between 1 and 256")
            .doesNotContain("\n");
      }
    }
  }

  /**
   * An empty path (`--target "$DIR"` with DIR unset) meant the current directory: `restore --mode
   * sync --target ""` emptied it of everything the snapshot lacks, and `backup --source ""` backed
   * it up.
   */
  @Test
  void anEmptyPathIsAUsageErrorNotTheCurrentDirectory() throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Trees.write(src.resolve("f"), "x".getBytes());
    String id = backup(src);
    // The default mode only: were the empty target taken as the current directory, sync would
    // empty this test's working directory.
    for (String[] row :
        new String[][] {
          {"--target", "restore", id, "--target", ""},
          {"--target", "restore", id, "--target", " "},
          {"--source", "backup", "--source", "", "--source-id", "x"},
          {"--source", "diff", id, "--source", ""},
          {"--output", "dump", id, "f", "--output", ""},
          {"--key-file", "snapshots", "--key-file", ""}
        }) {
      String option = row[0];
      String line = String.join(" ", Stream.of(row).skip(1).toList());
      String[] args =
          Stream.concat(Stream.of(row[1], "--store", store()), Stream.of(row).skip(2))
              .toArray(String[]::new);
      Run r = strata(args);
      assertThat(r.code()).as("%s: %s", line, r.err()).isEqualTo(2);
      assertThat(r.err().lines().findFirst().orElse(""))
          .as(line)
          .isEqualTo(
              "strata: Invalid value for option '"
                  + option
                  + "': an empty path names no file or directory (is a shell variable unset?):"
                  + " give a path, '.' for the current directory");
    }
  }

  /**
   * One damaged snapshot object made `strata snapshots` fail as a whole, so the snapshots that
   * could still be restored could not even be listed. They are listed; the damaged one is named on
   * standard error, and the exit code is 1.
   */
  @Test
  void snapshotsListsTheReadableSnapshotsAndNamesTheDamagedOne() throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Trees.write(src.resolve("f"), "x".getBytes());
    String first = backup(src);
    Trees.write(src.resolve("g"), "y".getBytes());
    String second = backup(src);
    Path damaged;
    try (Stream<Path> files = Files.walk(tmp.resolve("store").resolve(StoreLayout.SNAPSHOTS))) {
      damaged = files.filter(p -> p.toString().contains(first)).findFirst().orElseThrow();
    }
    byte[] b = Files.readAllBytes(damaged);
    Files.write(damaged, java.util.Arrays.copyOf(b, b.length / 2));

    Run r = strata("snapshots", "--store", store());
    assertThat(r.code()).as(r.err()).isEqualTo(1);
    assertThat(r.out()).contains(second).doesNotContain(first);
    assertThat(r.err().strip())
        .startsWith("strata: snapshot " + first + " cannot be read: ")
        .doesNotContain("\n");
    Run json = strata("snapshots", "--store", store(), "--json");
    assertThat(json.code()).isEqualTo(1);
    assertThat(json.json().size()).isEqualTo(1);
    assertThat(json.json().get(0).get("snapshotId").asText()).isEqualTo(second);
  }

  /** Finding 14: `show --files` printed control characters in names raw to the terminal. */
  @Test
  void fileNamesArePrintedSafely() throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Trees.write(src.resolve("evil\u001b[2J\nFAKE LINE"), "x".getBytes());
    String id = backup(src);
    Run show = strata("show", "--store", store(), "--snapshot", id, "--files");
    assertThat(show.code()).isZero();
    assertThat(show.out()).doesNotContain("\u001b").contains("evil\\x1b[2J\\nFAKE LINE");
    assertThat(show.out().lines().filter(l -> l.startsWith("FAKE"))).isEmpty();
    Run diff =
        strata(
            "diff",
            "--store",
            store(),
            "--snapshot",
            id,
            "--source",
            tmp.resolve("src").toString());
    assertThat(diff.out()).doesNotContain("\u001b");
  }

  /** Finding 7: verify said "ok" for a snapshot that restore refuses. */
  @Test
  void verifyRunsTheValidatorRestoreRuns() throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Trees.write(src.resolve("f"), "x".getBytes());
    String id = backup(src);
    LocalBlobStoreManager local = new LocalBlobStoreManager(tmp.resolve("store"));
    // Two entries of one name: a restore refuses it (a path could pass through a symlink the
    // restore makes).
    dev.strata.engine.Tamper.rewriteTree(
        local,
        null,
        new SnapshotCatalog(local).load(id),
        records -> {
          List<TreeEntry> out = new ArrayList<>();
          for (TreeEntry e : records) {
            out.add(e);
            if (e instanceof TreeEntry.File) {
              out.add(e);
            }
          }
          return out;
        });

    Run verify = strata("verify", "--store", store(), "--all");
    assertThat(verify.code()).isEqualTo(1);
    assertThat(verify.out()).contains("snapshot " + id + ": refused").contains("appears twice");
    Run restore =
        strata(
            "restore",
            "--store",
            store(),
            "--snapshot",
            id,
            "--target",
            tmp.resolve("t").toString());
    assertThat(restore.code()).isEqualTo(1);
  }

  LocalBlobStoreManager local() {
    return new LocalBlobStoreManager(tmp.resolve("store"));
  }

  /** The blob id of a file of a snapshot. */
  String blobOf(String snapshotId, String file) {
    return Trees.tree(local(), new SnapshotCatalog(local()).load(snapshotId))
        .file(file)
        .blobs()
        .get(0)
        .id();
  }

  /**
   * Finding 4: a lost blob was never uploaded again, and the damage spread to every later snapshot.
   */
  @Test
  void repairMarksLostBlobsAndTheNextBackupStoresThemAgain() throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Trees.write(src.resolve("a.sst"), Trees.random(1, 5000));
    Trees.write(src.resolve("b.sst"), Trees.random(2, 5000));
    String first = backup(src);
    // The pack that holds both files' blobs is lost (a person, a bucket policy, a disk).
    Files.delete(tmp.resolve("store").resolve(Trees.packKeyOf(local(), blobOf(first, "a.sst"))));

    Run verify = strata("verify", "--store", store(), "--all", "--read-data", "--repair");
    assertThat(verify.code()).isEqualTo(1);
    assertThat(verify.err()).contains("a.sst").contains("b.sst").contains("missing");
    assertThat(verify.out()).contains("marked 2 blobs damaged").contains(first);
    assertThat(tmp.resolve("store").resolve(StoreLayout.DAMAGED)).isNotEmptyDirectory();

    Run next =
        strata(
            "backup",
            "--store",
            store(),
            "--source",
            src.toString(),
            "--source-id",
            "ns/pvc/",
            "--json");
    assertThat(next.json().get("uploadedBytes").asLong()).isEqualTo(10_000);
    Run all = strata("verify", "--store", store(), "--all", "--read-data");
    assertThat(all.code()).as(all.out() + all.err()).isZero();
    assertThat(tmp.resolve("store").resolve(StoreLayout.DAMAGED)).isEmptyDirectory();
  }

  @Test
  void repairMarksACorruptBlobAndTheNextBackupStoresItAgain() throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Trees.write(src.resolve("a.sst"), Trees.random(1, 5000));
    String id = backup(src);
    Trees.corruptBlob(local(), blobOf(id, "a.sst"));

    Run verify = strata("verify", "--store", store(), "--all", "--read-data", "--repair");
    assertThat(verify.code()).isEqualTo(1);
    assertThat(verify.err()).contains("a.sst").contains("does not match its checksum");
    assertThat(verify.out()).contains("marked 1 blobs damaged");
    backup(src);
    // The new copy, in a new pack, is the one readers take; the damaged one goes when its pack is
    // repacked.
    assertThat(strata("verify", "--store", store(), "--all", "--read-data").code()).isZero();
    Path target = tmp.resolve("restored");
    assertThat(
            strata("restore", "--store", store(), "--snapshot", id, "--target", target.toString())
                .code())
        .isZero();
    Trees.assertSameTree(src, target);
  }

  @Test
  void fullCheckFindsALostPackByListingAndStoresItsBlobsAgain() throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Trees.write(src.resolve("a.sst"), Trees.random(1, 5000));
    String id = backup(src);
    Files.delete(tmp.resolve("store").resolve(Trees.packKeyOf(local(), blobOf(id, "a.sst"))));
    backup(src, "--full-check");
    assertThat(strata("verify", "--store", store(), "--all", "--read-data").code()).isZero();
  }

  /**
   * Finding 8, on the command line: a restore that failed in its commit exits 1 even with
   * --on-failure continue.
   */
  @Test
  void onFailureContinueDoesNotHideAPartlyRestoredTarget() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        dev.strata.engine.fs.Capabilities.canChown(),
        "needs CAP_LINUX_IMMUTABLE (root) to make a file the commit cannot replace");
    Path src = Files.createDirectories(tmp.resolve("src"));
    Trees.write(src.resolve("a.txt"), "a".getBytes());
    Trees.write(src.resolve("b.txt"), "b".getBytes());
    String id = backup(src);
    Path target = Files.createDirectories(tmp.resolve("target"));
    Path locked = Trees.write(target.resolve("b.txt"), "old".getBytes());
    assertThat(new ProcessBuilder("chattr", "+i", locked.toString()).start().waitFor()).isZero();
    try {
      Run r =
          strata(
              "restore",
              "--store",
              store(),
              "--snapshot",
              id,
              "--target",
              target.toString(),
              "--mode",
              "overwrite",
              "--on-failure",
              "continue");
      assertThat(r.code()).isEqualTo(1);
      assertThat(r.err()).contains("partly restored");
    } finally {
      new ProcessBuilder("chattr", "-i", locked.toString()).start().waitFor();
    }
  }
}
