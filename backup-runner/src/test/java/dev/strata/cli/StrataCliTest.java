package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.engine.Trees;
import dev.strata.engine.index.IndexCodec;
import dev.strata.engine.report.BackupReport;
import dev.strata.engine.report.RunError;
import dev.strata.engine.report.RunReports;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line as people and the operator use it: results, JSON fields, messages and exit
 * codes.
 */
class StrataCliTest {

  @TempDir Path tmp;

  record Run(int code, String out, String err) {
    JsonNode json() throws IOException {
      return IndexCodec.mapper().readTree(out);
    }
  }

  static Run strata(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = StrataCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  String store() {
    return tmp.resolve("store").toUri().toString();
  }

  @Test
  void backupListShowDiffVerifyRestoreForget() throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Trees.makeRichTree(src);

    Run backup =
        strata(
            "backup",
            "--store",
            store(),
            "--source",
            src.toString(),
            "--source-id",
            "ns/pvc/",
            "--json");
    assertThat(backup.code()).as(backup.err()).isZero();
    JsonNode b = backup.json();
    for (String field :
        new String[] {
          "snapshotId",
          "sourceId",
          "files",
          "directories",
          "totalBytes",
          "uploadedBytes",
          "reusedBytes",
          "durationMs"
        }) {
      assertThat(b.has(field)).as(field).isTrue();
    }
    String id = b.get("snapshotId").asText();
    assertThat(b.get("sourceId").asText()).isEqualTo("ns/pvc/");
    assertThat(b.get("files").asLong()).isEqualTo(7);

    Run list = strata("snapshots", "--store", store(), "--json");
    assertThat(list.json().get(0).get("snapshotId").asText()).isEqualTo(id);
    assertThat(strata("snapshots", "--store", store()).out()).contains(id).contains("ns/pvc/");

    assertThat(strata("show", "--store", store(), "--snapshot", id, "--files").out())
        .contains("big/large.sst")
        .contains("link-rel -> a/b/c/deep.txt");

    Files.writeString(src.resolve("added.txt"), "new");
    Files.delete(src.resolve("zero.bin"));
    Run diff =
        strata("diff", "--store", store(), "--snapshot", id, "--source", src.toString(), "--json");
    assertThat(diff.json().get("added").get(0).asText()).isEqualTo("added.txt");
    assertThat(diff.json().get("removed").get(0).asText()).isEqualTo("zero.bin");

    assertThat(strata("verify", "--store", store(), "--snapshot", id, "--read-data").code())
        .isZero();

    Path target = tmp.resolve("target");
    Run restore =
        strata(
            "restore",
            "--store",
            store(),
            "--snapshot",
            id,
            "--target",
            target.toString(),
            "--json");
    assertThat(restore.code()).as(restore.err()).isZero();
    for (String field :
        new String[] {
          "snapshotId", "files", "totalBytes", "downloadedBytes", "reusedBytes", "durationMs"
        }) {
      assertThat(restore.json().has(field)).as(field).isTrue();
    }
    Run again =
        strata(
            "restore",
            "--store",
            store(),
            "--latest",
            "--source-id",
            "ns/pvc/",
            "--target",
            target.toString(),
            "--mode",
            "sync",
            "--json");
    assertThat(again.json().get("downloadedBytes").asLong()).isZero();

    assertThat(strata("forget", "--store", store(), "--snapshot", id).code()).isZero();
    assertThat(strata("snapshots", "--store", store()).out()).contains("no snapshots");
  }

