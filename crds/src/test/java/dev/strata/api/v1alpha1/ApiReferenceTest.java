package dev.strata.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/api-reference.md is what ApiReference generates from the committed CRDs (crds/regenerate.sh
 * rewrites it).
 */
class ApiReferenceTest {

  static final Path CRDS = Path.of(".");
  static final Path REFERENCE = Path.of("../docs/api-reference.md");

  @Test
  void committedReferenceMatchesTheCrds() throws IOException {
    String generated = ApiReference.generate(CRDS);
    if (Boolean.getBoolean("strata.writeApiReference")) {
      Files.writeString(REFERENCE, generated);
    }
    assertThat(REFERENCE).as("docs/api-reference.md is missing: run crds/regenerate.sh").exists();
    assertThat(Files.readString(REFERENCE))
        .as(
            "docs/api-reference.md is stale (the CRDs changed): run crds/regenerate.sh and commit the result")
        .isEqualTo(generated);
  }

  @Test
  void everyResourceAndEveryTopLevelSpecFieldIsDocumented() throws IOException {
    String generated = ApiReference.generate(CRDS);
    for (String kind : ApiReference.ORDER) {
      assertThat(generated).contains("\n## " + kind + "\n", "### " + kind + ".spec");
    }
    // Fields chosen from several types, nested objects and arrays included: the walk must reach
    // them all.
    assertThat(generated)
        .contains("| `spec.bucket` | string, required |")
        .contains("`spec.caBundle.configMapRef.key`")
        .contains("`status.conditions[].type`");
  }
}
