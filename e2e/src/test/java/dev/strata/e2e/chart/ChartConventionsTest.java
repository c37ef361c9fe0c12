package dev.strata.e2e.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.api.v1alpha1.RunnerSpec;
import dev.strata.e2e.support.CommandResult;
import dev.strata.e2e.support.Helm;
import dev.strata.e2e.support.Promtool;
import dev.strata.operator.OperatorSettings;
import dev.strata.operator.webhook.WebhookSettings;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart conventions users of Helm charts expect (issue 17), rendered by helm: a
 * PodDisruptionBudget, the PrometheusRule built from monitoring/alerts.yaml (checked with
 * promtool), the Grafana dashboard ConfigMap, a PodMonitor, topologySpreadConstraints,
 * operator-wide runner pod defaults read back by the operator's own OperatorSettings, security
 * contexts without a uid for OpenShift, the webhook configuration as a Helm object, and
 * cert-manager for its certificate. Every option at once
 * (src/test/resources/chart/every-option-values.yaml) passes helm lint --strict.
 */
class ChartConventionsTest {

  static final String NS = "strata-system";
  static final Path EVERY_OPTION = RenderedChart.resource("/chart/every-option-values.yaml");
  final Helm helm = Helm.installed();

  RenderedChart render(String... args) {
    return RenderedChart.render(helm, "strata", NS, args);
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o) {
    return (Map<String, Object>) o;
  }

  @Test
  void everyOptionAtOncePassesLintStrictAndRendersEveryObject() {
    CommandResult lint = helm.lint(Helm.chartDir(), List.of("-f", EVERY_OPTION.toString()));
    assertThat(lint.exitCode())
        .as("helm lint --strict\n%s%s", lint.stdout(), lint.stderr())
        .isZero();
    assertThat(lint.stdout())
        .contains("0 chart(s) failed")
        .doesNotContain("[WARNING]")
        .doesNotContain("[ERROR]");
    CommandResult template =
        helm.template(Helm.chartDir(), "strata", NS, List.of("-f", EVERY_OPTION.toString()));
    assertThat(template.exitCode()).as("%s", template.stderr()).isZero();
    assertThat(template.stderr()).as("helm template's messages").doesNotContain("Fail");
    RenderedChart chart = RenderedChart.parse(template.stdout());
    assertThat(chart.kinds())
        .contains(
            "PodDisruptionBudget",
            "PodMonitor",
            "PrometheusRule",
            "ConfigMap",
            "Certificate",
            "MutatingWebhookConfiguration",
            "Deployment")
        .doesNotContain("ServiceMonitor", "Issuer", "Secret");
    ChartRenderTest.assertStandardLabels(chart.objects, "strata");
    PodSpec pod = chart.deployment().getSpec().getTemplate().getSpec();
    assertThat(chart.envValue("HTTPS_PROXY")).isEqualTo("http://proxy.example.com:3128");
    assertThat(pod.getVolumes()).extracting(v -> v.getName()).contains("tmp", "corporate-ca");
    assertThat(chart.operatorContainer().getVolumeMounts())
        .extracting(m -> m.getMountPath())
        .contains("/tmp", "/etc/corporate-ca");
  }

  @Test
  void aPodDisruptionBudgetCoversTheOperatorPodsByDefault() {
    RenderedChart chart = render();
    PodDisruptionBudget pdb = chart.one(PodDisruptionBudget.class);
    assertThat(pdb.getMetadata().getNamespace()).isEqualTo(NS);
    assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
    assertThat(pdb.getSpec().getMinAvailable()).isNull();
    assertThat(pdb.getSpec().getSelector().getMatchLabels())
        .isEqualTo(chart.deployment().getSpec().getSelector().getMatchLabels());

    PodDisruptionBudget min =
        render("--set", "podDisruptionBudget.minAvailable=50%").one(PodDisruptionBudget.class);
    assertThat(min.getSpec().getMinAvailable().getStrVal()).isEqualTo("50%");
    assertThat(min.getSpec().getMaxUnavailable()).isNull();

    assertThat(render("--set", "podDisruptionBudget.enabled=false").all(PodDisruptionBudget.class))
        .isEmpty();
    CommandResult neither =
        helm.template(
            Helm.chartDir(),
            "strata",
            NS,
            List.of("--set", "podDisruptionBudget.maxUnavailable=null"));
    assertThat(neither.exitCode()).isNotZero();
    assertThat(neither.stderr())
        .contains("podDisruptionBudget.enabled needs maxUnavailable or minAvailable");
  }

