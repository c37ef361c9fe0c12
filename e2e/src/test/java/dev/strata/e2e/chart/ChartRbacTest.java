package dev.strata.e2e.chart;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.e2e.support.Helm;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The chart's RBAC against the golden copy in {@link ExpectedRbac}: a change to a rule fails here
 * until the test is changed too, deliberately. Every rule carries a comment naming the code that
 * needs it, and every permission names the test step that exercises it.
 */
class ChartRbacTest {

  final Helm helm = Helm.installed();

  @Test
  void clusterRoleRulesAreExactlyTheExpectedOnes() {
    RenderedChart chart = RenderedChart.render(helm, "strata", "strata-system");
    assertThat(rules(chart, "strata")).isEqualTo(ExpectedRbac.CLUSTER_RULES);
    assertThat(rules(chart, "strata-cluster-id")).isEqualTo(ExpectedRbac.CLUSTER_ID_RULES);
    assertThat(chart.one(Role.class).getRules()).isEqualTo(ExpectedRbac.LEASE_RULES);
  }

  @Test
  void withAClusterIdNothingClusterScopedIsRead() {
    RenderedChart chart =
        RenderedChart.render(helm, "strata", "strata-system", "--set", "clusterId=prod-eu-1");
    assertThat(chart.all(ClusterRole.class))
        .extracting(r -> r.getMetadata().getName())
        .containsExactly("strata");
    RenderedChart namespaced =
        RenderedChart.render(
            helm,
            "strata",
            "strata-system",
            "--set",
            "clusterId=prod-eu-1",
            "--set",
            "watchNamespaces={team-a}");
    assertThat(namespaced.all(ClusterRole.class))
        .as("watched namespaces and a clusterId: no cluster-wide permission at all")
        .isEmpty();
    assertThat(namespaced.all(Role.class))
        .filteredOn(r -> r.getMetadata().getNamespace().equals("team-a"))
        .singleElement()
        .satisfies(
            r ->
                assertThat(r.getRules())
                    .as("a Role cannot grant the cluster-scoped StorageClasses")
                    .isEqualTo(ExpectedRbac.RULES));
  }

