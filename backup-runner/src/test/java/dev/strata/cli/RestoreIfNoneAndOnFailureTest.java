package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.cli.StrataCliTest.Run;
import dev.strata.engine.Trees;
import dev.strata.engine.index.IndexCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two options a RestorePolicy's init container relies on: {@code --if-none fresh-start} (a
 * pod's first start, before its source was ever snapshotted, is a success that says so) and {@code
 * --on-failure continue}.
 */
class RestoreIfNoneAndOnFailureTest {

  @TempDir Path tmp;

  /** An existing, empty store (reading never creates one). */
  String store() {
    try {
      Files.createDirectories(tmp.resolve("store"));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return tmp.resolve("store").toUri().toString();
  }

  @Test
  void freshStartExitsZeroReportsNotRestoredAndLeavesTheTargetAlone() throws IOException {
    Path target = Files.createDirectories(tmp.resolve("target"));
    Files.writeString(target.resolve("already-here.txt"), "kept");
    Path result = tmp.resolve("termination-log");

    Run run =
        StrataCliTest.strata(
            "restore",
            "--store",
            store(),
            "--latest",
            "--source-id",
            "ns/data-0/rocksdb",
            "--target",
            target.toString(),
            "--mode",
            "sync",
            "--if-none",
            "fresh-start",
            "--result-file",
            result.toString(),
            "--json");

    assertThat(run.code()).as(run.err()).isZero();
    JsonNode written = IndexCodec.mapper().readTree(result.toFile());
    assertThat(written.get("restored").asBoolean()).isFalse();
    assertThat(written.get("reason").asText()).isEqualTo("no snapshot of ns/data-0/rocksdb yet");
    assertThat(run.json().get("restored").asBoolean()).isFalse();
    // Sync mode would have removed it, had anything been restored.
    assertThat(target.resolve("already-here.txt")).hasContent("kept");
  }

  @Test
  void freshStartStillRestoresWhenTheSourceHasASnapshot() throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Trees.makeRichTree(src);
    assertThat(
            StrataCliTest.strata(
                    "backup",
                    "--store",
                    store(),
                    "--source",
                    src.toString(),
                    "--source-id",
                    "ns/data-0/")
                .code())
        .isZero();

    Run run =
        StrataCliTest.strata(
            "restore",
            "--store",
            store(),
            "--latest",
            "--source-id",
            "ns/data-0/",
            "--target",
            tmp.resolve("target").toString(),
            "--mode",
            "sync",
            "--if-none",
            "fresh-start",
            "--json");

    assertThat(run.code()).as(run.err()).isZero();
    assertThat(run.json().get("restored").asBoolean()).isTrue();
    assertThat(run.json().get("files").asLong()).isEqualTo(7);
    assertThat(run.json().get("downloadedBytes").asLong()).isPositive();
  }

  @Test
  void withoutFreshStartAMissingSnapshotStillFails() {
    Run run =
        StrataCliTest.strata(
            "restore",
            "--store",
            store(),
            "--latest",
            "--source-id",
            "ns/data-0/",
            "--target",
            tmp.resolve("t").toString());
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.err()).contains("source 'ns/data-0/' has no snapshot");
  }

  @Test
  void freshStartIsOnlyForLatestAndUnknownWordsAreUsageErrors() {
    Run named =
        StrataCliTest.strata(
            "restore",
            "--store",
            store(),
            "--snapshot",
            "20261126T071913.042Z-a1b2c3",
            "--target",
            tmp.resolve("t").toString(),
            "--if-none",
            "fresh-start");
    assertThat(named.code()).isEqualTo(2);
    assertThat(named.err()).contains("--if-none fresh-start needs --latest");
    Run unknown =
        StrataCliTest.strata(
            "restore",
            "--store",
            store(),
            "--latest",
            "--source-id",
            "x",
            "--target",
            "/tmp/t",
            "--if-none",
            "skip");
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err()).contains("use fail or fresh-start");
    Run badFailure =
        StrataCliTest.strata(
            "restore",
            "--store",
            store(),
            "--latest",
            "--source-id",
            "x",
            "--target",
            "/tmp/t",
            "--on-failure",
            "ignore");
    assertThat(badFailure.code()).isEqualTo(2);
    assertThat(badFailure.err()).contains("use fail or continue");
  }

  @Test
  void onFailureContinueExitsZeroWithTheErrorInTheResult() throws IOException {
    Path result = tmp.resolve("termination-log");
    Run run =
        StrataCliTest.strata(
            "restore",
            "--store",
            store(),
            "--snapshot",
            "20261126T071913.042Z-a1b2c3",
            "--target",
            tmp.resolve("t").toString(),
            "--on-failure",
            "continue",
            "--result-file",
            result.toString());
    assertThat(run.code()).isZero();
    assertThat(run.err())
        .contains("snapshot 20261126T071913.042Z-a1b2c3 does not exist")
        .contains("--on-failure continue");
    assertThat(IndexCodec.mapper().readTree(result.toFile()).get("error").asText())
        .contains("does not exist");
  }
}