  @Test
  void thePrometheusRuleHoldsTheAlertsOfTheChartWithThisReleasesJobAndPassesPromtool(
      @TempDir Path tmp) throws IOException {
    assertThat(render().generic("PrometheusRule")).as("off by default").isEmpty();
    RenderedChart chart =
        render(
            "--set",
            "metrics.prometheusRule.enabled=true",
            "--set",
            "metrics.serviceMonitor.enabled=true",
            "--set",
            "metrics.prometheusRule.labels.release=kube-prometheus-stack",
            "--set",
            "metrics.prometheusRule.additionalRuleLabels.team=storage",
            "--set",
            "metrics.prometheusRule.disabled={StrataGarbageCollectionStale}");
    GenericKubernetesResource rule = chart.generic("PrometheusRule").get(0);
    assertThat(rule.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(rule.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
    String spec =
        Serialization.yamlMapper().writeValueAsString(rule.getAdditionalProperties().get("spec"));
    CommandResult check = Promtool.in(tmp).checkRules(spec);
    assertThat(check.exitCode())
        .as("promtool check rules:\n%s%s%s", spec, check.stdout(), check.stderr())
        .isZero();
    assertThat(check.stdout()).contains("SUCCESS: 10 rules found");

    List<String> alerts = new ArrayList<>();
    for (JsonNode group : Serialization.yamlMapper().readTree(spec).path("groups")) {
      for (JsonNode r : group.path("rules")) {
        alerts.add(r.path("alert").asText());
        assertThat(r.path("labels").path("team").asText())
            .as("labels of %s", r.path("alert"))
            .isEqualTo("storage");
        assertThat(r.path("labels").path("severity").asText()).isIn("warning", "critical");
        if ("StrataOperatorDown".equals(r.path("alert").asText())) {
          // The ServiceMonitor's job: the metrics Service's name.
          assertThat(r.path("expr").asText()).contains("up{job=\"strata-metrics\"}");
        }
      }
    }
    List<String> all = MonitoringDocsTest.alertNames();
    assertThat(alerts)
        .containsExactlyElementsOf(
            all.stream().filter(a -> !a.equals("StrataGarbageCollectionStale")).toList());
    // The schema's list of alert names that may be disabled is the alerts of the rule file.
    JsonNode schema =
        new ObjectMapper().readTree(Helm.chartDir().resolve("values.schema.json").toFile());
    List<String> disableable = new ArrayList<>();
    schema
        .at("/properties/metrics/properties/prometheusRule/properties/disabled/items/enum")
        .forEach(n -> disableable.add(n.asText()));
    assertThat(disableable).containsExactlyInAnyOrderElementsOf(all);
    // Prometheus' template syntax reaches the rule as it is (Helm does not expand it).
    assertThat(spec).contains("{{ $labels.namespace }}");

    // With the PodMonitor the job is namespace/name, and another release's name is its own.
    GenericKubernetesResource podMonitored =
        RenderedChart.render(
                helm,
                "backup",
                "ops",
                "--set",
                "metrics.prometheusRule.enabled=true",
                "--set",
                "metrics.podMonitor.enabled=true")
            .generic("PrometheusRule")
            .get(0);
    assertThat(
            Serialization.yamlMapper()
                .writeValueAsString(podMonitored.getAdditionalProperties().get("spec")))
        .contains("up{job=\\\"ops/backup-strata\\\"}");
    GenericKubernetesResource explicit =
        render(
                "--set",
                "metrics.prometheusRule.enabled=true",
                "--set",
                "metrics.prometheusRule.job=kubernetes-pods")
            .generic("PrometheusRule")
            .get(0);
    assertThat(
            Serialization.yamlMapper()
                .writeValueAsString(explicit.getAdditionalProperties().get("spec")))
        .contains("kubernetes-pods");
  }

  @Test
  void theGrafanaDashboardIsAConfigMapForTheSidecarWithTheChartsDashboard() throws IOException {
    assertThat(render().all(ConfigMap.class)).as("off by default").isEmpty();
    RenderedChart chart =
        render(
            "--set",
            "metrics.grafanaDashboard.enabled=true",
            "--set",
            "metrics.grafanaDashboard.namespace=monitoring",
            "--set",
            "metrics.grafanaDashboard.annotations.grafana_folder=Strata");
    ConfigMap cm = chart.one(ConfigMap.class);
    assertThat(cm.getMetadata().getNamespace()).isEqualTo("monitoring");
    assertThat(cm.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
    assertThat(cm.getMetadata().getAnnotations()).containsEntry("grafana_folder", "Strata");
    assertThat(cm.getData()).containsOnlyKeys("strata.json");
    ObjectMapper json = new ObjectMapper();
    assertThat(json.readTree(cm.getData().get("strata.json")))
        .isEqualTo(json.readTree(MonitoringDocsTest.DASHBOARD.toFile()));
    assertThat(
            render("--set", "metrics.grafanaDashboard.enabled=true")
                .one(ConfigMap.class)
                .getMetadata()
                .getNamespace())
        .isEqualTo(NS);
  }

  @Test
  void aPodMonitorScrapesTheOperatorPodsAndExcludesTheServiceMonitor() {
    RenderedChart chart =
        render(
            "--set",
            "metrics.podMonitor.enabled=true",
            "--set",
            "metrics.podMonitor.labels.release=prom");
    GenericKubernetesResource monitor = chart.generic("PodMonitor").get(0);
    assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "prom");
    Map<String, Object> spec = map(monitor.getAdditionalProperties().get("spec"));
    assertThat(map(map(spec.get("selector")).get("matchLabels")))
        .isEqualTo(Map.copyOf(chart.deployment().getSpec().getSelector().getMatchLabels()));
    assertThat(chart.deployment().getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(chart.deployment().getSpec().getSelector().getMatchLabels());
    assertThat(map(spec.get("namespaceSelector")).get("matchNames")).isEqualTo(List.of(NS));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> endpoints =
        (List<Map<String, Object>>) spec.get("podMetricsEndpoints");
    assertThat(endpoints)
        .singleElement()
        .satisfies(
            e -> assertThat(e).containsEntry("port", "http").containsEntry("path", "/metrics"));
    assertThat(chart.operatorContainer().getPorts()).extracting(p -> p.getName()).contains("http");

    CommandResult both =
        helm.template(
            Helm.chartDir(),
            "strata",
            NS,
            List.of(
                "--set",
                "metrics.podMonitor.enabled=true",
                "--set",
                "metrics.serviceMonitor.enabled=true"));
    assertThat(both.exitCode()).isNotZero();
    assertThat(both.stderr()).contains("enable one, each replica would be scraped twice");
  }

  @Test
  void topologySpreadConstraintsWithoutASelectorSpreadTheOperatorPods() {
    RenderedChart chart =
        RenderedChart.parse(
            helm.template(Helm.chartDir(), "strata", NS, List.of("-f", EVERY_OPTION.toString()))
                .assertSuccess()
                .stdout());
    List<TopologySpreadConstraint> constraints =
        chart.deployment().getSpec().getTemplate().getSpec().getTopologySpreadConstraints();
    assertThat(constraints).hasSize(2);
    assertThat(constraints.get(0).getTopologyKey()).isEqualTo("kubernetes.io/hostname");
    assertThat(constraints.get(0).getWhenUnsatisfiable()).isEqualTo("ScheduleAnyway");
    assertThat(constraints.get(0).getLabelSelector().getMatchLabels())
        .isEqualTo(chart.deployment().getSpec().getSelector().getMatchLabels());
    assertThat(constraints.get(1).getLabelSelector().getMatchLabels())
        .isEqualTo(Map.of("app.kubernetes.io/name", "strata"));
    assertThat(
            render().deployment().getSpec().getTemplate().getSpec().getTopologySpreadConstraints())
        .isEmpty();
  }

  @Test
  void runnerPodDefaultsReachTheOperatorAsASpecRunner() {
    assertThat(render().env()).as("none by default").doesNotContainKey("STRATA_RUNNER_DEFAULTS");
    assertThat(OperatorSettings.fromEnv(render().resolvedEnv("strata-0", NS)).runnerDefaults())
        .isEqualTo(OperatorSettings.defaults().runnerDefaults());
    RenderedChart chart =
        RenderedChart.parse(
            helm.template(Helm.chartDir(), "strata", NS, List.of("-f", EVERY_OPTION.toString()))
                .assertSuccess()
                .stdout());
    RunnerSpec d = OperatorSettings.fromEnv(chart.resolvedEnv("strata-0", NS)).runnerDefaults();
    assertThat(d.tolerations())
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.getKey()).isEqualTo("storage");
              assertThat(t.getOperator()).isEqualTo("Exists");
              assertThat(t.getEffect()).isEqualTo("NoSchedule");
            });
    assertThat(d.nodeSelector()).isEqualTo(Map.of("kubernetes.io/os", "linux"));
    assertThat(d.priorityClassName()).isEqualTo("backup-default");
    assertThat(d.labels()).isEqualTo(Map.of("team", "platform"));
    assertThat(d.annotations()).isEqualTo(Map.of("example.com/owner", "platform"));
    assertThat(d.imagePullSecrets())
        .extracting(s -> s.getName())
        .containsExactly("mirror-credentials");
    assertThat(d.runAsUser()).isNull();
    assertThat(d.profile()).isNull();

    CommandResult user =
        helm.template(
            Helm.chartDir(), "strata", NS, List.of("--set", "runner.podDefaults.runAsUser=1000"));
    assertThat(user.exitCode()).isNotZero();
    assertThat(user.stderr()).contains("additional properties 'runAsUser' not allowed");
  }

