package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.engine.GcReport;
import dev.strata.engine.Hashing;
import dev.strata.engine.Trees;
import dev.strata.engine.index.IndexCodec;
import dev.strata.engine.store.StoreLayout;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `strata gc` and `strata forget` as people use them: output, JSON fields, and usage errors. */
class GcCommandTest {

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

  /** Two blobs of a failed backup, seven hours old: past the default grace period of 6 h. */
  void orphans() throws IOException {
    for (int seed = 100; seed < 102; seed++) {
      byte[] data = Trees.random(seed, 1024 * 1024);
      Path file = Trees.write(tmp.resolve("store").resolve(StoreLayout.blobKey(Hashing.hex(Hashing.sha256(data)))), data);
      Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(Duration.ofHours(7))));
    }
  }

  long blobFiles() throws IOException {
    try (Stream<Path> s = Files.walk(tmp.resolve("store/blobs"))) {
      return s.filter(Files::isRegularFile).count();
    }
  }

  @Test
  void dryRunReportsAndARealRunDeletesTheOrphans() throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Trees.write(src.resolve("f"), Trees.random(1, 3000));
    Trees.write(src.resolve("g"), Trees.random(2, 3000));
    assertThat(strata("backup", "--store", store(), "--source", src.toString(), "--source-id", "ns/pvc/").code()).isZero();
    orphans();

    Run dry = strata("gc", "--store", store(), "--dry-run", "--json");
    assertThat(dry.code()).as(dry.err()).isZero();
    JsonNode j = dry.json();
    for (var field : GcReport.class.getRecordComponents()) {
      assertThat(j.has(field.getName())).as(field.getName()).isTrue();
    }
    assertThat(j.get("dryRun").asBoolean()).isTrue();
    assertThat(j.get("blobsDeleted").asLong()).isEqualTo(2);
    assertThat(j.get("bytesDeleted").asLong()).isEqualTo(2 * 1024 * 1024);
    assertThat(j.get("snapshots").asLong()).isEqualTo(1);
    assertThat(j.get("blobsReferenced").asLong()).isEqualTo(2);
    assertThat(blobFiles()).isEqualTo(4);
    assertThat(strata("gc", "--store", store(), "--dry-run").out().strip())
        .isEqualTo("would delete 2 blobs (2.0 MiB) and 0 tombstones; kept 0 young unreferenced blobs; 1 snapshot references 2 blobs");

    Run real = strata("gc", "--store", store(), "--grace", "PT6H", "--parallelism", "2");
    assertThat(real.code()).as(real.err()).isZero();
    assertThat(real.out().strip())
        .isEqualTo("deleted 2 blobs (2.0 MiB) and 0 tombstones; kept 0 young unreferenced blobs; 1 snapshot references 2 blobs");
    assertThat(blobFiles()).isEqualTo(2);
    assertThat(strata("verify", "--store", store(), "--all", "--read-data").code()).isZero();
  }

  @Test
  void forgetLeavesATombstoneAndSaysWhenTheBlobsGo() throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Trees.write(src.resolve("f"), Trees.random(1, 3000));
    String id = strata("backup", "--store", store(), "--source", src.toString(), "--source-id", "ns/pvc/", "--json").json().get("snapshotId").asText();

    Run forget = strata("forget", "--store", store(), "--snapshot", id);
    assertThat(forget.code()).as(forget.err()).isZero();
    assertThat(forget.out().strip()).isEqualTo("forgot snapshot " + id + "; its blobs are reclaimed by `strata gc` after the grace period");
    assertThat(tmp.resolve("store").resolve(StoreLayout.tombstoneKey("ns/pvc/", id))).exists();
    Run restore = strata("restore", "--store", store(), "--snapshot", id, "--target", tmp.resolve("t").toString());
    assertThat(restore.code()).isEqualTo(1);
    assertThat(restore.err()).contains("snapshot " + id + " does not exist");

    // The tombstone is counted; nothing is old enough to go.
    Run gc = strata("gc", "--store", store(), "--json");
    assertThat(gc.json().get("tombstones").asLong()).isEqualTo(1);
    assertThat(gc.json().get("blobsDeleted").asLong()).isZero();
    assertThat(blobFiles()).isEqualTo(1);
  }

  @Test
  void aBadGraceIsAUsageError() throws IOException {
    Files.createDirectories(tmp.resolve("store")); // gc never creates a store
    Run bad = strata("gc", "--store", store(), "--grace", "6 hours");
    assertThat(bad.code()).isEqualTo(StrataCli.USAGE);
    assertThat(bad.err()).contains("--grace: '6 hours' is not a duration: write it like 6h, 30m, 90s, 2d, 1h30m or PT6H");
    Run shortGrace = strata("gc", "--store", store(), "--grace", "30m");
    assertThat(shortGrace.code()).isEqualTo(StrataCli.USAGE);
    assertThat(shortGrace.err()).contains("30m is too short").contains("clock skew");
    Run negative = strata("gc", "--store", store(), "--grace", "-PT1H");
    assertThat(negative.code()).isEqualTo(StrataCli.USAGE);
    assertThat(strata("gc", "--store", store(), "--grace", "2d").code()).isZero();
    assertThat(strata("gc", "--store", store(), "--grace", "2s", "--allow-short-grace").code()).isZero();
  }

  @Test
  void theResultFileHoldsTheReportOrTheError() throws IOException {
    orphans();
    Path result = tmp.resolve("termination-log");
    assertThat(strata("gc", "--store", store(), "--json", "--result-file", result.toString()).code()).isZero();
    JsonNode ok = IndexCodec.mapper().readTree(result.toFile());
    assertThat(ok.get("blobsDeleted").asLong()).isEqualTo(2);
    assertThat(ok.get("bytesDeleted").asLong()).isEqualTo(2 * 1024 * 1024);
    assertThat(ok.get("tombstonesDeleted").asLong()).isZero();
    assertThat(ok.has("durationMs")).isTrue();

    byte[] newer = "not an index".getBytes();
    Path index = Trees.write(tmp.resolve("store").resolve(StoreLayout.indexKey("ns/x/", "20261126T071913.042Z-a1b2c3")), newer);
    assertThat(index).exists();
    Run failed = strata("gc", "--store", store(), "--result-file", result.toString());
    assertThat(failed.code()).isEqualTo(1);
    assertThat(failed.err()).startsWith("strata: garbage collection stopped before deleting anything");
    assertThat(IndexCodec.mapper().readTree(result.toFile()).get("error").asText()).contains("garbage collection stopped");
  }

  @Test
  void gcExplainsItself() {
    Run help = strata("gc", "--help");
    assertThat(help.code()).isZero();
    assertThat(help.out().replaceAll("\\s+", " "))
        .contains("--store").contains("--grace").contains("--dry-run").contains("--json").contains("(default: 6h)");
    assertThat(strata("--help").out()).contains("gc");
  }
}