  static List<PolicyRule> rules(RenderedChart chart, String name) {
    return chart.all(ClusterRole.class).stream()
        .filter(r -> r.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow()
        .getRules();
  }

  @Test
  void theWebhookAddsOnlyItsConfigurationAndItsSecret() {
    RenderedChart chart =
        RenderedChart.render(helm, "strata", "strata-system", "--set", "webhook.enabled=true");
    assertThat(chart.all(ClusterRole.class))
        .extracting(r -> r.getMetadata().getName())
        .containsExactlyInAnyOrder("strata", "strata-webhook", "strata-cluster-id");
    assertThat(chart.all(ClusterRole.class))
        .filteredOn(r -> r.getMetadata().getName().equals("strata"))
        .singleElement()
        .satisfies(r -> assertThat(r.getRules()).isEqualTo(ExpectedRbac.CLUSTER_RULES));
    assertThat(chart.all(ClusterRole.class))
        .filteredOn(r -> r.getMetadata().getName().equals("strata-webhook"))
        .singleElement()
        .satisfies(r -> assertThat(r.getRules()).isEqualTo(ExpectedRbac.WEBHOOK_CLUSTER_RULES));
    assertThat(chart.all(Role.class))
        .filteredOn(r -> r.getMetadata().getName().equals("strata-webhook"))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getMetadata().getNamespace()).isEqualTo("strata-system");
              assertThat(r.getRules()).isEqualTo(ExpectedRbac.WEBHOOK_SECRET_RULES);
            });
  }

  @Test
  void hooksAddOnlyPodsExecAndOnlyInTheNamespacesAskedFor() {
    RenderedChart off = RenderedChart.render(helm, "strata", "strata-system");
    assertThat(off.all(ClusterRole.class))
        .extracting(r -> r.getMetadata().getName())
        .doesNotContain("strata-hooks");
    assertThat(off.all(Role.class))
        .extracting(r -> r.getMetadata().getName())
        .doesNotContain("strata-hooks");

    RenderedChart everywhere =
        RenderedChart.render(helm, "strata", "strata-system", "--set", "hooks.enabled=true");
    assertThat(everywhere.all(ClusterRole.class))
        .extracting(r -> r.getMetadata().getName())
        .contains("strata", "strata-hooks");
    assertThat(everywhere.all(ClusterRole.class))
        .filteredOn(r -> r.getMetadata().getName().equals("strata-hooks"))
        .singleElement()
        .satisfies(r -> assertThat(r.getRules()).isEqualTo(ExpectedRbac.HOOK_RULES));
    assertThat(everywhere.all(ClusterRole.class))
        .filteredOn(r -> r.getMetadata().getName().equals("strata"))
        .singleElement()
        .satisfies(r -> assertThat(r.getRules()).isEqualTo(ExpectedRbac.CLUSTER_RULES));

    RenderedChart some =
        RenderedChart.render(
            helm,
            "strata",
            "strata-system",
            "--set",
            "hooks.enabled=true",
            "--set",
            "hooks.namespaces={team-a}");
    assertThat(some.all(ClusterRole.class))
        .extracting(r -> r.getMetadata().getName())
        .contains("strata")
        .doesNotContain("strata-hooks");
    assertThat(some.all(Role.class))
        .filteredOn(r -> r.getMetadata().getName().equals("strata-hooks"))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getMetadata().getNamespace()).isEqualTo("team-a");
              assertThat(r.getRules()).isEqualTo(ExpectedRbac.HOOK_RULES);
            });

    // With watchNamespaces, hooks default to those namespaces; a namespace the operator does not
    // watch is refused.
    RenderedChart watched =
        RenderedChart.render(
            helm,
            "strata",
            "strata-system",
            "--set",
            "hooks.enabled=true",
            "--set",
            "watchNamespaces={team-a,team-b}");
    assertThat(watched.all(Role.class))
        .filteredOn(r -> r.getMetadata().getName().equals("strata-hooks"))
        .extracting(r -> r.getMetadata().getNamespace())
        .containsExactlyInAnyOrder("team-a", "team-b");
    var refused =
        helm.template(
            Helm.chartDir(),
            "strata",
            "strata-system",
            List.of(
                "--set",
                "hooks.enabled=true",
                "--set",
                "watchNamespaces={team-a}",
                "--set",
                "hooks.namespaces={team-c}"));
    assertThat(refused.exitCode()).isNotZero();
    assertThat(refused.stderr())
        .contains("hooks.namespaces lists team-c, which is not in watchNamespaces");
  }

  @Test
  void nothingIsGrantedClusterWideBeyondTheNamespacedResources() {
    // No wildcard, no cluster-scoped resource (nodes, namespaces, CRDs...), no
    // escalate/bind/impersonate, no pods/exec (that
    // only with hooks.enabled, above); the exceptions are reading the kube-system namespace by name
    // (its UID names the
    // cluster without clusterId) and, with all namespaces watched, listing and watching
    // StorageClasses (their binding
    // mode), never writing them.
    assertThat(ExpectedRbac.CLUSTER_ID_RULES)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getResources()).containsExactly("namespaces");
              assertThat(r.getResourceNames()).containsExactly("kube-system");
              assertThat(r.getVerbs()).containsExactly("get");
            });
    assertThat(ExpectedRbac.STORAGE_CLASS_RULES)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getResources()).containsExactly("storageclasses");
              assertThat(r.getVerbs()).containsExactly("list", "watch");
            });
    List<PolicyRule> all = new java.util.ArrayList<>(ExpectedRbac.all());
    all.removeAll(ExpectedRbac.CLUSTER_ID_RULES);
    assertThat(all)
        .allSatisfy(
            r -> {
              assertThat(r.getApiGroups()).doesNotContain("*").hasSize(1);
              assertThat(r.getResources())
                  .doesNotContain(
                      "*",
                      "nodes",
                      "namespaces",
                      "customresourcedefinitions",
                      "pods/exec",
                      "pods/attach",
                      "serviceaccounts/token",
                      "roles",
                      "clusterroles",
                      "rolebindings",
                      "clusterrolebindings");
              assertThat(r.getVerbs())
                  .doesNotContain("*", "escalate", "bind", "impersonate", "deletecollection");
              assertThat(r.getNonResourceURLs()).isEmpty();
            });
    // In the watched namespaces Secrets and ConfigMaps are only read: the operator never writes a
    // user's Secret. The
    // only Secret it writes is the webhook's own, in the release namespace, updated by name.
    assertThat(ExpectedRbac.permissions(ExpectedRbac.RULES))
        .filteredOn(p -> p.startsWith("core/secrets") || p.startsWith("core/configmaps"))
        .hasSize(6)
        .allSatisfy(p -> assertThat(p).matches(".* (get|list|watch)"));
    assertThat(ExpectedRbac.WEBHOOK_SECRET_RULES.get(1).getResourceNames())
        .containsExactly(ExpectedRbac.WEBHOOK_SECRET);
    assertThat(ExpectedRbac.WEBHOOK_CLUSTER_RULES.get(0).getResourceNames())
        .containsExactly(ExpectedRbac.WEBHOOK_CONFIGURATION);
  }

  @Test
  void everyRuleSaysWhichCodeNeedsIt() {
    String rbac =
        helm.template(
                Helm.chartDir(),
                "strata",
                "strata-system",
                List.of(
                    "--set",
                    "webhook.enabled=true",
                    "--show-only",
                    "templates/rbac.yaml",
                    "--show-only",
                    "templates/webhook.yaml"))
            .assertSuccess()
            .stdout();
    String[] lines = rbac.split("\n");
    int rules = 0;
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].startsWith("- apiGroups:")) {
        rules++;
        assertThat(lines[i - 1])
            .as("the line before rule %s", lines[i] + " " + lines[i + 1])
            .startsWith("#");
      }
    }
    assertThat(rules).isEqualTo(ExpectedRbac.all().size());
  }

  @Test
  void everyPermissionNamesTheTestStepThatExercisesIt() {
    assertThat(ExpectedRbac.EXERCISED_BY.keySet())
        .containsExactlyInAnyOrderElementsOf(ExpectedRbac.permissions(ExpectedRbac.all()));
    assertThat(ExpectedRbac.EXERCISED_BY.keySet()).containsAll(ExpectedRbac.NOT_A_REQUEST.keySet());
  }
}
