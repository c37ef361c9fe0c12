package dev.strata.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.build.BuildInfo;
import dev.strata.e2e.chart.MonitoringDocsTest;
import dev.strata.e2e.support.CommandResult;
import dev.strata.e2e.support.ControlPlane;
import dev.strata.e2e.support.ControlPlaneExtension;
import dev.strata.e2e.support.Examples;
import dev.strata.e2e.support.MinioExtension;
import dev.strata.e2e.support.MinioServer;
import dev.strata.e2e.support.OperatorProcess;
import dev.strata.e2e.support.Promtool;
import dev.strata.e2e.support.TestNamespace;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The failure alert after a restart: the operator is killed and started again, one snapshot fails,
 * and what the new process exported before and after that failure, read by Prometheus's own rule
 * engine (promtool) with the rule of docs/operations.md, fires StrataSnapshotsFailing. Before the
 * series existed at 0 from start-up, the new process's first sample of the failure counter was
 * already 1, increase() saw no increase, and the alert stayed silent.
 */
@ExtendWith({ControlPlaneExtension.class, MinioExtension.class})
class AlertAfterRestartTest {

  static final Pattern FAILED =
      Pattern.compile(
          "^strata_snapshots_total\\{namespace=\"([^\"]+)\",result=\"failed\"} (\\S+)$",
          Pattern.MULTILINE);

  static Optional<String> failedCount(String scrape, String namespace) {
    Matcher m = FAILED.matcher(scrape);
    while (m.find()) {
      if (m.group(1).equals(namespace)) {
        return Optional.of(m.group(2));
      }
    }
    return Optional.empty();
  }

  @Test
  void aRestartThenOneFailingSnapshotFiresTheFailureAlert(
      ControlPlane plane, MinioServer minio, TestNamespace ns, @TempDir Path dir)
      throws IOException {
    KubernetesClient client = plane.client();
    plane.kubectl("apply", "-f", Examples.dir().resolveSibling("crds").toString()).assertSuccess();
    // A namespace with a store whose credentials are wrong: a snapshot of it fails at once
    // (StoreNotReady).
    client
        .secrets()
        .inNamespace(ns.name())
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("minio-credentials")
                .endMetadata()
                .withStringData(
                    Map.of(
                        "AWS_ACCESS_KEY_ID",
                        Examples.EXAMPLE_ACCESS_KEY_ID,
                        "AWS_SECRET_ACCESS_KEY",
                        "wrong"))
                .build())
        .create();
    Examples.apply(plane, ns.name(), "snapshot-store.yaml").assertSuccess();
    Map<String, String> env = Map.of("STRATA_STORE_RECHECK_SECONDS", "600");
    OperatorProcess first = OperatorProcess.start(plane.kubeconfig(), dir, env);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> failedCount(first.metrics(), ns.name()).isPresent());
    first.kill();

    OperatorProcess restarted = OperatorProcess.start(plane.kubeconfig(), dir, env);
    try {
      // What a scrape of the new process sees before the failure, and after it.
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> restarted.get("/readyz").statusCode() == 200);
      String before = failedCount(restarted.metrics(), ns.name()).orElse("_");
      client
          .resources(StateSnapshot.class)
          .inNamespace(ns.name())
          .resource(OperatorSnapshotTest.snapshotOf("doomed", "data", null))
          .create();
      StateSnapshot failed =
          OperatorSnapshotTest.awaitPhase(client, ns, "doomed", SnapshotPhase.Failed);
      assertThat(OperatorSnapshotTest.ready(failed.getStatus().conditions()).getReason())
          .isEqualTo("StoreNotReady");
      String after = failedCount(restarted.metrics(), ns.name()).orElse("_");
      assertThat(before)
          .as("the failure counter of a known namespace, right after start-up")
          .isEqualTo("0.0");
      assertThat(after).isEqualTo("1.0");
      // The build it runs: one start-up line, and the same version and commit as a metric.
      String build = BuildInfo.describe();
      assertThat(Files.readAllLines(restarted.logFile()))
          .filteredOn(l -> l.contains(BuildInfo.version()))
          .singleElement()
          .satisfies(l -> assertThat(l).endsWith("strata operator " + build + " starting"));
      assertThat(build).doesNotContain("unknown");
      assertThat(restarted.metrics())
          .contains(
              "strata_build_info{commit=\""
                  + (BuildInfo.commit() == null ? "unknown" : BuildInfo.commit())
                  + "\",version=\""
                  + BuildInfo.version()
                  + "\"} 1");
      // java-operator-sdk's own reconcile metrics share the registry.
      assertThat(restarted.metrics())
          .contains(
              "operator_sdk_reconciliations_started_total",
              "operator_sdk_reconciliations_success_total");

      // Prometheus's evaluation of the documented rule on these two scrapes, a minute apart.
      JsonNode rules = Serialization.yamlMapper().readTree(MonitoringDocsTest.alertRules());
      ObjectNode rule = null;
      for (JsonNode r : rules.path("groups").get(0).path("rules")) {
        if ("StrataSnapshotsFailing".equals(r.path("alert").asText())) {
          rule = (ObjectNode) r;
        }
      }
      assertThat(rule)
          .as("StrataSnapshotsFailing in charts/strata/monitoring/alerts.yaml")
          .isNotNull();
      rule.remove("annotations"); // what is tested is the expression; its summary text is not
      ArrayNode only = Serialization.yamlMapper().createArrayNode().add(rule);
      ((ObjectNode) rules.path("groups").get(0)).set("rules", only);
      String series = "strata_snapshots_total{namespace=\"" + ns.name() + "\",result=\"failed\"}";
      String test =
          """
          rule_files: [rules.yml]
          evaluation_interval: 1m
          tests:
            - interval: 1m
              input_series:
                - series: '%s'
                  values: '%s %s'
              promql_expr_test:
                - expr: %s
                  eval_time: 1m
                  exp_samples:
                    - labels: '{namespace="%s"}'
                      value: 1
              alert_rule_test:
                - eval_time: 1m
                  alertname: StrataSnapshotsFailing
                  exp_alerts:
                    - exp_labels: {severity: warning, namespace: %s}
          """
              .formatted(
                  series,
                  value(before),
                  value(after),
                  Serialization.jsonMapper().writeValueAsString(rule.path("expr").asText()),
                  ns.name(),
                  ns.name());
      CommandResult result =
          Promtool.in(dir.resolve("promtool"))
              .testRules(Serialization.yamlMapper().writeValueAsString(rules), test);
      assertThat(result.exitCode())
          .as("promtool test rules:\n%s%s", result.stdout(), result.stderr())
          .isZero();
    } finally {
      restarted.close();
    }
  }

  /** A scraped sample in promtool's series notation: a number, or _ for none. */
  static String value(String scraped) {
    return "_".equals(scraped) ? "_" : Long.toString((long) Double.parseDouble(scraped));
  }
}
