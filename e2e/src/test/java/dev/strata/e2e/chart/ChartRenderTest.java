package dev.strata.e2e.chart;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.build.BuildInfo;
import dev.strata.e2e.support.CommandResult;
import dev.strata.e2e.support.Helm;
import dev.strata.operator.OperatorSettings;
import dev.strata.operator.store.OperatorTokens;
import dev.strata.operator.webhook.WebhookSettings;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * helm lint and helm template of charts/strata with the default values and with non-default values
 * for every key (src/test/resources/chart/custom-values.yaml), and the objects they render: the
 * operator Deployment's security, probes, resources and STRATA_* settings (read back through the
 * operator's own OperatorSettings.fromEnv), RBAC scoped by watchNamespaces, the optional
 * ServiceMonitor, and values the schema or the templates refuse.
 */
class ChartRenderTest {

  static final String RELEASE_NS = "strata-system";
  final Helm helm = Helm.installed();

  @Test
  void lintStrictPassesWithDefaultAndNonDefaultValues() {
    for (List<String> args :
        List.of(List.<String>of(), List.of("-f", RenderedChart.CUSTOM_VALUES.toString()))) {
      CommandResult lint = helm.lint(Helm.chartDir(), args);
      assertThat(lint.exitCode())
          .as("helm lint --strict %s\n%s%s", args, lint.stdout(), lint.stderr())
          .isZero();
      assertThat(lint.stdout())
          .contains("1 chart(s) linted, 0 chart(s) failed")
          .doesNotContain("[WARNING]")
          .doesNotContain("[ERROR]");
    }
  }

  /**
   * The chart is released with the build: its version and appVersion (which the image tags default
   * to) are the pom's version without -SNAPSHOT, so a version bump that forgets Chart.yaml fails
   * here.
   */
  @Test
  void chartAndAppVersionAreTheBuildsVersion() throws IOException {
    assertThat(BuildInfo.version())
        .as("the pom's version, as the build read it")
        .matches("\\d+\\.\\d+\\.\\d+.*");
    String release = BuildInfo.version().replaceFirst("-SNAPSHOT$", "");
    String chart = Files.readString(Helm.chartDir().resolve("Chart.yaml"));
    assertThat(chart)
        .containsPattern("(?m)^version: " + Pattern.quote(release) + "$")
        .containsPattern("(?m)^appVersion: \"" + Pattern.quote(release) + "\"$");
  }

