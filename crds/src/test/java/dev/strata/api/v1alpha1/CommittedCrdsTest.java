package dev.strata.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The CRD YAML users apply (crds/*.yaml) is exactly what the Java types generate, with the printer
 * columns in the order the types declare them (PrinterColumns) and each CEL rule once
 * (RuleDuplicates). With -Dstrata.writeCrds=true (crds/regenerate.sh) it writes that YAML first.
 */
class CommittedCrdsTest {

  static final Path GENERATED = Path.of("target/classes/META-INF/fabric8");
  static final Path COMMITTED = Path.of(".");

  @Test
  void committedYamlMatchesTheTypes() throws IOException {
    List<Path> generated;
    try (Stream<Path> s = Files.list(GENERATED)) {
      generated = s.filter(p -> p.toString().endsWith("-v1.yml")).sorted().toList();
    }
    assertThat(generated)
        .extracting(p -> p.getFileName().toString())
        .contains("statesnapshots.strata.dev-v1.yml", "snapshotstores.strata.dev-v1.yml");
    for (Path g : generated) {
      Path committed = COMMITTED.resolve(g.getFileName().toString().replace("-v1.yml", ".yaml"));
      String expected = RuleDuplicates.removed(PrinterColumns.inDeclaredOrder(Files.readString(g)));
      if (Boolean.getBoolean("strata.writeCrds")) {
        Files.writeString(committed, expected);
      }
      assertThat(committed)
          .as("crds/%s is missing: run crds/regenerate.sh", committed.getFileName())
          .exists();
      assertThat(Files.readString(committed))
          .as(
              "crds/%s drifted from the Java types: run crds/regenerate.sh and commit the result",
              committed.getFileName())
          .isEqualTo(expected);
    }
    try (Stream<Path> s = Files.list(COMMITTED)) {
      assertThat(s.filter(p -> p.toString().endsWith(".yaml")).count())
          .as("every committed CRD has a Java type")
          .isEqualTo(generated.size());
    }
  }
}
