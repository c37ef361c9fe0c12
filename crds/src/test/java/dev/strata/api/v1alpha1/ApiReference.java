package dev.strata.api.v1alpha1;

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

/**
 * Writes docs/api-reference.md from the committed CRD YAML (which CommittedCrdsTest keeps equal to
 * the Java types), so the reference says exactly what the API server enforces: field types,
 * defaults, limits, enums and CEL rules.
 */
final class ApiReference {

  /**
   * The order a reader meets the resources in: where snapshots go, taking them, keeping them,
   * restoring them.
   */
  static final List<String> ORDER =
      List.of(
          "SnapshotStore",
          "StateSnapshot",
          "SnapshotSchedule",
          "RetentionPolicy",
          "StateRestore",
          "RestorePolicy");

  private ApiReference() {}

  static String generate(Path crdDir) throws IOException {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    List<JsonNode> crds = new ArrayList<>();
    try (Stream<Path> s = Files.list(crdDir)) {
      for (Path p : s.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        crds.add(yaml.readTree(p.toFile()));
      }
    }
    crds.sort((a, b) -> Integer.compare(rank(kind(a)), rank(kind(b))));
    StringBuilder out = new StringBuilder();
    out.append("# API reference\n\n")
        .append(
            "<!-- Generated from crds/*.yaml by crds/src/test/java/dev/strata/api/v1alpha1/ApiReference.java;")
        .append(
            " do not edit: run crds/regenerate.sh. ApiReferenceTest fails when this file is stale. -->\n\n")
        .append(
            "Every Strata resource, field by field, as the CRDs installed by the chart (`charts/strata/crds/`) and by")
        .append(
            " `kubectl apply -f crds/` define them. `kubectl explain <kind>.spec` shows the same descriptions.")
        .append(
            " A field is *required* when the API server rejects an object without it; limits, enums, defaults")
        .append(" and rules are enforced at admission.\n\n");
    for (JsonNode crd : crds) {
      String kind = kind(crd);
      out.append("- [").append(kind).append("](#").append(kind.toLowerCase()).append(")\n");
    }
    for (JsonNode crd : crds) {
      resource(out, crd);
    }
    return out.toString();
  }

  private static void resource(StringBuilder out, JsonNode crd) {
    JsonNode spec = crd.path("spec");
    JsonNode names = spec.path("names");
    String group = spec.path("group").asText();
    for (JsonNode version : spec.path("versions")) {
      out.append("\n## ").append(names.path("kind").asText()).append("\n\n");
      out.append("`apiVersion: ")
          .append(group)
          .append('/')
          .append(version.path("name").asText())
          .append("`, `kind: ")
          .append(names.path("kind").asText())
          .append("`, ")
          .append(spec.path("scope").asText().toLowerCase())
          .append(". Plural `")
          .append(names.path("plural").asText())
          .append('`');
      List<String> shortNames = texts(names.path("shortNames"));
      if (!shortNames.isEmpty()) {
        out.append(", short name")
            .append(shortNames.size() > 1 ? "s " : " ")
            .append(code(shortNames));
      }
      List<String> categories = texts(names.path("categories"));
      if (!categories.isEmpty()) {
        out.append(", category ")
            .append(code(categories))
            .append(" (`kubectl get ")
            .append(categories.get(0))
            .append("` lists it)");
      }
      out.append(".\n");
      JsonNode columns = version.path("additionalPrinterColumns");
      if (columns.size() > 0) {
        out.append("\n`kubectl get` columns (those of priority 1 only with `-o wide`):\n\n")
            .append("| Column | JSON path | Type | Priority |\n|---|---|---|---|\n");
        for (JsonNode c : columns) {
          out.append("| ")
              .append(c.path("name").asText())
              .append(" | `")
              .append(cell(c.path("jsonPath").asText()))
              .append("` | ")
              .append(c.path("type").asText())
              .append(" | ")
              .append(c.path("priority").asInt())
              .append(" |\n");
        }
      }
      JsonNode schema = version.path("schema").path("openAPIV3Schema");
      rules(out, "", schema);
      for (String part : List.of("spec", "status")) {
        JsonNode node = schema.path("properties").path(part);
        if (node.isMissingNode()) {
          continue;
        }
        out.append("\n### ")
            .append(names.path("kind").asText())
            .append('.')
            .append(part)
            .append("\n\n");
        if (node.has("description")) {
          out.append(oneLine(node.path("description").asText())).append("\n\n");
        }
        rules(out, part, node);
        out.append("| Field | Type | Description |\n|---|---|---|\n");
        fields(out, part, node);
      }
    }
  }

