package dev.strata.e2e.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.api.v1alpha1.GarbageCollectionStatus;
import dev.strata.api.v1alpha1.VerificationStatus;
import dev.strata.e2e.support.CommandResult;
import dev.strata.e2e.support.Examples;
import dev.strata.e2e.support.Promtool;
import dev.strata.operator.metrics.StrataMetrics;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/operations.md and the chart's monitoring files (charts/strata/monitoring: the alert rules
 * and the Grafana dashboard, the one source of the chart's PrometheusRule and dashboard ConfigMap)
 * name only metrics the operator really exports (as its own StrataMetrics scrapes them), the guide
 * lists every one of them and every alert, every dashboard panel queries them, and every alert rule
 * and dashboard query is PromQL that Prometheus's promtool accepts.
 */
public class MonitoringDocsTest {

  static final Path DOCS = Examples.dir().resolveSibling("docs");
  static final Path MONITORING =
      Examples.dir().resolveSibling("charts").resolve("strata/monitoring");
  static final Path DASHBOARD = MONITORING.resolve("grafana-dashboard.json");
  static final Pattern METRIC = Pattern.compile("\\bstrata_[a-z_]+\\b");

  /**
   * Every series name the operator exports once it knows each kind of object and each kind of event
   * has happened.
   */
  static Set<String> exported() {
    StrataMetrics metrics = new StrataMetrics();
    metrics.namespaceSeen("team-a");
    metrics.sourceSeen("team-a", "team-a/data-0/rocksdb", null);
    metrics.storeSeen("team-a", "minio", null);
    metrics.scheduleSeen("team-a", "nightly", Instant.parse("2026-11-27T03:00:00Z"));
    metrics.snapshotFinished(
        "team-a",
        "team-a/data-0/rocksdb",
        true,
        Duration.ofSeconds(12),
        100,
        900,
        Instant.ofEpochSecond(1_700_000_000L));
    metrics.snapshotFinished(
        "team-a",
        "team-a/data-0/rocksdb",
        false,
        Duration.ofSeconds(3),
        0,
        0,
        Instant.ofEpochSecond(1_700_000_100L));
    metrics.restoreFinished("team-a", true, Duration.ofSeconds(30), 100, 900);
    metrics.scheduleRun("team-a", "nightly", "created");
    metrics.storeChecked("team-a", "minio", true);
    metrics.storeChecked("team-a", "minio", false);
    metrics.garbageCollected(
        "team-a",
        "minio",
        new GarbageCollectionStatus(
            "2026-11-26T03:17:40Z", "Succeeded", null, 12L, 4096L, 1L, 2500L, "deleted 12 blobs"));
    metrics.garbageCollected(
        "team-a",
        "minio",
        new GarbageCollectionStatus(
            "2026-11-27T03:17:40Z", "Failed", "RunnerFailed", null, null, null, null, "boom"));
    metrics.verificationFinished(
        "team-a",
        "minio",
        new VerificationStatus(
            "2026-11-29T04:30:00Z", "Succeeded", null, 12L, 1L, null, true, null, 60_000L, "x"));
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

  /**
   * The metric families of the guide's table: counters with _total, histograms by their base name.
   */
  static final List<String> FAMILIES =
      List.of(
          "strata_snapshots_total",
          "strata_snapshot_duration_seconds",
          "strata_snapshot_uploaded_bytes_total",
          "strata_snapshot_reused_bytes_total",
          "strata_snapshot_last_success_timestamp_seconds",
          "strata_restores_total",
          "strata_restore_duration_seconds",
          "strata_restore_downloaded_bytes_total",
          "strata_restore_reused_bytes_total",
          "strata_schedule_runs_total",
          "strata_schedule_next_run_timestamp_seconds",
          "strata_store_checks_total",
          "strata_store_ready",
          "strata_gc_runs_total",
          "strata_gc_duration_seconds",
          "strata_gc_deleted_blobs_total",
          "strata_gc_deleted_bytes_total",
          "strata_gc_last_run_timestamp_seconds",
          "strata_verify_runs_total",
          "strata_verify_duration_seconds",
          "strata_verify_last_run_timestamp_seconds",
          "strata_store_damaged_snapshots",
          "strata_build_info");

  /**
   * The chart's alert rules (charts/strata/monitoring/alerts.yaml), a rule file as promtool reads
   * it.
   */
  public static String alertRules() throws IOException {
    return Files.readString(MONITORING.resolve("alerts.yaml"));
  }

  /** The names of the alerts in alerts.yaml. */
  static List<String> alertNames() throws IOException {
    List<String> names = new ArrayList<>();
    for (JsonNode group : Serialization.yamlMapper().readTree(alertRules()).path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        names.add(rule.path("alert").asText());
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
    assertThat(mentioned(guide))
        .as("metrics named in docs/operations.md")
        .isSubsetOf(exported)
        .isNotEmpty();
    // Its metrics table lists each metric family (a histogram's _bucket/_count/_sum/_max are
    // described with it).
    for (String family : FAMILIES) {
      assertThat(exported).contains(family);
      assertThat(guide).contains("| `" + family + "` |");
    }
    assertThat(exported).allSatisfy(name -> assertThat(name).startsWith("strata_"));
  }

  @Test
  void theGuideDescribesEveryAlertOfTheChart() throws IOException {
    String guide = Files.readString(DOCS.resolve("operations.md"));
    String alerts = guide.substring(guide.indexOf("## Alerts"));
    List<String> names = alertNames();
    assertThat(names).hasSize(11).doesNotHaveDuplicates();
    for (String name : names) {
      assertThat(alerts).as("docs/operations.md, ## Alerts").contains("`" + name + "`");
    }
    assertThat(mentioned(alertRules()))
        .as("metrics in alerts.yaml")
        .isNotEmpty()
        .isSubsetOf(exported());
  }

  @Test
  void theDashboardQueriesOnlyExportedMetrics() throws IOException {
    Set<String> exported = exported();
    JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    assertThat(dashboard.path("title").asText()).isEqualTo("Strata");
    List<String> exprs = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      assertThat(panel.path("targets").size())
          .as("targets of panel %s", panel.path("title"))
          .isPositive();
      for (JsonNode target : panel.path("targets")) {
        String expr = target.path("expr").asText();
        assertThat(mentioned(expr))
            .as("metrics of panel %s: %s", panel.path("title"), expr)
            .isNotEmpty()
            .isSubsetOf(exported);
        exprs.add(expr);
      }
    }
    // What the issue asks the dashboard to show.
    String all = String.join("\n", exprs);
    assertThat(all)
        .contains(
            "strata_snapshots_total",
            "strata_snapshot_duration_seconds_bucket",
            "strata_snapshot_uploaded_bytes_total",
            "strata_snapshot_reused_bytes_total",
            "strata_snapshot_last_success_timestamp_seconds",
            "strata_store_checks_total",
            "strata_gc_runs_total",
            "strata_gc_last_run_timestamp_seconds",
            "strata_restores_total",
            "strata_store_ready",
            "strata_schedule_runs_total",
            "strata_store_damaged_snapshots",
            "strata_verify_runs_total",
            "strata_verify_last_run_timestamp_seconds");
    // Template variables query exported metrics too.
    for (JsonNode variable : dashboard.path("templating").path("list")) {
      if ("query".equals(variable.path("type").asText())) {
        assertThat(mentioned(variable.path("definition").asText()))
            .isNotEmpty()
            .isSubsetOf(exported);
      }
    }
  }

  @Test
  void everyAlertRuleIsValidPromql(@TempDir Path tmp) throws IOException {
    String rules = alertRules();
    assertThat(rules)
        .contains(
            "StrataSnapshotsFailing",
            "StrataSnapshotNeverSucceeded",
            "StrataStoreNotReady",
            "StrataRestoreFailed",
            "StrataSnapshotsDamaged",
            "StrataVerificationFailing");
    CommandResult check = Promtool.in(tmp).checkRules(rules);
    assertThat(check.exitCode())
        .as("promtool check rules:\n%s%s", check.stdout(), check.stderr())
        .isZero();
    assertThat(check.stdout()).contains("SUCCESS");
  }

  @Test
  void everyDashboardQueryIsValidPromql(@TempDir Path tmp) throws IOException {
    JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
    int n = 0;
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        // Grafana's variables become what they select: every namespace.
        String expr = target.path("expr").asText().replace("$namespace", ".*");
        rules
            .append("      - record: dashboard:query_")
            .append(n++)
            .append("\n        expr: ")
            .append(new ObjectMapper().writeValueAsString(expr))
            .append("\n");
      }
    }
    CommandResult check = Promtool.in(tmp).checkRules(rules.toString());
    assertThat(check.exitCode())
        .as("promtool check rules:\n%s%s", check.stdout(), check.stderr())
        .isZero();
  }

  /**
   * The damaged-snapshots alert fires on the gauge the operator sets when a verification finds
   * damage, and only then.
   */
  @Test
  void theDamagedSnapshotsAlertFiresOnWhatTheOperatorExports(@TempDir Path tmp) throws IOException {
    StrataMetrics metrics = new StrataMetrics();
    metrics.storeSeen("team-a", "minio", null, null);
    String before =
        sample(
            metrics.scrape(),
            "strata_store_damaged_snapshots{namespace=\"team-a\",store=\"minio\"}");
    metrics.verificationFinished(
        "team-a",
        "minio",
        new VerificationStatus(
            "2026-11-29T04:30:00Z", "Succeeded", null, 12L, 2L, null, true, null, 1L, "x"));
    String after =
        sample(
            metrics.scrape(),
            "strata_store_damaged_snapshots{namespace=\"team-a\",store=\"minio\"}");
    String test =
        """
        rule_files: [rules.yml]
        evaluation_interval: 1m
        tests:
          - interval: 1m
            input_series:
              - series: 'strata_store_damaged_snapshots{namespace="team-a",store="minio"}'
                values: '%s %s'
            alert_rule_test:
              - eval_time: 0m
                alertname: StrataSnapshotsDamaged
                exp_alerts: []
              - eval_time: 1m
                alertname: StrataSnapshotsDamaged
                exp_alerts:
                  - exp_labels: {severity: critical, namespace: team-a, store: minio}
                    exp_annotations:
                      summary: "2 damaged snapshot(s) in SnapshotStore team-a/minio"
                      description: "kubectl describe snapshotstore -n team-a minio: the Healthy condition names them and says what to do."
        """
            .formatted(before, after);
    CommandResult result = Promtool.in(tmp).testRules(alertRules(), test);
    assertThat(result.exitCode())
        .as("promtool test rules:\n%s%s", result.stdout(), result.stderr())
        .isZero();
  }

  static String sample(String scrape, String series) {
    return scrape
        .lines()
        .filter(l -> l.startsWith(series + " "))
        .map(l -> Long.toString((long) Double.parseDouble(l.split(" ")[1])))
        .findFirst()
        .orElseThrow(() -> new AssertionError(series + " is not exported"));
  }
}
