package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.cli.CliUxTest.Run;
import dev.strata.engine.GnuTar;
import dev.strata.engine.Trees;
import dev.strata.engine.report.BackupReport;
import dev.strata.engine.report.RestoreReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `strata dump` of a directory as a tar archive (read back by GNU tar), to standard output or
 * --output, with the engine's checks; and the snapshot as a positional argument of restore, show,
 * diff, verify and forget, as restic takes it, with --snapshot still accepted.
 */
class DumpTarAndSnapshotArgumentTest {

  @TempDir Path tmp;

  Run strata(String... args) {
    return CliUxTest.strata(Map.of("HOME", tmp.resolve("home").toString()), args);
  }

  String store() {
    return tmp.resolve("store").toUri().toString();
  }

  String backup(Path src, String sourceId) throws IOException {
    Run b =
        strata(
            "backup",
            "--store",
            store(),
            "--source",
            src.toString(),
            "--source-id",
            sourceId,
            "--json");
    assertThat(b.code()).as(b.err()).isZero();
    return b.json(BackupReport.class).snapshotId();
  }

  /**
   * The rich tree, three names of one inode (the first in tree order is zz-outside-hard.sst: a
   * directory's files come before its sub-directories), and a path past ustar's limits.
   */
  Path source() throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Trees.makeRichTree(src);
    Files.createLink(src.resolve("big/hard.sst"), src.resolve("big/large.sst"));
    Files.createLink(src.resolve("zz-outside-hard.sst"), src.resolve("big/large.sst"));
    Trees.write(
        src.resolve("long/" + "d".repeat(150) + "/" + "n".repeat(200)), "long path".getBytes());
    return src;
  }

  Path extract(byte[] tar, String name) throws IOException {
    Path archive = Files.write(tmp.resolve(name + ".tar"), tar);
    Path out = Files.createDirectories(tmp.resolve(name));
    GnuTar.extract(archive, out);
    return out;
  }

  /** Everything but the root directory itself, which a dump of the whole snapshot leaves out. */
  static TreeMap<String, String> below(Path root) {
    TreeMap<String, String> all = Trees.describe(root);
    all.remove(".");
    return all;
  }

  @Test
  void aWholeSnapshotDumpsAsATarThatExtractsToTheSource() throws IOException {
    Path src = source();
    String id = backup(src, "rich");

    Run dump = strata("dump", "--store", store(), id);
    assertThat(dump.code()).as(dump.err()).isZero();
    assertThat(dump.out()).isEmpty();
    Path out = extract(dump.raw(), "all");
    assertThat(below(out)).containsExactlyEntriesOf(below(src));
    assertThat(Files.isSameFile(out.resolve("big/large.sst"), out.resolve("big/hard.sst")))
        .isTrue();
    assertThat(Files.isSameFile(out.resolve("big/large.sst"), out.resolve("zz-outside-hard.sst")))
        .isTrue();
    // "/" names the whole snapshot too, and the archive is the same bytes.
    assertThat(strata("dump", "--store", store(), id, "/").raw()).isEqualTo(dump.raw());
  }

  @Test
  void aDirectoryDumpsUnderItsPathAndHardLinksFromOutsideGetTheirContent() throws IOException {
    Path src = source();
    Files.createDirectories(src.resolve("zz-later"));
    Files.createLink(src.resolve("zz-later/link-into-big.sst"), src.resolve("big/large.sst"));
    String id = backup(src, "rich");

    Path outFile = tmp.resolve("zz.tar");
    Run dump =
        strata("dump", "--store", store(), "latest", "zz-later", "--output", outFile.toString());
    assertThat(dump.code()).as(dump.err()).isZero();
    assertThat(dump.raw()).isEmpty();
    assertThat(GnuTar.names(outFile)).containsExactly("zz-later/", "zz-later/link-into-big.sst");
    Path out = Files.createDirectories(tmp.resolve("zz"));
    GnuTar.extract(outFile, out);
    assertThat(Files.readAllBytes(out.resolve("zz-later/link-into-big.sst")))
        .isEqualTo(Files.readAllBytes(src.resolve("big/large.sst")));

    Run big = strata("dump", "--store", store(), id, "big/");
    Path bigOut = extract(big.raw(), "big");
    assertThat(Trees.describe(bigOut.resolve("big")))
        .containsExactlyEntriesOf(Trees.describe(src.resolve("big")));
    assertThat(Files.isSameFile(bigOut.resolve("big/large.sst"), bigOut.resolve("big/hard.sst")))
        .isTrue();

    // One file is still its bytes, to standard output or to --output.
    assertThat(strata("dump", "--store", store(), id, "a/b/c/deep.txt").raw())
        .isEqualTo("deep".getBytes());
    Path one = tmp.resolve("deep.txt");
    assertThat(
            strata("dump", "--store", store(), id, "a/b/c/deep.txt", "-o", one.toString()).code())
        .isZero();
    assertThat(Files.readString(one)).isEqualTo("deep");
    Run link = strata("dump", "--store", store(), id, "link-rel");
    assertThat(link.code()).isEqualTo(2);
    assertThat(link.err()).contains("is a symlink to a/b/c/deep.txt");
    Run toDir = strata("dump", "--store", store(), id, "a", "--output", tmp.toString());
    assertThat(toDir.code()).isEqualTo(2);
    assertThat(toDir.err()).contains("is a directory").contains("name the file");
  }

  /**
   * --output in a directory that does not exist said "cannot write /x/out: /x/.out.strata-partial-
   * PID", the partial file's name and nothing else; and a dump killed (kill -9) left its partial
   * file, as large as what it had written, beside the output for good.
   */
  @Test
  void outputInAMissingDirectorySaysSoAndAKilledDumpsPartialFileIsRemoved() throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Trees.write(src.resolve("f"), "content".getBytes());
    String id = backup(src, "app");
    Path missing = tmp.resolve("no-such-dir").resolve("out");
    Run r = strata("dump", "--store", store(), id, "f", "--output", missing.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err().strip())
        .isEqualTo(
            "strata: --output "
                + missing
                + ": the directory "
                + missing.getParent()
                + " does not exist");

    Path out = tmp.resolve("out");
    // A dead process's partial file (no process has pid 2^22 + 1: above Linux's pid_max), and a
    // live one's (pid 1 is always running), which a dump to the same file must leave alone.
    Path dead = Files.writeString(tmp.resolve(".out.strata-partial-4194305"), "partial");
    Path live = Files.writeString(tmp.resolve(".out.strata-partial-1"), "x");
    Path other = Files.writeString(tmp.resolve(".other.strata-partial-4194305"), "not out's");
    assertThat(strata("dump", "--store", store(), id, "f", "--output", out.toString()).code())
        .isZero();
    assertThat(Files.readString(out)).isEqualTo("content");
    assertThat(dead).doesNotExist();
    assertThat(other).exists();
    assertThat(live).exists();
  }

  @Test
  void aCorruptBlobFailsTheDumpAndLeavesNoOutputFile() throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Trees.write(src.resolve("db/000001.sst"), Trees.random(5, 200_000));
    Trees.write(src.resolve("db/CURRENT"), "c".getBytes());
    String id = backup(src, "app");
    var local = new dev.strata.engine.store.LocalBlobStoreManager(tmp.resolve("store"));
    String blob =
        Trees.tree(local, new dev.strata.engine.SnapshotCatalog(local).load(id))
            .subDirsPresent()
            .get(0)
            .filesPresent()
            .stream()
            .filter(f -> f.name().equals("000001.sst"))
            .findFirst()
            .orElseThrow()
            .blobs()
            .get(0)
            .id();
    Trees.corruptBlob(local, blob);

    Path existing = Files.writeString(tmp.resolve("db.tar"), "an earlier dump");
    Run dump = strata("dump", "--store", store(), id, "db", "--output", existing.toString());
    assertThat(dump.code()).isEqualTo(1);
    assertThat(dump.err()).contains("db/000001.sst");
    assertThat(Files.readString(existing))
        .as("the file named by --output is left as it was")
        .isEqualTo("an earlier dump");
    try (var left = Files.list(tmp)) {
      assertThat(left.map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.contains("strata-partial"));
    }
    Run stdout = strata("dump", "--store", store(), id, "db");
    assertThat(stdout.code()).isEqualTo(1);
    assertThat(stdout.err()).contains("db/000001.sst");
  }

  @Test
  void commandsTakeTheSnapshotAsAnArgumentOrAsTheOlderOption() throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Trees.write(src.resolve("f"), "one".getBytes());
    String first = backup(src, "app");
    Trees.write(src.resolve("f"), "two!".getBytes());
    String second = backup(src, "app");

    Path target = tmp.resolve("t");
    Run restore =
        strata("restore", "--store", store(), "latest", "--target", target.toString(), "--json");
    assertThat(restore.code()).as(restore.err()).isZero();
    assertThat(restore.json(RestoreReport.class).snapshotId()).isEqualTo(second);
    assertThat(Files.readString(target.resolve("f"))).isEqualTo("two!");
    Run old =
        strata(
            "restore",
            "--store",
            store(),
            "--snapshot",
            first,
            "--target",
            tmp.resolve("t1").toString(),
            "--json");
    assertThat(old.json(RestoreReport.class).snapshotId()).isEqualTo(first);
    Run both =
        strata(
            "restore",
            "--store",
            store(),
            first,
            "--snapshot",
            first,
            "--target",
            tmp.resolve("t2").toString(),
            "--json");
    assertThat(both.code()).as(both.err()).isZero();
    assertThat(both.json(RestoreReport.class).snapshotId()).isEqualTo(first);

    Run differ =
        strata(
            "restore",
            "--store",
            store(),
            first,
            "--snapshot",
            "latest",
            "--target",
            tmp.resolve("t3").toString());
    assertThat(differ.code()).isEqualTo(2);
    assertThat(differ.err())
        .contains("named twice")
        .contains(first)
        .contains("--snapshot 'latest'");
    assertThat(tmp.resolve("t3")).doesNotExist();
    Run withLatest =
        strata(
            "restore",
            "--store",
            store(),
            first,
            "--latest",
            "--source-id",
            "app",
            "--target",
            tmp.resolve("t4").toString());
    assertThat(withLatest.code()).isEqualTo(2);
    assertThat(withLatest.err()).contains("--latest, not both");
    Run none = strata("restore", "--store", store(), "--target", tmp.resolve("t5").toString());
    assertThat(none.code()).isEqualTo(2);
    assertThat(none.err())
        .contains("name the snapshot to restore")
        .contains("strata restore latest");

    Run show = strata("show", "--store", store(), "latest", "--json");
    assertThat(show.code()).as(show.err()).isZero();
    assertThat(show.json(ShowCommand.Shown.class).snapshot().snapshotId()).isEqualTo(second);
    assertThat(strata("show", "--store", store(), "latest", "--snapshot", first).code())
        .isEqualTo(2);
    assertThat(strata("show", "--store", store()).err()).contains("name the snapshot to show");

    Run diff = strata("diff", "--store", store(), first, "--source", src.toString(), "--json");
    assertThat(diff.code()).as(diff.err()).isZero();
    assertThat(diff.json(dev.strata.engine.TreeDiff.class).changed()).containsExactly("f");

    Run verify = strata("verify", "--store", store(), "latest", "--json");
    assertThat(verify.code()).as(verify.err()).isZero();
    assertThat(verify.json(VerifyCommand.Result.class).snapshots())
        .extracting(VerifyCommand.Checked::snapshotId)
        .containsExactly(second);
    assertThat(strata("verify", "--store", store(), "latest", "--all").code()).isEqualTo(2);
    assertThat(strata("verify", "--store", store()).err()).contains("or give --all");

    Run forgetLatest = strata("forget", "--store", store(), "latest");
    assertThat(forgetLatest.code()).isEqualTo(2);
    Run forget = strata("forget", "--store", store(), first, "--json");
    assertThat(forget.code()).as(forget.err()).isZero();
    assertThat(forget.json(ForgetCommand.Forgotten.class).snapshotId()).isEqualTo(first);
    Run forgetBoth = strata("forget", "--store", store(), second, "--snapshot", first);
    assertThat(forgetBoth.code()).isEqualTo(2);
    assertThat(strata("snapshots", "--store", store()).out())
        .contains(second)
        .doesNotContain(first);
  }

  @Test
  void helpAndCompletionShowTheSnapshotArgument() {
    for (String command : List.of("restore", "show", "diff", "verify", "forget", "dump", "ls")) {
      Run help = strata(command, "--help");
      assertThat(help.code()).isZero();
      assertThat(help.out())
          .as(command)
          .contains(command.equals("dump") || command.equals("ls") ? "SNAPSHOT" : "[SNAPSHOT]");
    }
    assertThat(strata("dump", "--help").out()).contains("--output").contains("tar");
    assertThat(strata("completion", "bash").out()).contains("--output");
  }
}