  private static void fields(StringBuilder out, String path, JsonNode node) {
    Iterator<Map.Entry<String, JsonNode>> props = node.path("properties").fields();
    List<String> required = texts(node.path("required"));
    List<Map.Entry<String, JsonNode>> sorted = new ArrayList<>();
    props.forEachRemaining(sorted::add);
    sorted.sort(Map.Entry.comparingByKey());
    for (Map.Entry<String, JsonNode> e : sorted) {
      String field = path + "." + e.getKey();
      JsonNode f = e.getValue();
      out.append("| `")
          .append(field)
          .append("` | ")
          .append(type(f))
          .append(required.contains(e.getKey()) ? ", required" : "")
          .append(" | ")
          .append(cell(description(f)))
          .append(" |\n");
      JsonNode items = f.path("items");
      if (f.has("properties")) {
        fields(out, field, f);
      } else if (items.has("properties")) {
        fields(out, field + "[]", items);
      } else if (f.path("additionalProperties").has("properties")) {
        fields(out, field + ".*", f.path("additionalProperties"));
      }
    }
  }

  private static String description(JsonNode f) {
    StringBuilder d = new StringBuilder(oneLine(f.path("description").asText("")));
    List<String> notes = new ArrayList<>();
    JsonNode c = f.has("items") && !f.has("enum") ? f.path("items") : f;
    if (c.has("enum")) {
      notes.add("One of " + code(texts(c.path("enum"))) + ".");
    }
    if (f.has("default")) {
      notes.add(
          "Default `"
              + (f.path("default").isValueNode()
                  ? f.path("default").asText()
                  : f.path("default").toString())
              + "`.");
    }
    limit(notes, f, "minimum", "Minimum");
    limit(notes, f, "maximum", "Maximum");
    limit(notes, f, "minLength", "At least", " characters");
    limit(notes, f, "maxLength", "At most", " characters");
    limit(notes, f, "minItems", "At least", " items");
    limit(notes, f, "maxItems", "At most", " items");
    if (f.has("pattern")) {
      notes.add("Pattern `" + f.path("pattern").asText() + "`.");
    }
    for (JsonNode rule : f.path("x-kubernetes-validations")) {
      notes.add("Rule: " + rule.path("message").asText(rule.path("rule").asText()));
    }
    for (String n : notes) {
      if (d.length() > 0) {
        d.append(' ');
      }
      d.append(n);
    }
    return d.toString();
  }

  private static void limit(List<String> notes, JsonNode f, String key, String word) {
    limit(notes, f, key, word, "");
  }

  private static void limit(List<String> notes, JsonNode f, String key, String word, String unit) {
    if (f.has(key)) {
      notes.add(word + " " + f.path(key).asText() + unit + ".");
    }
  }

  private static void rules(StringBuilder out, String path, JsonNode node) {
    JsonNode rules = node.path("x-kubernetes-validations");
    if (rules.size() == 0) {
      return;
    }
    out.append(
        path.isEmpty() ? "\nRules on the whole object:\n\n" : "Rules on `" + path + "`:\n\n");
    for (JsonNode r : rules) {
      out.append("- ")
          .append(oneLine(r.path("message").asText(r.path("rule").asText())))
          .append("\n");
    }
    out.append('\n');
  }

  private static String type(JsonNode f) {
    if (f.path("x-kubernetes-int-or-string").asBoolean()) {
      return "integer or string";
    }
    String t = f.path("type").asText("any");
    if ("array".equals(t)) {
      return "array of " + type(f.path("items"));
    }
    if ("object".equals(t) && f.has("additionalProperties") && !f.has("properties")) {
      return "map of " + type(f.path("additionalProperties"));
    }
    return f.has("format") ? t + " (" + f.path("format").asText() + ")" : t;
  }

  private static String kind(JsonNode crd) {
    return crd.path("spec").path("names").path("kind").asText();
  }

  private static int rank(String kind) {
    int i = ORDER.indexOf(kind);
    return i < 0 ? ORDER.size() : i;
  }

  private static List<String> texts(JsonNode array) {
    List<String> list = new ArrayList<>();
    array.forEach(n -> list.add(n.asText()));
    return list;
  }

  private static String code(List<String> values) {
    return String.join(", ", values.stream().map(v -> "`" + v + "`").toList());
  }

  private static String oneLine(String s) {
    return s.strip().replaceAll("\\s*\\n\\s*", " ");
  }

  private static String cell(String s) {
    return s.replace("|", "\\|");
  }
}
