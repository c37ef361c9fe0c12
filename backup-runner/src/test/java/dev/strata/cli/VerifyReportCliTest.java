package dev.strata.cli;

import static dev.strata.cli.StrataCliTest.strata;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.cli.StrataCliTest.Run;
import dev.strata.engine.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `verify` reports what it found as a runner's result (the operator's scheduled verifications read
 * it): how many snapshots it checked and which are damaged, whether or not it found damage;
 * `--former-source-id` and `--label` on the command line.
 */
class VerifyReportCliTest {

  @TempDir Path tmp;

  String store() {
    return tmp.resolve("store").toUri().toString();
  }

  String backup(Path src, String sourceId) {
    Run r =
        strata(
            "backup",
            "--store",
            store(),
            "--source",
            src.toString(),
            "--source-id",
            sourceId,
            "--json");
    assertThat(r.code()).as(r.err()).isZero();
    try {
      return r.json().get("snapshotId").asText();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * The pack that holds a blob of {@code size} incompressible bytes, and nothing much else (its
   * header).
   */
  Path packHolding(long size) throws IOException {
    try (Stream<Path> s = Files.walk(tmp.resolve("store/packs"))) {
      return s.filter(
              p ->
                  p.toFile().isFile()
                      && p.toFile().length() > size
                      && p.toFile().length() < size + 1024)
          .findFirst()
          .orElseThrow();
    }
  }

  @Test
  void aVerificationThatFindsDamageReportsTheDamagedSnapshotsInItsResultAndExitsOne()
      throws IOException {
    Path a = Files.createDirectories(tmp.resolve("a"));
    Path b = Files.createDirectories(tmp.resolve("b"));
    Trees.write(a.resolve("x.sst"), Trees.random(1, 5000));
    Trees.write(b.resolve("y.sst"), Trees.random(2, 7000));
    String whole = backup(a, "ns/a/");
    Path result = tmp.resolve("result.json");

    Run ok =
        strata(
            "verify",
            "--store",
            store(),
            "--all",
            "--read-data",
            "--result-file",
            result.toString());
    assertThat(ok.code()).as(ok.out() + ok.err()).isZero();
    JsonNode clean = new ObjectMapper().readTree(result.toFile());
    assertThat(clean.get("snapshots").asLong()).isEqualTo(1);
    assertThat(clean.get("damagedSnapshots").asLong()).isZero();
    // The file's content (random: stored uncompressed) and its snapshot's tree.
    assertThat(clean.get("bytesChecked").asLong()).isBetween(5000L, 5000L + 1024);
    assertThat(clean.get("readData").asBoolean()).isTrue();
    assertThat(clean.has("blobsMarkedDamaged")).as("only with --repair").isFalse();

    String damaged = backup(b, "ns/b/");
    Files.delete(packHolding(7000));

    Run bad =
        strata(
            "verify",
            "--store",
            store(),
            "--all",
            "--read-data",
            "--repair",
            "--json",
            "--result-file",
            result.toString());
    assertThat(bad.code()).isEqualTo(1);
    JsonNode printed = bad.json();
    JsonNode written = new ObjectMapper().readTree(result.toFile());
    assertThat(printed.get("report"))
        .as("--json holds the report --result-file writes")
        .isEqualTo(written);
    assertThat(written.get("snapshots").asLong()).isEqualTo(2);
    assertThat(written.get("damagedSnapshots").asLong()).isEqualTo(1);
    assertThat(written.get("damaged"))
        .extracting(JsonNode::asText)
        .containsExactly(damaged)
        .doesNotContain(whole);
    assertThat(written.get("blobsMarkedDamaged").asLong()).isEqualTo(1);
    assertThat(written.get("blobsRemoved").asLong())
        .as("format 2: a pack is never removed for a damaged blob")
        .isZero();
    assertThat(bad.out().strip())
        .as("--json prints one JSON object alone")
        .startsWith("{")
        .endsWith("}");
  }

  @Test
  void aVerificationThatCannotRunWritesItsErrorWithACause() throws IOException {
    Path result = tmp.resolve("result.json");
    Run r =
        strata(
            "verify",
            "--store",
            tmp.resolve("missing").toUri().toString(),
            "--all",
            "--result-file",
            result.toString());
    assertThat(r.code()).isEqualTo(1);
    JsonNode error = new ObjectMapper().readTree(result.toFile());
    assertThat(error.get("error").asText()).contains("does not exist");
    assertThat(error.has("cause")).isTrue();
  }

  @Test
  void formerSourceIdsAndLabelsOnTheCommandLine() throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Trees.write(src.resolve("x.sst"), Trees.random(3, 4000));
    String legacy = backup(src, "team-a/data-0/");
    Run next =
        strata(
            "backup",
            "--store",
            store(),
            "--source",
            src.toString(),
            "--source-id",
            "c1:team-a/data-0/",
            "--former-source-id",
            "team-a/data-0/",
            "--label",
            "strata.dev/group=g1",
            "--json");
    assertThat(next.code()).as(next.err()).isZero();
    assertThat(next.json().get("previousSnapshotId").asText()).isEqualTo(legacy);
    assertThat(next.json().get("uploadedBytes").asLong()).isZero();
    Run list =
        strata("snapshots", "--store", store(), "--source-id", "c1:team-a/data-0/", "--json");
    assertThat(list.json().get(0).get("metadata").get("labels").get("strata.dev/group").asText())
        .isEqualTo("g1");

    Run restore =
        strata(
            "restore",
            "--store",
            store(),
            "--latest",
            "--source-id",
            "c2:team-a/data-0/",
            "--former-source-id",
            "team-a/data-0/",
            "--target",
            tmp.resolve("t").toString(),
            "--json");
    assertThat(restore.code()).as(restore.err()).isZero();
    assertThat(restore.json().get("snapshotId").asText()).isEqualTo(legacy);

    Run misuse =
        strata(
            "restore",
            "--store",
            store(),
            "--snapshot",
            legacy,
            "--former-source-id",
            "x",
            "--target",
            tmp.resolve("u").toString());
    assertThat(misuse.code()).isEqualTo(2);
    assertThat(misuse.err()).contains("--former-source-id needs --latest");
    Run badLabel =
        strata("backup", "--store", store(), "--source", src.toString(), "--label", "=x");
    assertThat(badLabel.code()).isEqualTo(2);
  }
}
