package dev.strata.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What users see of the committed CRDs: `kubectl get` columns in the declared order with AGE last,
 * `kubectl explain` text for every status field, and no validation message that is a bare regex.
 */
class CrdUsabilityTest {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  static List<Path> committed() throws IOException {
    try (Stream<Path> s = Files.list(Path.of("."))) {
      List<Path> crds = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
      assertThat(crds).hasSize(ApiReference.ORDER.size());
      return crds;
    }
  }

  @Test
  void printerColumnsAreInTheDeclaredOrderWithAgeLast() throws IOException {
    for (Path crd : committed()) {
      JsonNode tree = YAML.readTree(crd.toFile());
      String kind = tree.path("spec").path("names").path("kind").asText();
      for (JsonNode version : tree.path("spec").path("versions")) {
        List<String> names = new ArrayList<>();
        version.path("additionalPrinterColumns").forEach(c -> names.add(c.path("name").asText()));
        assertThat(names).as(kind).isEqualTo(PrinterColumns.declared(kind));
        assertThat(names).as(kind + ": AGE last").last().isEqualTo("Age");
        JsonNode age = version.path("additionalPrinterColumns").get(names.size() - 1);
        assertThat(age.path("jsonPath").asText()).isEqualTo(".metadata.creationTimestamp");
        assertThat(age.path("priority").asInt()).isZero();
      }
    }
  }

  @Test
  void generatedColumnsAreMovedAsWholeItemsIntoTheDeclaredOrder() {
    String generated =
        String.join(
            "\n",
            "spec:",
            "  names:",
            "    kind: \"RetentionPolicy\"",
            "  versions:",
            "  - additionalPrinterColumns:",
            "    - jsonPath: \".metadata.creationTimestamp\"",
            "      name: \"Age\"",
            "      type: \"date\"",
            "    - jsonPath: \".spec.dryRun\"",
            "      name: \"Dry run\"",
            "    - jsonPath: \".spec.keepDaily\"",
            "      name: \"Daily\"",
            "    - jsonPath: \".spec.keepLast\"",
            "      name: \"Last\"",
            "    - jsonPath: \".spec.maxAge\"",
            "      name: \"Max age\"",
            "    - jsonPath: \".status.lastAppliedTime\"",
            "      name: \"Applied\"",
            "    name: \"v1alpha1\"",
            "");
    String ordered = PrinterColumns.inDeclaredOrder(generated);
    assertThat(ordered)
        .startsWith(
            "spec:\n  names:\n    kind: \"RetentionPolicy\"\n  versions:\n  - additionalPrinterColumns:\n"
                + "    - jsonPath: \".spec.keepLast\"\n      name: \"Last\"\n    - jsonPath: \".spec.keepDaily\"\n");
    assertThat(ordered)
        .contains(
            "      name: \"Applied\"\n    - jsonPath: \".metadata.creationTimestamp\"\n      name: \"Age\"\n"
                + "      type: \"date\"\n    name: \"v1alpha1\"\n");
    assertThat(ordered.length()).isEqualTo(generated.length());
  }

  @Test
  void everyStatusFieldIsExplained() throws IOException {
    List<String> missing = new ArrayList<>();
    for (Path crd : committed()) {
      JsonNode tree = YAML.readTree(crd.toFile());
      String kind = tree.path("spec").path("names").path("kind").asText();
      for (JsonNode version : tree.path("spec").path("versions")) {
        JsonNode status =
            version.path("schema").path("openAPIV3Schema").path("properties").path("status");
        assertThat(status.isMissingNode()).as(kind + " has a status").isFalse();
        walk(kind + ".status", status, missing);
      }
    }
    assertThat(missing)
        .as(
            "status fields without a @JsonPropertyDescription (kubectl explain shows nothing for them)")
        .isEmpty();
  }

  private static void walk(String path, JsonNode schema, List<String> missing) {
    for (Iterator<Map.Entry<String, JsonNode>> it = schema.path("properties").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> p = it.next();
      String at = path + "." + p.getKey();
      if (p.getValue().path("description").asText().isBlank()) {
        missing.add(at);
      }
      walk(at, p.getValue(), missing);
    }
    if (schema.has("items")) {
      walk(path + "[]", schema.path("items"), missing);
    }
  }

  @Test
  void everyRuleIsWrittenOnce() throws IOException {
    // Server-side apply refuses a CRD whose x-kubernetes-validations repeat a rule, and users would
    // read each message twice.
    for (Path crd : committed()) {
      List<String> repeated = new ArrayList<>();
      rules(YAML.readTree(crd.toFile()), repeated);
      assertThat(repeated).as(crd.toString()).isEmpty();
    }
    String head =
        String.join(
            "\n",
            "            properties:",
            "              name:",
            "                type: \"string\"",
            "                x-kubernetes-validations:",
            "");
    String rules =
        String.join(
            "\n",
            "                - message: \"m\"",
            "                  rule: \"a\"",
            "                - message: \"n\"",
            "                  rule: \"b\\",
            "                    \\ c\"",
            "");
    String tail = "            required:\n";
    assertThat(RuleDuplicates.removed(head + rules + rules + tail)).isEqualTo(head + rules + tail);
  }

  private static void rules(JsonNode node, List<String> repeated) {
    if (node.isObject()) {
      JsonNode rules = node.path("x-kubernetes-validations");
      List<String> seen = new ArrayList<>();
      for (JsonNode r : rules) {
        String rule = r.path("rule").asText();
        if (seen.contains(rule)) {
          repeated.add(rule);
        }
        seen.add(rule);
      }
    }
    node.forEach(child -> rules(child, repeated));
  }

  @Test
  void noFieldIsValidatedByABareRegex() throws IOException {
    // A `pattern` makes the API server answer "should match '^[a-z0-9]([-a-z0-9.]*...'"; a CEL rule
    // says what to write.
    for (Path crd : committed()) {
      assertThat(Files.readString(crd)).as(crd.toString()).doesNotContain(" pattern: ");
    }
  }
}