  @Test
  void verifyFailsWhenABlobIsMissing() throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Trees.write(src.resolve("f"), Trees.random(1, 1000));
    String id =
        strata("backup", "--store", store(), "--source", src.toString(), "--json")
            .json()
            .get("snapshotId")
            .asText();
    var local = new dev.strata.engine.store.LocalBlobStoreManager(tmp.resolve("store"));
    var snapshot = new dev.strata.engine.SnapshotCatalog(local).load(id);
    String blob = dev.strata.engine.Trees.tree(local, snapshot).file("f").blobs().get(0).id();
    Files.delete(tmp.resolve("store").resolve(dev.strata.engine.Trees.packKeyOf(local, blob)));
    Run verify = strata("verify", "--store", store(), "--all");
    assertThat(verify.code()).isEqualTo(1);
    assertThat(verify.err()).contains("f: blob").contains("missing");
  }

  @Test
  void usageErrorsExitWithTwoAndSayWhatToFix() {
    assertThat(strata().code()).isEqualTo(2);
    Run noStore = strata("backup", "--source", "/tmp");
    assertThat(noStore.code()).isEqualTo(2);
    assertThat(noStore.err()).contains("--store");
    Run badUri = strata("snapshots", "--store", "ftp://x");
    assertThat(badUri.code()).isEqualTo(2);
    assertThat(badUri.err()).contains("use file:///absolute/dir or s3://bucket");
    Run relative = strata("snapshots", "--store", "file:relative/dir");
    assertThat(relative.code()).isEqualTo(2);
    Run badMode =
        strata(
            "restore",
            "--store",
            store(),
            "--latest",
            "--source-id",
            "x",
            "--target",
            "/tmp/t",
            "--mode",
            "merge");
    assertThat(badMode.code()).isEqualTo(2);
    assertThat(badMode.err()).contains("use empty, overwrite or sync");
    Run latestWithoutSource =
        strata("restore", "--store", store(), "--latest", "--target", "/tmp/t");
    assertThat(latestWithoutSource.code()).isEqualTo(2);
    assertThat(latestWithoutSource.err()).contains("--latest needs --source-id");
    Run both =
        strata("restore", "--store", store(), "--latest", "--snapshot", "x", "--target", "/tmp/t");
    assertThat(both.code()).isEqualTo(2);
  }

  @Test
  void failuresExitWithOneAndOneLineToStderr() throws IOException {
    Files.createDirectories(tmp.resolve("store"));
    Run missing =
        strata(
            "restore",
            "--store",
            store(),
            "--snapshot",
            "20261126T071913.042Z-a1b2c3",
            "--target",
            tmp.resolve("t").toString());
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err().strip())
        .startsWith("strata: snapshot 20261126T071913.042Z-a1b2c3 does not exist")
        .doesNotContain("\n");
    Run noLatest =
        strata(
            "restore",
            "--store",
            store(),
            "--latest",
            "--source-id",
            "nobody",
            "--target",
            tmp.resolve("t").toString());
    assertThat(noLatest.code()).isEqualTo(1);
    assertThat(noLatest.err()).contains("source 'nobody' has no snapshot");
    // A source that does not exist says so (it said "is not a directory"); a file is not a
    // directory.
    Path nope = tmp.resolve("nope");
    Run noSource = strata("backup", "--store", store(), "--source", nope.toString());
    assertThat(noSource.code()).isEqualTo(1);
    assertThat(noSource.err().strip())
        .isEqualTo("strata: the source " + nope + " does not exist: check --source");
    Run missingDiff = strata("diff", "latest", "--store", store(), "--source", nope.toString());
    assertThat(missingDiff.err().strip())
        .isEqualTo("strata: the source " + nope + " does not exist: check --source");
    Path file = Files.writeString(tmp.resolve("a-file"), "x");
    Run notDir = strata("backup", "--store", store(), "--source", file.toString());
    assertThat(notDir.code()).isEqualTo(1);
    assertThat(notDir.err()).contains("is not a directory: check --source");
  }

  @Test
  void resultFileHoldsTheResultOrTheError() throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Trees.write(src.resolve("f"), "x".getBytes());
    Path result = tmp.resolve("termination-log");
    assertThat(
            strata(
                    "backup",
                    "--store",
                    store(),
                    "--source",
                    src.toString(),
                    "--result-file",
                    result.toString())
                .code())
        .isZero();
    JsonNode ok = IndexCodec.mapper().readTree(result.toFile());
    assertThat(ok.get("files").asLong()).isEqualTo(1);
    assertThat(ok.get("snapshotId").asText()).isNotBlank();

    Run failed =
        strata(
            "restore",
            "--store",
            store(),
            "--latest",
            "--source-id",
            "nobody",
            "--target",
            tmp.resolve("t").toString(),
            "--result-file",
            result.toString());
    assertThat(failed.code()).isEqualTo(1);
    assertThat(IndexCodec.mapper().readTree(result.toFile()).get("error").asText())
        .contains("source 'nobody' has no snapshot");
    assertThat(error(result).cause()).isEqualTo(RunError.Cause.SNAPSHOT_MISSING);

    // What the operator decides by is the cause, never the wording.
    Path full = Files.createDirectories(tmp.resolve("full"));
    Trees.write(full.resolve("there-before"), "x".getBytes());
    String id =
        RunReports.read(Files.readString(tmpResult(src)), BackupReport.class)
            .report()
            .orElseThrow()
            .snapshotId();
    assertThat(
            strata(
                    "restore",
                    "--store",
                    store(),
                    "--snapshot",
                    id,
                    "--target",
                    full.toString(),
                    "--result-file",
                    result.toString())
                .code())
        .isEqualTo(1);
    assertThat(error(result).cause()).isEqualTo(RunError.Cause.NOT_EMPTY);
    assertThat(
            strata(
                    "restore",
                    "--store",
                    store(),
                    "--snapshot",
                    id,
                    "--target",
                    full.toString(),
                    "--mode",
                    "bogus",
                    "--result-file",
                    result.toString())
                .code())
        .isEqualTo(2);
    assertThat(error(result))
        .isEqualTo(
            new RunError(
                "unknown restore mode 'bogus': use empty, overwrite or sync",
                RunError.Cause.USAGE));
  }

  private Path tmpResult(Path src) {
    Path file = tmp.resolve("backup-result");
    assertThat(
            strata(
                    "backup",
                    "--store",
                    store(),
                    "--source",
                    src.toString(),
                    "--result-file",
                    file.toString())
                .code())
        .isZero();
    return file;
  }

  private static RunError error(Path result) throws IOException {
    return RunReports.read(Files.readString(result), BackupReport.class).error().orElseThrow();
  }

  @Test
  void everyCommandExplainsItself() {
    for (String cmd :
        new String[] {"backup", "restore", "snapshots", "show", "diff", "verify", "forget"}) {
      Run help = strata(cmd, "--help");
      assertThat(help.code()).isZero();
      assertThat(help.out()).contains("--store");
    }
  }
}
