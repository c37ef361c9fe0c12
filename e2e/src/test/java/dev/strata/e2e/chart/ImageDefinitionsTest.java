package dev.strata.e2e.chart;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.e2e.support.Examples;
import dev.strata.e2e.support.Helm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The image build definitions cannot be built on these machines (no container daemon), so this checks what can be
 * checked without building them: each copies the jar its module's build really produces (the shade plugin's
 * finalName), runs as 65532 on a distroless non-root base, and starts the jar so that container args are the
 * program's args; and the chart's defaults name the images they build.
 */
class ImageDefinitionsTest {

  static final Path ROOT = Examples.dir().getParent();
  static final String BASE = "FROM gcr.io/distroless/java17-debian12:nonroot";

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
    for (String image : List.of("ghcr.io/strata-dev/strata-operator", "ghcr.io/strata-dev/strata-runner")) {
      assertThat(values).contains("repository: " + image);
      assertThat(readme).contains(image + ":<version>");
    }
  }

  static void assertImage(String image, String module, String jar, String inImage) throws IOException {
    String dockerfile = Files.readString(ROOT.resolve("images").resolve(image).resolve("Dockerfile"));
    String pom = Files.readString(ROOT.resolve(module).resolve("pom.xml"));
    assertThat(pom).as("%s/pom.xml shades into %s.jar", module, jar).contains("<finalName>" + jar + "</finalName>");
    List<String> instructions = dockerfile.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
    List<String> expected = new java.util.ArrayList<>(List.of(
        BASE,
        "COPY --chown=0:0 " + module + "/target/" + jar + ".jar " + inImage,
        "USER 65532:65532",
        "WORKDIR /tmp"));
    if (image.equals("operator")) {
      expected.add("EXPOSE 8080");
    }
    expected.add("ENTRYPOINT [\"java\", \"-XX:MaxRAMPercentage=70\", \"-XX:-UsePerfData\", \"-jar\", \"" + inImage + "\"]");
    assertThat(instructions).containsExactlyElementsOf(expected);
  }
}
