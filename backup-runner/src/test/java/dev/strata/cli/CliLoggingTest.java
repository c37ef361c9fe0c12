package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.engine.Trees;
import dev.strata.engine.index.IndexCodec;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI's own logging configuration (src/main/resources/logback.xml, not the tests'
 * logback-test.xml): results alone on stdout, logs one line per event on stderr, Strata's loggers
 * at WARN unless STRATA_LOG_LEVEL says otherwise.
 */
class CliLoggingTest {

  @TempDir Path tmp;

  record Result(int code, String out, String err) {}

  @Test
  void quietByDefaultAndResultsAloneOnStdout() throws Exception {
    Path src = source();
    Result r =
        strata(
            null,
            "backup",
            "--store",
            store(),
            "--source",
            src.toString(),
            "--source-id",
            "ns/pvc/",
            "--json");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(IndexCodec.mapper().readTree(r.out()).path("files").asInt()).isEqualTo(2);
    assertThat(r.err())
        .as("no INFO line at the default level")
        .doesNotContain(" INFO ")
        .doesNotContain("committed snapshot");
  }

  @Test
  void anOverwriteRestoreWarnsOfAStagingDirectoryAKilledRestoreLeft() throws Exception {
    Path src = source();
    Result b =
        strata(
            null, "backup", "--store", store(), "--source", src.toString(), "--source-id", "left");
    assertThat(b.code()).as(b.err()).isZero();
    Path target = Files.createDirectories(tmp.resolve("t"));
    Trees.write(target.resolve(".strata-staging-5eed/0"), "half".getBytes());
    Result r =
        strata(
            null,
            "restore",
            "--store",
            store(),
            "--source-id",
            "left",
            "--latest",
            "--target",
            target.toString(),
            "--mode",
            "overwrite");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err())
        .contains(" WARN ")
        .contains(".strata-staging-5eed, which looks left by a restore that was killed");
    assertThat(target.resolve(".strata-staging-5eed/0")).exists();
  }

  @Test
  void strataLogLevelInfoLogsEachBackupOnStderrOnly() throws Exception {
    Path src = source();
    Result r =
        strata(
            "INFO",
            "backup",
            "--store",
            store(),
            "--source",
            src.toString(),
            "--source-id",
            "ns/pvc/",
            "--json");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err())
        .containsPattern(
            "(?m)^\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  BackupEngine committed snapshot ");
    // stdout is the JSON result and nothing else: no log line, no logback status message.
    assertThat(IndexCodec.mapper().readTree(r.out()).path("files").asInt()).isEqualTo(2);
    assertThat(r.out().strip())
        .startsWith("{")
        .endsWith("}")
        .doesNotContain("INFO")
        .doesNotContain("logback");
  }

  private Path source() throws IOException {
    Path src = Files.createDirectories(tmp.resolve("src"));
    Trees.write(src.resolve("a.sst"), Trees.random(1, 5000));
    Trees.write(src.resolve("CURRENT"), "MANIFEST-000001\n".getBytes());
    return src;
  }

  private String store() {
    return tmp.resolve("store").toUri().toString();
  }

  /**
   * Runs the CLI in a JVM of its own, on this JVM's classpath less the test classes (which hold
   * logback-test.xml).
   */
  private Result strata(String level, String... args) throws Exception {
    String classpath =
        Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .filter(e -> !Path.of(e).endsWith(Path.of("target", "test-classes")))
            .collect(Collectors.joining(File.pathSeparator));
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                classpath,
                StrataCli.class.getName()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectOutput(tmp.resolve("out").toFile())
            .redirectError(tmp.resolve("err").toFile());
    pb.environment().remove("STRATA_LOG_LEVEL");
    if (level != null) {
      pb.environment().put("STRATA_LOG_LEVEL", level);
    }
    Process p = pb.start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("the CLI finished").isTrue();
    return new Result(
        p.exitValue(), Files.readString(tmp.resolve("out")), Files.readString(tmp.resolve("err")));
  }
}