  @Test
  void openshiftLeavesTheUserAndGroupToThePlatformAndKeepsTheRest() {
    RenderedChart chart = render("--set", "openshift=true");
    PodSpec pod = chart.deployment().getSpec().getTemplate().getSpec();
    PodSecurityContext p = pod.getSecurityContext();
    assertThat(p.getRunAsUser()).isNull();
    assertThat(p.getRunAsGroup()).isNull();
    assertThat(p.getFsGroup()).isNull();
    assertThat(p.getRunAsNonRoot()).isTrue();
    assertThat(p.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    SecurityContext c = chart.operatorContainer().getSecurityContext();
    assertThat(c.getRunAsUser()).isNull();
    assertThat(c.getRunAsGroup()).isNull();
    assertThat(c.getRunAsNonRoot()).isTrue();
    assertThat(c.getReadOnlyRootFilesystem()).isTrue();
    assertThat(c.getAllowPrivilegeEscalation()).isFalse();
    assertThat(c.getCapabilities().getDrop()).containsExactly("ALL");
    // Runner pods: no uid of the operator's choosing either.
    assertThat(chart.envValue("STRATA_RUNNER_UID")).isEmpty();
    assertThat(OperatorSettings.fromEnv(chart.resolvedEnv("strata-0", NS)).runnerUid()).isNull();

    // Without openshift, single keys go with null, and runner.uid=null alone leaves runner pods to
    // the platform.
    RenderedChart custom =
        render(
            "--set",
            "podSecurityContext.runAsUser=null",
            "--set",
            "securityContext.runAsUser=null",
            "--set",
            "runner.uid=null",
            "--set",
            "podSecurityContext.fsGroup=2000");
    assertThat(
            custom
                .deployment()
                .getSpec()
                .getTemplate()
                .getSpec()
                .getSecurityContext()
                .getRunAsUser())
        .isNull();
    assertThat(
            custom
                .deployment()
                .getSpec()
                .getTemplate()
                .getSpec()
                .getSecurityContext()
                .getRunAsGroup())
        .isEqualTo(65532L);
    assertThat(
            custom.deployment().getSpec().getTemplate().getSpec().getSecurityContext().getFsGroup())
        .isEqualTo(2000L);
    assertThat(custom.operatorContainer().getSecurityContext().getRunAsUser()).isNull();
    assertThat(OperatorSettings.fromEnv(custom.resolvedEnv("strata-0", NS)).runnerUid()).isNull();
    // The defaults are unchanged: 65532 everywhere.
    ChartRenderTest.assertSecure(render().deployment().getSpec().getTemplate().getSpec());

    CommandResult root =
        helm.template(
            Helm.chartDir(), "strata", NS, List.of("--set", "securityContext.runAsUser=0"));
    assertThat(root.exitCode()).isNotZero();
    assertThat(root.stderr()).contains("at '/securityContext/runAsUser'");
  }

  @Test
  void theWebhookConfigurationIsAHelmObjectWithoutWebhooksForTheOperatorToFillIn() {
    assertThat(render().all(MutatingWebhookConfiguration.class)).isEmpty();
    RenderedChart chart = render("--set", "webhook.enabled=true");
    MutatingWebhookConfiguration config = chart.one(MutatingWebhookConfiguration.class);
    assertThat(config.getMetadata().getName())
        .isEqualTo(WebhookSettings.CONFIGURATION_NAME)
        .isEqualTo(ExpectedRbac.WEBHOOK_CONFIGURATION);
    // Helm never writes the webhooks (none in any manifest, so its three-way merge leaves the
    // operator's alone).
    assertThat(config.getWebhooks()).isEmpty();
    assertThat(config.getMetadata().getAnnotations()).isNullOrEmpty();
    // The Secret is the operator's, never a Helm object (its data would be replaced on every
    // upgrade).
    assertThat(chart.kinds()).doesNotContain("Secret", "Certificate", "Issuer");
    assertThat(WebhookSettings.fromEnv(chart.resolvedEnv("strata-0", NS)).certManager()).isFalse();
  }

  @Test
  void certManagerIssuesTheWebhookCertificateForTheNamesTheOperatorServes() {
    RenderedChart chart =
        render("--set", "webhook.enabled=true", "--set", "webhook.certManager.enabled=true");
    WebhookSettings settings = WebhookSettings.fromEnv(chart.resolvedEnv("strata-0", NS));
    assertThat(settings.certManager()).isTrue();
    GenericKubernetesResource cert = chart.generic("Certificate").get(0);
    assertThat(cert.getApiVersion()).isEqualTo("cert-manager.io/v1");
    assertThat(cert.getMetadata().getNamespace()).isEqualTo(NS);
    Map<String, Object> spec = map(cert.getAdditionalProperties().get("spec"));
    assertThat(spec.get("secretName")).isEqualTo(WebhookSettings.SECRET_NAME);
    // Every name the operator checks the served certificate for (CertManagerTlsSecret) is in it.
    @SuppressWarnings("unchecked")
    List<String> dnsNames = (List<String>) spec.get("dnsNames");
    assertThat(dnsNames).containsAll(settings.dnsNames());
    assertThat(map(spec.get("privateKey")))
        .containsEntry("algorithm", "ECDSA")
        .containsEntry("encoding", "PKCS8");
    assertThat(map(spec.get("issuerRef")))
        .containsEntry("name", "strata-webhook-selfsigned")
        .containsEntry("kind", "Issuer");
    GenericKubernetesResource issuer = chart.generic("Issuer").get(0);
    assertThat(issuer.getMetadata().getName()).isEqualTo("strata-webhook-selfsigned");
    assertThat(map(issuer.getAdditionalProperties().get("spec"))).containsKey("selfSigned");
    // cert-manager's CA injector keeps the configuration's CA bundle to this Certificate's CA.
    assertThat(chart.one(MutatingWebhookConfiguration.class).getMetadata().getAnnotations())
        .containsEntry("cert-manager.io/inject-ca-from", NS + "/" + cert.getMetadata().getName());
    // The operator never creates the Secret then: no create permission.
    Role role =
        chart.all(Role.class).stream()
            .filter(r -> r.getMetadata().getName().equals("strata-webhook"))
            .findFirst()
            .orElseThrow();
    assertThat(role.getRules()).isEqualTo(ExpectedRbac.webhookSecretRules("strata-webhook", true));

    // An issuer of the cluster's: no Issuer of the chart's.
    RenderedChart own =
        RenderedChart.parse(
            helm.template(Helm.chartDir(), "strata", NS, List.of("-f", EVERY_OPTION.toString()))
                .assertSuccess()
                .stdout());
    assertThat(own.generic("Issuer")).isEmpty();
    Map<String, Object> ownSpec =
        map(own.generic("Certificate").get(0).getAdditionalProperties().get("spec"));
    assertThat(map(ownSpec.get("issuerRef")))
        .containsEntry("name", "cluster-ca")
        .containsEntry("kind", "ClusterIssuer");
    assertThat(ownSpec).containsEntry("duration", "2160h").containsEntry("renewBefore", "360h");
  }

  @Test
  void theImageBuildContextHoldsOnlyWhatTheDockerfilesCopy() throws IOException {
    Path root = Helm.chartDir().getParent().getParent();
    List<String> ignore =
        Files.readAllLines(root.resolve(".dockerignore")).stream()
            .filter(l -> !l.isBlank() && !l.startsWith("#"))
            .toList();
    assertThat(ignore.get(0)).as("everything is left out first").isEqualTo("*");
    List<String> copied = new ArrayList<>();
    try (var dockerfiles = Files.list(root.resolve("images"))) {
      for (Path dir : dockerfiles.filter(Files::isDirectory).toList()) {
        Path dockerfile = dir.resolve("Dockerfile");
        if (Files.exists(dockerfile)) {
          for (String line : Files.readAllLines(dockerfile)) {
            if (line.startsWith("COPY ") && !line.contains("--from=")) {
              String[] parts = line.trim().split("\\s+");
              copied.add(parts[parts.length - 2]);
            }
          }
        }
      }
    }
    assertThat(copied).isNotEmpty();
    for (String source : copied) {
      assertThat(ignore).as(".dockerignore lets %s in", source).contains("!" + source);
    }
  }
}
