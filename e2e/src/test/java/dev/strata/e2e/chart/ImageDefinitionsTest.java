package dev.strata.e2e.chart;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.e2e.support.Examples;
import dev.strata.e2e.support.Helm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image build definitions as text: each copies the jar its module's build really produces (the
 * shade plugin's finalName), runs as 65532 on a base that defaults to distroless non-root (a build
 * argument, so tests build the same file on a Debian base: images/build-test-images.sh), and starts
 * the jar so that container args are the program's args; and the chart's defaults name the images
 * they build. The images themselves are built and run on the real node by RealNodeTest.
 */
class ImageDefinitionsTest {

  static final Path ROOT = Examples.dir().getParent();
  static final String BASE = "ARG BASE=gcr.io/distroless/java17-debian12:nonroot";

  @Test
  void runnerImageRunsTheRunnerJarAsNonRoot() throws IOException {
    assertImage("runner", "backup-runner", "strata-runner", "/app/strata-runner.jar");
  }

  @Test
  void operatorImageRunsTheOperatorJarAsNonRoot() throws IOException {
    assertImage("operator", "operator", "strata-operator", "/app/strata-operator.jar");
  }

  @Test
  void chartDefaultsNameThePublishedImages() throws IOException {
    String values = Files.readString(Helm.chartDir().resolve("values.yaml"));
    String readme = Files.readString(ROOT.resolve("images/README.md"));
    for (String image :
        List.of("ghcr.io/strata-dev/strata-operator", "ghcr.io/strata-dev/strata-runner")) {
      assertThat(values).contains("repository: " + image);
      assertThat(readme).contains(image + ":<version>");
    }
  }

  static void assertImage(String image, String module, String jar, String inImage)
      throws IOException {
    String dockerfile =
        Files.readString(ROOT.resolve("images").resolve(image).resolve("Dockerfile"));
    String pom = Files.readString(ROOT.resolve(module).resolve("pom.xml"));
    assertThat(pom)
        .as("%s/pom.xml shades into %s.jar", module, jar)
        .contains("<finalName>" + jar + "</finalName>");
    List<String> instructions =
        dockerfile.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
    List<String> expected = new ArrayList<>(List.of(BASE, "FROM ${BASE}"));
    if (image.equals("runner")) {
      expected.add("USER 0:0");
    }
    expected.add("COPY --chown=0:0 " + module + "/target/" + jar + ".jar " + inImage);
    if (image.equals("runner")) {
      expected.add("COPY --chown=0:0 backup-runner/cds/classlist /app/strata.classlist");
      expected.add(RUNNER_ARCHIVE_DUMP);
    }
    expected.add("USER 65532:65532");
    expected.add("WORKDIR /tmp");
    if (image.equals("operator")) {
      expected.add("EXPOSE 8080");
    }
    String archive = image.equals("runner") ? "\"-XX:SharedArchiveFile=/app/strata.jsa\", " : "";
    expected.add(
        "ENTRYPOINT [\"java\", \"-XX:MaxRAMPercentage=70\", \"-XX:-UsePerfData\", "
            + archive
            + "\"-jar\", \""
            + inImage
            + "\"]");
    assertThat(instructions).containsExactlyElementsOf(expected);
  }

  static final String RUNNER_ARCHIVE_DUMP =
      "RUN [\"/usr/bin/java\", \"-Xshare:dump\", \"-XX:SharedClassListFile=/app/strata.classlist\","
          + " \"-XX:SharedArchiveFile=/app/strata.jsa\", \"-cp\", \"/app/strata-runner.jar\"]";

  /**
   * The runner image's class-data-sharing archive, short of a container build: its RUN and
   * ENTRYPOINT, run here with /app in a temporary directory, build an archive that the entrypoint's
   * JVM maps ({@code -Xshare:on} fails the start when it cannot) and loads the runner's own classes
   * from.
   */
  @Test
  void theRunnerImagesClassArchiveIsBuiltAndMappedByItsEntrypoint(@TempDir Path tmp)
      throws Exception {
    Path jar = ROOT.resolve("backup-runner/target/strata-runner.jar");
    assertThat(jar)
        .as("the runner jar (built by the package phase before these tests)")
        .isRegularFile();
    Path app = Files.createDirectories(tmp.resolve("app"));
    Files.copy(jar, app.resolve("strata-runner.jar"), StandardCopyOption.COPY_ATTRIBUTES);
    Files.copy(ROOT.resolve("backup-runner/cds/classlist"), app.resolve("strata.classlist"));
    String dockerfile = Files.readString(ROOT.resolve("images/runner/Dockerfile"));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    List<String> dump = execForm(dockerfile, "RUN ", tmp, java);
    Process p = new ProcessBuilder(dump).redirectErrorStream(true).start();
    String dumpOut = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(dumpOut).isZero();
    assertThat(app.resolve("strata.jsa")).isRegularFile();

    List<String> entrypoint = new ArrayList<>(execForm(dockerfile, "ENTRYPOINT ", tmp, java));
    entrypoint.addAll(1, List.of("-Xshare:on", "-Xlog:class+load=info"));
    entrypoint.add("--version");
    p = new ProcessBuilder(entrypoint).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(out).isZero();
    assertThat(out)
        .contains("dev.strata.cli.StrataCli source: shared objects file")
        .contains("strata ");
  }

  /**
   * The exec-form instruction starting with {@code keyword}, with /app under {@code root} and this
   * JVM's java.
   */
  private static List<String> execForm(String dockerfile, String keyword, Path root, String java) {
    String line = dockerfile.lines().filter(l -> l.startsWith(keyword)).findFirst().orElseThrow();
    String array = line.substring(keyword.length()).trim();
    assertThat(array).startsWith("[\"").endsWith("\"]");
    return Arrays.stream(array.substring(2, array.length() - 2).split("\", \""))
        .map(
            arg ->
                arg.equals("java") || arg.equals("/usr/bin/java")
                    ? java
                    : arg.replace("/app/", root + "/app/"))
        .toList();
  }
}
