package dev.strata.e2e.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.api.v1alpha1.GarbageCollectionStatus;
import dev.strata.e2e.support.Examples;
import dev.strata.operator.metrics.StrataMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/operations.md and docs/grafana-dashboard.json name only metrics the operator really exports (as its own
 * StrataMetrics scrapes them), the guide lists every one of them, and every dashboard panel queries them. (PromQL
 * itself is not checked: there is no promtool here.)
 */
class MonitoringDocsTest {

  static final Path DOCS = Examples.dir().resolveSibling("docs");
  static final Pattern METRIC = Pattern.compile("\\bstrata_[a-z_]+\\b");

  /** Every series name the operator exports once each kind of event has happened. */
  static Set<String> exported() {
    StrataMetrics metrics = new StrataMetrics();
    metrics.snapshotFinished("team-a", "team-a/data-0/rocksdb", true, Duration.ofSeconds(12), 100, 900, java.time.Instant.ofEpochSecond(1_700_000_000L));
    metrics.snapshotFinished("team-a", "team-a/data-0/rocksdb", false, Duration.ofSeconds(3), 0, 0, java.time.Instant.ofEpochSecond(1_700_000_100L));
    metrics.storeChecked("team-a", "minio", true);
    metrics.storeChecked("team-a", "minio", false);
    metrics.garbageCollected("team-a", "minio", new GarbageCollectionStatus("2026-11-26T03:17:40Z", "Succeeded", 12L, 4096L, 1L, 2500L, "deleted 12 blobs"));
    metrics.garbageCollected("team-a", "minio", new GarbageCollectionStatus("2026-11-27T03:17:40Z", "Failed", null, null, null, null, "boom"));
    Set<String> names = new TreeSet<>();
    for (String line : metrics.scrape().split("\n")) {
      if (line.startsWith("# TYPE ")) {
        names.add(line.split(" ")[2]);
      } else if (!line.startsWith("#") && !line.isBlank()) {
        names.add(line.split("[{ ]")[0]);
      }
    }
    return names;
  }

  static Set<String> mentioned(String text) {
    Set<String> names = new TreeSet<>();
    Matcher m = METRIC.matcher(text);
    while (m.find()) {
      names.add(m.group());
    }
    return names;
  }

  @Test
  void theOperationsGuideNamesExactlyTheExportedMetrics() throws IOException {
    Set<String> exported = exported();
    String guide = Files.readString(DOCS.resolve("operations.md"));
    assertThat(mentioned(guide)).as("metrics named in docs/operations.md").isSubsetOf(exported).isNotEmpty();
    // Its metrics table lists each metric family (the summary's _count/_sum/_max are described with it).
    for (String family : List.of("strata_snapshots_total", "strata_snapshot_duration_seconds", "strata_snapshot_uploaded_bytes_total",
        "strata_snapshot_reused_bytes_total", "strata_snapshot_last_success_timestamp_seconds", "strata_store_checks_total",
        "strata_gc_runs_total", "strata_gc_deleted_blobs_total", "strata_gc_deleted_bytes_total", "strata_gc_duration_seconds",
        "strata_gc_last_run_timestamp_seconds")) {
      assertThat(exported).contains(family);
      assertThat(guide).contains("| `" + family + "` |");
    }
    assertThat(exported).allSatisfy(name -> assertThat(name).startsWith("strata_"));
  }

  @Test
  void theDashboardQueriesOnlyExportedMetrics() throws IOException {
    Set<String> exported = exported();
    JsonNode dashboard = new ObjectMapper().readTree(DOCS.resolve("grafana-dashboard.json").toFile());
    assertThat(dashboard.path("title").asText()).isEqualTo("Strata");
    List<String> exprs = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      assertThat(panel.path("targets").size()).as("targets of panel %s", panel.path("title")).isPositive();
      for (JsonNode target : panel.path("targets")) {
        String expr = target.path("expr").asText();
        assertThat(mentioned(expr)).as("metrics of panel %s: %s", panel.path("title"), expr).isNotEmpty().isSubsetOf(exported);
        exprs.add(expr);
      }
    }
    // What the issue asks the dashboard to show.
    String all = String.join("\n", exprs);
    assertThat(all).contains("strata_snapshots_total", "strata_snapshot_duration_seconds_sum", "strata_snapshot_uploaded_bytes_total",
        "strata_snapshot_reused_bytes_total", "strata_snapshot_last_success_timestamp_seconds", "strata_store_checks_total",
        "strata_gc_runs_total", "strata_gc_last_run_timestamp_seconds");
    // Template variables query exported metrics too.
    for (JsonNode variable : dashboard.path("templating").path("list")) {
      if ("query".equals(variable.path("type").asText())) {
        assertThat(mentioned(variable.path("definition").asText())).isNotEmpty().isSubsetOf(exported);
      }
    }
  }
}