  /**
   * The image tags are not written anywhere but Chart.yaml: a chart with another appVersion (as
   * `helm package --app-version` makes one) runs images of that version.
   */
  @Test
  void theImageTagsFollowTheChartsAppVersion(@TempDir Path tmp) throws IOException {
    Path copy = tmp.resolve("strata");
    try (var files = Files.walk(Helm.chartDir())) {
      for (Path f : files.toList()) {
        Files.copy(f, copy.resolve(Helm.chartDir().relativize(f).toString()));
      }
    }
    Path chartYaml = copy.resolve("Chart.yaml");
    Files.writeString(
        chartYaml,
        Files.readString(chartYaml)
            .replaceFirst("(?m)^appVersion: .*$", "appVersion: \"9.8.7-rc.1\""));
    RenderedChart chart =
        RenderedChart.parse(
            helm.template(copy, "strata", RELEASE_NS, List.of()).assertSuccess().stdout());
    assertThat(chart.operatorContainer().getImage())
        .isEqualTo("ghcr.io/strata-dev/strata-operator:9.8.7-rc.1");
    assertThat(chart.envValue("STRATA_RUNNER_IMAGE"))
        .isEqualTo("ghcr.io/strata-dev/strata-runner:9.8.7-rc.1");
    assertThat(chart.deployment().getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/version", "9.8.7-rc.1");
  }

  @Test
  void defaultsRenderASecureOperatorDeploymentWithLeaderElectionWatchingAllNamespaces() {
    RenderedChart chart = RenderedChart.render(helm, "strata", RELEASE_NS);
    assertThat(chart.kinds())
        .containsExactlyInAnyOrder(
            "ServiceAccount",
            "ClusterRole",
            "ClusterRole",
            "ClusterRoleBinding",
            "ClusterRoleBinding",
            "Role",
            "RoleBinding",
            "Service",
            "Deployment",
            "PodDisruptionBudget");

    Deployment d = chart.deployment();
    assertThat(d.getMetadata().getName()).isEqualTo("strata");
    assertThat(d.getMetadata().getNamespace()).isEqualTo(RELEASE_NS);
    assertThat(d.getSpec().getReplicas()).isEqualTo(1);
    assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(d.getSpec().getSelector().getMatchLabels());
    PodSpec pod = d.getSpec().getTemplate().getSpec();
    assertThat(pod.getServiceAccountName()).isEqualTo("strata");
    assertThat(pod.getAutomountServiceAccountToken()).isTrue();
    assertThat(pod.getEnableServiceLinks()).isFalse();
    assertThat(pod.getImagePullSecrets()).isEmpty();
    assertThat(pod.getPriorityClassName()).isNull();
    assertThat(pod.getNodeSelector()).isEmpty();
    assertThat(pod.getTolerations()).isEmpty();
    assertThat(pod.getAffinity()).isNull();
    assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations()).isEmpty();
    assertSecure(pod);

    Container c = chart.operatorContainer();
    // The image tags default to the chart's appVersion.
    assertThat(c.getImage())
        .isEqualTo("ghcr.io/strata-dev/strata-operator:" + RenderedChart.APP_VERSION);
    assertThat(c.getImagePullPolicy()).isEqualTo("IfNotPresent");
    assertThat(chart.envValue("STRATA_RUNNER_IMAGE"))
        .isEqualTo("ghcr.io/strata-dev/strata-runner:" + RenderedChart.APP_VERSION)
        // The operator's built-in default and the chart's agree.
        .isEqualTo(OperatorSettings.DEFAULT_RUNNER_IMAGE);
    assertProbesAndPort(c, 8080);
    assertThat(c.getResources().getRequests())
        .isEqualTo(Map.of("cpu", new Quantity("100m"), "memory", new Quantity("256Mi")));
    assertThat(c.getResources().getLimits())
        .isEqualTo(Map.of("cpu", new Quantity("1"), "memory", new Quantity("512Mi")));

    Map<String, EnvVar> env = chart.env();
    assertThat(env.keySet())
        .containsExactly(
            "POD_NAME",
            "POD_NAMESPACE",
            "STRATA_LEADER_ELECTION",
            "STRATA_LEASE_NAMESPACE",
            "STRATA_LEASE_OWNER",
            "STRATA_RUNNER_IMAGE",
            "STRATA_RUNNER_UID",
            "STRATA_RUNNER_RETRY_DEADLINE_SECONDS",
            "STRATA_JOB_TTL_SECONDS",
            "STRATA_STORE_RECHECK_SECONDS",
            "STRATA_PROGRESS_INTERVAL_SECONDS",
            "STRATA_SCHEDULE_POLL_SECONDS",
            "STRATA_RETENTION_INTERVAL_SECONDS",
            "STRATA_HTTP_PORT",
            "STRATA_LOG_LEVEL",
            "STRATA_WEBHOOK_ENABLED");
    assertThat(env)
        .as("no clusterId: the operator reads kube-system's UID")
        .doesNotContainKey("STRATA_CLUSTER_ID");
    assertThat(env.get("POD_NAME").getValueFrom().getFieldRef().getFieldPath())
        .isEqualTo("metadata.name");
    assertThat(env.get("POD_NAMESPACE").getValueFrom().getFieldRef().getFieldPath())
        .isEqualTo("metadata.namespace");
    assertThat(env.get("STRATA_LEASE_NAMESPACE").getValueFrom().getFieldRef().getFieldPath())
        .isEqualTo("metadata.namespace");
    assertThat(chart.envValue("STRATA_LEADER_ELECTION")).isEqualTo("true");
    assertThat(chart.envValue("STRATA_LOG_LEVEL")).isEqualTo("INFO");
    // The Deployment the operator makes the Lease's owner, so that helm uninstall takes the Lease
    // too.
    assertThat(chart.envValue("STRATA_LEASE_OWNER")).isEqualTo(d.getMetadata().getName());

    // What the operator makes of that environment, in a pod of the release namespace.
    OperatorSettings s =
        OperatorSettings.fromEnv(chart.resolvedEnv("strata-7d9f-abcde", RELEASE_NS));
    assertThat(s.namespaces()).isEmpty();
    assertThat(s.leaderElection()).isTrue();
    assertThat(s.leaseNamespace()).isEqualTo(RELEASE_NS);
    assertThat(s.runnerUid()).isEqualTo(65532);
    assertThat(s.runnerRetryDeadline()).isZero();
    assertThat(s.jobTtl()).isEqualTo(Duration.ofSeconds(600));
    assertThat(s.storeRecheck()).isEqualTo(Duration.ofSeconds(300));
    assertThat(s.progressInterval()).isEqualTo(Duration.ofSeconds(3));
    assertThat(s.schedulePoll()).isEqualTo(Duration.ofSeconds(60));
    assertThat(s.retentionInterval()).isEqualTo(Duration.ofSeconds(300));
    assertThat(s.httpPort()).isEqualTo(8080);
    // Every setting the operator reads has the chart's value, nothing is left to the operator's
    // built-in default.
    assertThat(s).isEqualTo(OperatorSettings.defaults().withLeaderElection(true, RELEASE_NS));
    // The webhook is off by default.
    assertThat(chart.envValue("STRATA_WEBHOOK_ENABLED")).isEqualTo("false");
    assertThat(
            WebhookSettings.fromEnv(chart.resolvedEnv("strata-7d9f-abcde", RELEASE_NS)).enabled())
        .isFalse();

    // No web identity audiences by default: no token of the operator is projected.
    assertThat(env).doesNotContainKey(OperatorTokens.DIR_VARIABLE);
    assertThat(pod.getVolumes()).extracting(v -> v.getName()).containsExactly("tmp");

    ServiceAccount sa = chart.one(ServiceAccount.class);
    assertThat(sa.getMetadata().getName()).isEqualTo("strata");
    assertThat(sa.getAutomountServiceAccountToken()).isFalse();

    // All namespaces: a ClusterRole bound to the ServiceAccount, the read of kube-system that names
    // the cluster (no
    // clusterId set), and the Lease Role in the release namespace.
    assertThat(chart.all(ClusterRole.class))
        .extracting(r -> r.getMetadata().getName())
        .containsExactlyInAnyOrder("strata", "strata-cluster-id");
    assertThat(chart.all(ClusterRole.class))
        .filteredOn(r -> r.getMetadata().getName().equals("strata-cluster-id"))
        .singleElement()
        .satisfies(r -> assertThat(r.getRules()).isEqualTo(ExpectedRbac.CLUSTER_ID_RULES));
    assertThat(chart.all(ClusterRoleBinding.class))
        .extracting(b -> b.getRoleRef().getName())
        .containsExactlyInAnyOrder("strata", "strata-cluster-id");
    ClusterRoleBinding crb =
        chart.all(ClusterRoleBinding.class).stream()
            .filter(b -> b.getRoleRef().getName().equals("strata"))
            .findFirst()
            .orElseThrow();
    assertThat(crb.getSubjects())
        .singleElement()
        .satisfies(
            subject -> {
              assertThat(subject.getKind()).isEqualTo("ServiceAccount");
              assertThat(subject.getName()).isEqualTo("strata");
              assertThat(subject.getNamespace()).isEqualTo(RELEASE_NS);
            });
    Role lease = chart.one(Role.class);
    assertThat(lease.getMetadata().getNamespace()).isEqualTo(RELEASE_NS);
    assertThat(lease.getRules()).isEqualTo(ExpectedRbac.LEASE_RULES);

    Service svc = chart.one(Service.class);
    assertThat(svc.getSpec().getType()).isEqualTo("ClusterIP");
    assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(svc.getSpec().getSelector());
    assertThat(svc.getSpec().getPorts())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getPort()).isEqualTo(8080);
              assertThat(p.getTargetPort().getStrVal()).isEqualTo("http");
            });
    assertThat(chart.generic("ServiceMonitor")).as("no ServiceMonitor unless enabled").isEmpty();
    assertStandardLabels(chart.objects, "strata");
  }

  @Test
  void nonDefaultValuesReachTheirObjects() {
    RenderedChart chart =
        RenderedChart.render(
            helm, "acme", "platform", "-f", RenderedChart.CUSTOM_VALUES.toString());
    assertThat(chart.kinds())
        .containsExactlyInAnyOrder(
            "ServiceAccount",
            "Role",
            "Role",
            "Role",
            "Role",
            "RoleBinding",
            "RoleBinding",
            "RoleBinding",
            "RoleBinding",
            "Service",
            "Service",
            "Deployment",
            "ServiceMonitor",
            "ClusterRole",
            "ClusterRoleBinding",
            "MutatingWebhookConfiguration",
            "PodDisruptionBudget");

    Deployment d = chart.deployment();
    assertThat(d.getMetadata().getName()).isEqualTo("acme-backup");
    assertThat(d.getSpec().getReplicas()).isEqualTo(2);
    PodSpec pod = d.getSpec().getTemplate().getSpec();
    assertThat(pod.getServiceAccountName()).isEqualTo("strata-operator");
    assertThat(pod.getImagePullSecrets())
        .singleElement()
        .satisfies(s -> assertThat(s.getName()).isEqualTo("registry-credentials"));
    assertThat(pod.getPriorityClassName()).isEqualTo("strata-critical");
    assertThat(pod.getNodeSelector()).isEqualTo(Map.of("kubernetes.io/os", "linux"));
    assertThat(pod.getTolerations())
        .singleElement()
        .satisfies(
            t -> {
              assertThat(t.getKey()).isEqualTo("dedicated");
              assertThat(t.getEffect()).isEqualTo("NoSchedule");
            });
    assertThat(
            pod.getAffinity()
                .getNodeAffinity()
                .getPreferredDuringSchedulingIgnoredDuringExecution())
        .hasSize(1);
    assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations())
        .isEqualTo(Map.of("example.com/team", "storage"));
    assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry("example.com/cost-centre", "platform")
        .containsAllEntriesOf(d.getSpec().getSelector().getMatchLabels());
    assertThat(d.getSpec().getSelector().getMatchLabels())
        .doesNotContainKey("example.com/cost-centre");
    assertSecure(pod);

    Container c = chart.operatorContainer();
    assertThat(c.getImage()).isEqualTo("registry.example.com/strata/strata-operator:0.1.0-rc.1");
    assertThat(c.getImagePullPolicy()).isEqualTo("Always");
    assertProbesAndPort(c, 9090);
    assertThat(c.getResources().getRequests())
        .isEqualTo(Map.of("cpu", new Quantity("200m"), "memory", new Quantity("384Mi")));
    assertThat(c.getResources().getLimits())
        .isEqualTo(Map.of("cpu", new Quantity("2"), "memory", new Quantity("768Mi")));

    OperatorSettings s = OperatorSettings.fromEnv(chart.resolvedEnv("acme-backup-1", "platform"));
    assertThat(s.namespaces()).isEqualTo(Set.of("team-a", "team-b"));
    assertThat(chart.envValue("STRATA_NAMESPACES")).isEqualTo("team-a,team-b");
    assertThat(s.runnerImage()).isEqualTo("registry.example.com/strata/strata-runner:0.1.0-rc.2");
    assertThat(s.leaderElection()).isTrue();
    assertThat(s.leaseNamespace()).isEqualTo("platform");
    assertThat(s.runnerUid()).isEqualTo(10001);
    assertThat(s.runnerRetryDeadline()).isEqualTo(Duration.ofSeconds(60));
    assertThat(s.jobTtl()).isEqualTo(Duration.ofSeconds(3600));
    assertThat(s.storeRecheck()).isEqualTo(Duration.ofSeconds(120));
    assertThat(s.progressInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(s.schedulePoll()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.retentionInterval()).isEqualTo(Duration.ofSeconds(600));
    assertThat(s.httpPort()).isEqualTo(9090);
    assertThat(chart.envValue("STRATA_LOG_LEVEL")).isEqualTo("DEBUG");
    assertThat(s.clusterId()).isEqualTo("prod-eu-1");

    // Web identity: a token of the operator's ServiceAccount per audience, where OperatorTokens
    // looks for it.
    assertThat(chart.envValue(OperatorTokens.DIR_VARIABLE)).isEqualTo(OperatorTokens.DEFAULT_DIR);
    assertThat(c.getVolumeMounts())
        .filteredOn(m -> m.getMountPath().equals(OperatorTokens.DEFAULT_DIR))
        .singleElement()
        .satisfies(m -> assertThat(m.getReadOnly()).isTrue());
    assertThat(pod.getVolumes())
        .filteredOn(v -> v.getName().equals("web-identity"))
        .singleElement()
        .satisfies(
            v ->
                assertThat(v.getProjected().getSources())
                    .extracting(x -> x.getServiceAccountToken())
                    .extracting(
                        t -> t.getAudience() + " " + t.getPath() + " " + t.getExpirationSeconds())
                    .containsExactly(
                        "sts.amazonaws.com "
                            + OperatorTokens.fileName("sts.amazonaws.com")
                            + " 7200",
                        "api://AzureADTokenExchange "
                            + OperatorTokens.fileName("api://AzureADTokenExchange")
                            + " 7200"));

    ServiceAccount sa = chart.one(ServiceAccount.class);
    assertThat(sa.getMetadata().getName()).isEqualTo("strata-operator");
    assertThat(sa.getMetadata().getAnnotations())
        .containsEntry("eks.amazonaws.com/role-arn", "arn:aws:iam::123456789012:role/strata");

    // Watched namespaces: the same rules as a Role in each watched namespace, and nothing
    // cluster-wide but the webhook's
    // own configuration (a cluster-scoped object); with clusterId set, no read of kube-system
    // either.
    assertThat(chart.one(ClusterRole.class).getMetadata().getName())
        .isEqualTo("acme-backup-webhook");
    assertThat(chart.one(ClusterRole.class).getRules())
        .isEqualTo(ExpectedRbac.WEBHOOK_CLUSTER_RULES);
    assertThat(chart.one(ClusterRoleBinding.class).getSubjects())
        .singleElement()
        .satisfies(subject -> assertThat(subject.getName()).isEqualTo("strata-operator"));
    List<Role> watched =
        chart.all(Role.class).stream()
            .filter(
                r ->
                    !r.getMetadata().getName().endsWith("-leader-election")
                        && !r.getMetadata().getName().endsWith("-webhook"))
            .toList();
    assertThat(watched)
        .extracting(r -> r.getMetadata().getNamespace())
        .containsExactly("team-a", "team-b");
    assertThat(watched).allSatisfy(r -> assertThat(r.getRules()).isEqualTo(ExpectedRbac.RULES));
    Role lease =
        chart.all(Role.class).stream()
            .filter(r -> r.getMetadata().getName().endsWith("-leader-election"))
            .findFirst()
            .orElseThrow();
    assertThat(lease.getMetadata().getNamespace()).isEqualTo("platform");
    assertThat(lease.getRules()).isEqualTo(ExpectedRbac.leaseRules("acme-backup"));
    Role webhookSecret =
        chart.all(Role.class).stream()
            .filter(r -> r.getMetadata().getName().endsWith("-webhook"))
            .findFirst()
            .orElseThrow();
    assertThat(webhookSecret.getMetadata().getNamespace()).isEqualTo("platform");
    assertThat(webhookSecret.getRules())
        .isEqualTo(ExpectedRbac.webhookSecretRules("acme-backup-webhook", false));
    assertThat(chart.all(RoleBinding.class))
        .extracting(b -> b.getMetadata().getNamespace())
        .containsExactlyInAnyOrder("team-a", "team-b", "platform", "platform");
    assertThat(chart.all(RoleBinding.class))
        .allSatisfy(
            b -> {
              assertThat(b.getRoleRef().getKind()).isEqualTo("Role");
              assertThat(b.getSubjects())
                  .singleElement()
                  .satisfies(
                      subject -> {
                        assertThat(subject.getName()).isEqualTo("strata-operator");
                        assertThat(subject.getNamespace()).isEqualTo("platform");
                      });
            });

    // The webhook: served on its own port behind a Service on 443, as the operator's settings say.
    WebhookSettings webhook =
        WebhookSettings.fromEnv(chart.resolvedEnv("acme-backup-1", "platform"));
    assertThat(webhook.enabled()).isTrue();
    assertThat(webhook.port()).isEqualTo(9444);
    assertThat(webhook.failurePolicy()).isEqualTo("Fail");
    assertThat(webhook.url()).isEmpty();
    assertThat(webhook.serviceName()).isEqualTo("acme-backup-webhook");
    assertThat(webhook.serviceNamespace()).isEqualTo("platform");
    assertThat(webhook.servicePort()).isEqualTo(443);
    assertThat(webhook.operatorNamespace()).isEqualTo("platform");
    assertThat(webhook.checkInterval()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.getPorts())
        .filteredOn(p -> p.getName().equals("webhook"))
        .singleElement()
        .satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(9444));
    Service webhookSvc =
        chart.all(Service.class).stream()
            .filter(x -> x.getMetadata().getName().equals("acme-backup-webhook"))
            .findFirst()
            .orElseThrow();
    assertThat(d.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(webhookSvc.getSpec().getSelector());
    assertThat(webhookSvc.getSpec().getPorts())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getPort()).isEqualTo(443);
              assertThat(p.getTargetPort().getStrVal()).isEqualTo("webhook");
            });

    Service svc =
        chart.all(Service.class).stream()
            .filter(x -> x.getMetadata().getName().equals("acme-backup-metrics"))
            .findFirst()
            .orElseThrow();
    assertThat(svc.getMetadata().getAnnotations()).containsEntry("example.com/scrape", "true");
    assertThat(svc.getSpec().getPorts())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getPort()).isEqualTo(9091);
              assertThat(p.getName()).isEqualTo("http-metrics");
              assertThat(p.getTargetPort().getStrVal()).isEqualTo("http");
            });
    GenericKubernetesResource monitor = chart.generic("ServiceMonitor").get(0);
    assertThat(monitor.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
    @SuppressWarnings("unchecked")
    Map<String, String> selector =
        (Map<String, String>)
            ((Map<String, Object>) monitor.get("spec", "selector")).get("matchLabels");
    assertThat(svc.getMetadata().getLabels()).containsAllEntriesOf(selector);
    List<Map<String, Object>> endpoints = monitor.get("spec", "endpoints");
    assertThat(endpoints)
        .singleElement()
        .satisfies(
            e ->
                assertThat(e)
                    .containsEntry("port", "http-metrics")
                    .containsEntry("path", "/metrics")
                    .containsEntry("interval", "15s")
                    .containsEntry("scrapeTimeout", "5s"));
    assertStandardLabels(chart.objects, "acme");
  }

  @Test
  void leaderElectionOffDropsTheLeaseRoleAndTellsTheOperator() {
    RenderedChart chart =
        RenderedChart.render(helm, "strata", RELEASE_NS, "--set", "leaderElection.enabled=false");
    assertThat(chart.envValue("STRATA_LEADER_ELECTION")).isEqualTo("false");
    assertThat(chart.all(Role.class)).isEmpty();
    assertThat(chart.all(RoleBinding.class)).isEmpty();
  }

  @Test
  void anExistingServiceAccountIsBoundButNotCreated() {
    RenderedChart chart =
        RenderedChart.render(
            helm,
            "strata",
            RELEASE_NS,
            "--set",
            "serviceAccount.create=false",
            "--set",
            "serviceAccount.name=platform-operators");
    assertThat(chart.all(ServiceAccount.class)).isEmpty();
    assertThat(chart.deployment().getSpec().getTemplate().getSpec().getServiceAccountName())
        .isEqualTo("platform-operators");
    assertThat(chart.all(ClusterRoleBinding.class))
        .allSatisfy(
            b -> assertThat(b.getSubjects().get(0).getName()).isEqualTo("platform-operators"));
  }

  @Test
  void valuesOfTheWrongShapeAreRefusedByTheSchema() {
    Map<List<String>, String> refusals = new java.util.LinkedHashMap<>();
    refusals.put(
        List.of("--set", "replicaCount=abc"), "at '/replicaCount': got string, want integer");
    refusals.put(List.of("--set", "replicas=2"), "additional properties 'replicas' not allowed");
    refusals.put(
        List.of("--set", "images.operator.registry=x"),
        "additional properties 'registry' not allowed");
    refusals.put(List.of("--set", "runner.uid=0"), "at '/runner/uid'");
    refusals.put(List.of("--set", "logLevel=VERBOSE"), "at '/logLevel'");
    refusals.put(List.of("--set", "metrics.port=80"), "at '/metrics/port'");
    refusals.put(List.of("--set", "watchNamespaces[0]=Team_A"), "at '/watchNamespaces/0'");
    refusals.put(
        List.of("--set", "webhook.failurePolicy=Sometimes"), "at '/webhook/failurePolicy'");
    refusals.put(
        List.of("--set", "metrics.serviceMonitor.interval=often"),
        "at '/metrics/serviceMonitor/interval'");
    refusals.put(List.of("--set", "webhook.port=443"), "at '/webhook/port'");
    refusals.put(List.of("--set", "clusterId=Prod_EU"), "at '/clusterId'");
    refusals.put(
        List.of("--set", "webIdentity.tokenExpirationSeconds=60"),
        "at '/webIdentity/tokenExpirationSeconds'");
    refusals.forEach(
        (args, message) -> {
          CommandResult r = helm.template(Helm.chartDir(), "strata", RELEASE_NS, args);
          assertThat(r.exitCode()).as("helm template %s", args).isNotZero();
          assertThat(r.stderr())
              .as("helm template %s", args)
              .contains("values don't meet the specifications of the schema(s)")
              .contains(message);
        });
  }

  @Test
  void combinationsThatCannotWorkAreRefusedByTheTemplates() {
    Map<List<String>, String> refusals = new java.util.LinkedHashMap<>();
    refusals.put(
        List.of("--set", "leaderElection.enabled=false", "--set", "replicaCount=2"),
        "replicaCount > 1 needs leaderElection.enabled");
    refusals.put(
        List.of("--set", "serviceAccount.create=false"),
        "serviceAccount.name must name an existing ServiceAccount");
    refusals.put(
        List.of(
            "--set",
            "metrics.serviceMonitor.enabled=true",
            "--set",
            "metrics.service.enabled=false"),
        "metrics.serviceMonitor.enabled needs metrics.service.enabled");
    refusals.forEach(
        (args, message) -> {
          CommandResult r = helm.template(Helm.chartDir(), "strata", RELEASE_NS, args);
          assertThat(r.exitCode()).as("helm template %s", args).isNotZero();
          assertThat(r.stderr())
              .as("helm template %s", args)
              .contains("execution error")
              .contains(message);
        });
  }

  @Test
  void theWebhookRendersNothingWhileDisabled() {
    RenderedChart chart =
        RenderedChart.render(helm, "strata", RELEASE_NS, "--set", "webhook.failurePolicy=Fail");
    assertThat(chart.objects).noneMatch(o -> o.getMetadata().getName().contains("webhook"));
    assertThat(chart.env().keySet())
        .filteredOn(k -> k.startsWith("STRATA_WEBHOOK_"))
        .containsExactly("STRATA_WEBHOOK_ENABLED");
    assertThat(chart.operatorContainer().getPorts())
        .extracting(p -> p.getName())
        .containsExactly("http");
  }

  /**
   * Non-root 65532, read-only root, no privilege escalation, no capabilities, RuntimeDefault
   * seccomp, a /tmp.
   */
  static void assertSecure(PodSpec pod) {
    PodSecurityContext p = pod.getSecurityContext();
    assertThat(p.getRunAsNonRoot()).isTrue();
    assertThat(p.getRunAsUser()).isEqualTo(65532L);
    assertThat(p.getRunAsGroup()).isEqualTo(65532L);
    assertThat(p.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(pod.getHostNetwork()).isNull();
    assertThat(pod.getHostPID()).isNull();
    assertThat(pod.getContainers()).hasSize(1);
    assertThat(pod.getInitContainers()).isEmpty();
    Container c = pod.getContainers().get(0);
    SecurityContext s = c.getSecurityContext();
    assertThat(s.getRunAsNonRoot()).isTrue();
    assertThat(s.getRunAsUser()).isEqualTo(65532L);
    assertThat(s.getReadOnlyRootFilesystem()).isTrue();
    assertThat(s.getAllowPrivilegeEscalation()).isFalse();
    assertThat(s.getPrivileged()).isNull();
    assertThat(s.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(s.getCapabilities().getAdd()).isEmpty();
    assertThat(s.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    // The root file system is read-only: the operator's temporary files (CA bundles) go to an
    // emptyDir; anything else
    // it mounts (web identity tokens) it only reads.
    assertThat(c.getVolumeMounts())
        .filteredOn(m -> !Boolean.TRUE.equals(m.getReadOnly()))
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.getMountPath()).isEqualTo("/tmp");
              assertThat(pod.getVolumes())
                  .filteredOn(v -> v.getName().equals(m.getName()))
                  .singleElement()
                  .satisfies(v -> assertThat(v.getEmptyDir()).isNotNull());
            });
  }

  static void assertProbesAndPort(Container c, int port) {
    assertThat(c.getPorts())
        .filteredOn(p -> p.getName().equals("http"))
        .singleElement()
        .satisfies(p -> assertThat(p.getContainerPort()).isEqualTo(port));
    assertThat(c.getEnv())
        .filteredOn(e -> e.getName().equals("STRATA_HTTP_PORT"))
        .singleElement()
        .satisfies(e -> assertThat(e.getValue()).isEqualTo(Integer.toString(port)));
    assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(c.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(c.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
  }

  /** app.kubernetes.io/* and helm.sh/chart on every object. */
  static void assertStandardLabels(List<HasMetadata> objects, String release) {
    assertThat(objects)
        .allSatisfy(
            o ->
                assertThat(o.getMetadata().getLabels())
                    .as("labels of %s %s", o.getKind(), o.getMetadata().getName())
                    .containsEntry("app.kubernetes.io/instance", release)
                    .containsEntry("app.kubernetes.io/managed-by", "Helm")
                    .containsEntry("app.kubernetes.io/version", RenderedChart.APP_VERSION)
                    .containsEntry("app.kubernetes.io/part-of", "strata")
                    .containsEntry("helm.sh/chart", "strata-" + RenderedChart.CHART_VERSION)
                    .containsKey("app.kubernetes.io/name"));
  }
}
