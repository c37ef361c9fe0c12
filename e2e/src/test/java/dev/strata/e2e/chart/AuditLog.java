package dev.strata.e2e.chart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The kube-apiserver's audit log (JSON lines, level Metadata) for the requests of one user: what a
 * ServiceAccount really asked for and what it was answered, independent of what the client logged.
 */
final class AuditLog {

  /**
   * An audit policy that records every ServiceAccount's requests outside kube-system, and nothing
   * else.
   */
  static final String POLICY =
      String.join(
          "\n",
          "apiVersion: audit.k8s.io/v1",
          "kind: Policy",
          "omitStages: [RequestReceived]",
          "rules:",
          "- level: None",
          "  userGroups: [\"system:serviceaccounts:kube-system\"]",
          "- level: Metadata",
          "  userGroups: [\"system:serviceaccounts\"]",
          "- level: None",
          "");

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One request: who, what, and the answer's HTTP code. */
  record Entry(
      String user,
      String verb,
      String group,
      String resource,
      String subresource,
      String namespace,
      String name,
      int code,
      String uri,
      String message) {

    /** "group/resource[/subresource] verb", as {@link ExpectedRbac#permission} writes it. */
    String permission() {
      return ExpectedRbac.permission(
          group, subresource == null ? resource : resource + "/" + subresource, verb);
    }

    @Override
    public String toString() {
      return code + " " + verb + " " + uri;
    }
  }

  private AuditLog() {}

  static List<Entry> read(Path file, String user) {
    List<Entry> entries = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(file)) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode e = JSON.readTree(line);
        if (!user.equals(e.path("user").path("username").asText())
            || !"ResponseComplete".equals(e.path("stage").asText())
                && !"ResponseStarted".equals(e.path("stage").asText())) {
          continue;
        }
        JsonNode ref = e.path("objectRef");
        entries.add(
            new Entry(
                user,
                e.path("verb").asText(),
                text(ref, "apiGroup"),
                text(ref, "resource"),
                text(ref, "subresource"),
                text(ref, "namespace"),
                text(ref, "name"),
                e.path("responseStatus").path("code").asInt(),
                e.path("requestURI").asText(),
                e.path("responseStatus").path("message").asText()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return entries;
  }

  static Set<String> permissionsUsed(List<Entry> entries) {
    return entries.stream()
        .filter(e -> e.resource() != null)
        .map(Entry::permission)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() || v.asText().isEmpty() ? null : v.asText();
  }
}
