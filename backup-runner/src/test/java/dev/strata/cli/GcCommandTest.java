package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.engine.GcReport;
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

    /** The report as the type gc writes it. */
    GcReport report() throws IOException {
      return IndexCodec.mapper().readValue(out, GcReport.class);
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

  /**
   * Two files' blobs that nothing references any more, seven hours old (past the default grace
   * period of 6 h): backed up as another source, whose snapshot was then forgotten and its
   * tombstone collected. They sit in one data pack (and the snapshot's tree in one tree pack).
   */
  void orphans() throws IOException {
    Path other = Files.createDirectories(tmp.resolve("orphan-src"));
    Trees.write(other.resolve("x"), Trees.random(100, 1024 * 1024));
    Trees.write(other.resolve("y"), Trees.random(101, 1024 * 1024));
    java.util.Set<Path> before = packFiles();
    Run b =
        strata(
            "backup",
            "--store",
            store(),
            "--source",
            other.toString(),
            "--source-id",
            "ns/orphan/",
            "--json");
    assertThat(b.code()).as(b.err()).isZero();
    String id = b.json().get("snapshotId").asText();
    assertThat(strata("forget", "--store", store(), "--snapshot", id).code()).isZero();
    Files.delete(tmp.resolve("store").resolve(StoreLayout.tombstoneKey("ns/orphan/", id)));
    for (Path p : packFiles()) {
      if (!before.contains(p)) {
        Files.setLastModifiedTime(p, FileTime.from(Instant.now().minus(Duration.ofHours(7))));
      }
    }
  }

  java.util.Set<Path> packFiles() throws IOException {
    Path packs = tmp.resolve("store/packs");
    if (!Files.isDirectory(packs)) {
      return java.util.Set.of();
    }
    try (Stream<Path> s = Files.walk(packs)) {
      return s.filter(Files::isRegularFile).collect(java.util.stream.Collectors.toSet());
    }
  }

  long blobFiles() throws IOException {
    return packFiles().size();
  }

  /** Two small files backed up as ns/pvc/, then {@link #orphans}. */
  void aSnapshotAndOrphans() throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Trees.write(src.resolve("f"), Trees.random(1, 3000));
    Trees.write(src.resolve("g"), Trees.random(2, 3000));
    assertThat(
            strata(
                    "backup",
                    "--store",
                    store(),
                    "--source",
                    src.toString(),
                    "--source-id",
                    "ns/pvc/")
                .code())
        .isZero();
    orphans();
  }

  /** Every file under the store, with its size and modification time. */
  java.util.Map<String, String> storeFiles() throws IOException {
    Path root = tmp.resolve("store");
    java.util.Map<String, String> out = new java.util.TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.toList()) {
        out.put(
            root.relativize(p).toString(),
            Files.isRegularFile(p)
                ? Files.size(p) + "@" + Files.getLastModifiedTime(p).toMillis()
                : "dir");
      }
    }
    return out;
  }

  /**
   * The store's index files lost: a dry run stopped ("garbage collection stopped before deleting
   * anything: ... cannot be read"), since the repair a real collection makes first writes a new
   * index file. It plans with that index file in memory, says so, and writes nothing.
   */
  @Test
  void aDryRunOnAStoreWhoseIndexIsLostReportsTheRepairAndWritesNothing() throws IOException {
    aSnapshotAndOrphans();
    Path root = tmp.resolve("store");
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        if (root.relativize(p).toString().startsWith(StoreLayout.INDEX)) {
          Files.delete(p);
        } else {
          Files.setLastModifiedTime(p, FileTime.from(Instant.now().minus(Duration.ofHours(7))));
        }
      }
    }
    java.util.Map<String, String> before = storeFiles();

    Run dry = strata("gc", "--store", store(), "--dry-run");
    assertThat(dry.code()).as(dry.err()).isZero();
    assertThat(storeFiles()).as("a dry run writes nothing").isEqualTo(before);
    String dryText = dry.out().strip();
    assertThat(dryText)
        .as("the orphans' two packs, and the two small ones repacked")
        .startsWith("would delete 4 packs (2 repacked, ")
        .endsWith(
            "; would list 4 packs no index file listed in a new index file, from their headers");

    Run real = strata("gc", "--store", store());
    assertThat(real.code()).as(real.err()).isZero();
    assertThat(real.out().strip())
        .isEqualTo(dryText.replace("would delete", "deleted").replace("would list", "listed"));
    assertThat(blobFiles()).isEqualTo(2);
    assertThat(strata("verify", "--store", store(), "--all", "--read-data").code()).isZero();
  }

  @Test
  void dryRunReportsAndARealRunDeletesTheOrphans() throws IOException {
    aSnapshotAndOrphans();

    Run dry = strata("gc", "--store", store(), "--dry-run", "--json");
    assertThat(dry.code()).as(dry.err()).isZero();
    JsonNode j = dry.json();
    for (var field : GcReport.class.getRecordComponents()) {
      assertThat(j.has(field.getName())).as(field.getName()).isTrue();
    }
    GcReport r = dry.report();
    assertThat(r.dryRun()).isTrue();
    assertThat(r.packsDeleted()).as("the orphans' data and tree packs").isEqualTo(2);
    assertThat(r.bytesDeleted()).isBetween(2L * 1024 * 1024, 2L * 1024 * 1024 + 4096);
    assertThat(r.snapshots()).isEqualTo(1);
    long blobs = r.blobsDeleted();
    assertThat(blobs).isGreaterThanOrEqualTo(3);
    assertThat(blobFiles()).isEqualTo(4);
    String dryText = strata("gc", "--store", store(), "--dry-run").out().strip();
    assertThat(dryText)
        .startsWith(
            "would delete 2 packs, "
                + blobs
                + " blobs (2.0 MiB) and 0 tombstones; kept 0 young unreferenced blobs; 1 snapshot references ");

    Run real = strata("gc", "--store", store(), "--grace", "PT6H", "--parallelism", "2");
    assertThat(real.code()).as(real.err()).isZero();
    assertThat(real.out().strip()).isEqualTo(dryText.replace("would delete", "deleted"));
    assertThat(blobFiles()).isEqualTo(2);
    assertThat(strata("verify", "--store", store(), "--all", "--read-data").code()).isZero();
  }

  @Test
  void forgetLeavesATombstoneAndSaysWhenTheBlobsGo() throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Trees.write(src.resolve("f"), Trees.random(1, 3000));
    String id =
        strata(
                "backup",
                "--store",
                store(),
                "--source",
                src.toString(),
                "--source-id",
                "ns/pvc/",
                "--json")
            .json()
            .get("snapshotId")
            .asText();

    Run forget = strata("forget", "--store", store(), "--snapshot", id);
    assertThat(forget.code()).as(forget.err()).isZero();
    assertThat(forget.out().strip())
        .isEqualTo(
            "forgot snapshot "
                + id
                + "; its blobs are reclaimed by `strata gc` after the grace period");
    assertThat(tmp.resolve("store").resolve(StoreLayout.tombstoneKey("ns/pvc/", id))).exists();
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
    assertThat(restore.err()).contains("snapshot " + id + " does not exist");

    // The tombstone is counted; nothing is old enough to go.
    Run gc = strata("gc", "--store", store(), "--json");
    assertThat(gc.report().tombstones()).isEqualTo(1);
    assertThat(gc.report().blobsDeleted()).isZero();
    assertThat(blobFiles()).as("a data pack and a tree pack").isEqualTo(2);
  }

  @Test
  void aBadGraceIsAUsageError() throws IOException {
    Files.createDirectories(tmp.resolve("store")); // gc never creates a store
    Run bad = strata("gc", "--store", store(), "--grace", "6 hours");
    assertThat(bad.code()).isEqualTo(StrataCli.USAGE);
    assertThat(bad.err())
        .contains(
            "--grace: '6 hours' is not a duration: write it like 6h, 30m, 90s, 2d, 1h30m or PT6H");
    Run shortGrace = strata("gc", "--store", store(), "--grace", "30m");
    assertThat(shortGrace.code()).isEqualTo(StrataCli.USAGE);
    assertThat(shortGrace.err()).contains("30m is too short").contains("clock skew");
    Run negative = strata("gc", "--store", store(), "--grace", "-PT1H");
    assertThat(negative.code()).isEqualTo(StrataCli.USAGE);
    assertThat(strata("gc", "--store", store(), "--grace", "2d").code()).isZero();
    assertThat(strata("gc", "--store", store(), "--grace", "2s", "--allow-short-grace").code())
        .isZero();
  }

  @Test
  void theResultFileHoldsTheReportOrTheError() throws IOException {
    orphans();
    Path result = tmp.resolve("termination-log");
    assertThat(
            strata("gc", "--store", store(), "--json", "--result-file", result.toString()).code())
        .isZero();
    JsonNode ok = IndexCodec.mapper().readTree(result.toFile());
    assertThat(ok.get("packsDeleted").asLong()).isEqualTo(2);
    assertThat(ok.get("bytesDeleted").asLong())
        .isBetween(2L * 1024 * 1024, 2L * 1024 * 1024 + 4096);
    assertThat(ok.get("tombstonesDeleted").asLong()).isZero();
    assertThat(ok.has("durationMs")).isTrue();

    byte[] newer = "not an index".getBytes();
    Path index =
        Trees.write(
            tmp.resolve("store")
                .resolve(StoreLayout.indexKey("ns/x/", "20261126T071913.042Z-a1b2c3")),
            newer);
    assertThat(index).exists();
    Run failed = strata("gc", "--store", store(), "--result-file", result.toString());
    assertThat(failed.code()).isEqualTo(1);
    assertThat(failed.err())
        .startsWith("strata: garbage collection stopped before deleting anything");
    assertThat(IndexCodec.mapper().readTree(result.toFile()).get("error").asText())
        .contains("garbage collection stopped");
  }

  @Test
  void gcExplainsItself() {
    Run help = strata("gc", "--help");
    assertThat(help.code()).isZero();
    assertThat(help.out().replaceAll("\\s+", " "))
        .contains("--store")
        .contains("--grace")
        .contains("--dry-run")
        .contains("--json")
        .contains("(default: 6h)");
    assertThat(strata("--help").out()).contains("gc");
  }
}
