package dev.strata.e2e.chart;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.e2e.support.Examples;
import dev.strata.e2e.support.Helm;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The chart installs the CRDs from its crds/ directory; they must be the generated ones in the
 * repository's crds/, byte for byte, and the same set: a CRD added (or removed) in one place and
 * not the other fails here. To update the chart after regenerating: {@code cp crds/*.yaml
 * charts/strata/crds/}.
 */
class ChartCrdsTest {

  static final String HOW_TO_FIX =
      "copy the generated CRDs into the chart: cp crds/*.yaml charts/strata/crds/ "
          + "(and remove any the repository no longer has)";

  @Test
  void chartCrdsAreExactlyTheRepositoryCrds() throws IOException {
    Path repoCrds = Examples.dir().resolveSibling("crds");
    Path chartCrds = Helm.chartDir().resolve("crds");
    Map<String, byte[]> repo = yamlFiles(repoCrds);
    Map<String, byte[]> chart = yamlFiles(chartCrds);
    assertThat(repo).as("CRDs in %s", repoCrds).isNotEmpty();
    assertThat(chart.keySet())
        .as("CRD files in %s compared with %s: %s", chartCrds, repoCrds, HOW_TO_FIX)
        .containsExactlyElementsOf(repo.keySet());
    repo.forEach(
        (name, bytes) ->
            assertThat(chart.get(name))
                .as("%s differs from crds/%s: %s", chartCrds.resolve(name), name, HOW_TO_FIX)
                .isEqualTo(bytes));
    // Nothing else in the chart's crds/: helm would install any YAML there.
    try (Stream<Path> all = Files.list(chartCrds)) {
      assertThat(all.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrderElementsOf(chart.keySet());
    }
  }

  @Test
  void helmInstallsEachCrdOnceUnderItsOwnName() throws IOException {
    RenderedChart chart =
        RenderedChart.render(Helm.installed(), "strata", "strata-system", "--include-crds");
    List<CustomResourceDefinition> crds = chart.all(CustomResourceDefinition.class);
    Map<String, byte[]> repo = yamlFiles(Examples.dir().resolveSibling("crds"));
    assertThat(crds)
        .extracting(c -> c.getMetadata().getName() + ".yaml")
        .containsExactlyInAnyOrderElementsOf(repo.keySet());
    assertThat(crds).allSatisfy(c -> assertThat(c.getSpec().getGroup()).isEqualTo("strata.dev"));
  }

  static Map<String, byte[]> yamlFiles(Path dir) throws IOException {
    Map<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> all = Files.list(dir)) {
      for (Path p :
          all.filter(
                  p ->
                      p.getFileName().toString().endsWith(".yaml")
                          || p.getFileName().toString().endsWith(".yml"))
              .toList()) {
        files.put(p.getFileName().toString(), Files.readAllBytes(p));
      }
    }
    return files;
  }
}
