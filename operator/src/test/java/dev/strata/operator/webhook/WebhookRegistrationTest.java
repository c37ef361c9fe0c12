package dev.strata.operator.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The MutatingWebhookConfiguration the operator keeps: what it holds, and that an unchanged one is
 * not rewritten.
 */
@EnableKubernetesMockClient(crud = true)
class WebhookRegistrationTest {

  static KubernetesClient client;

  static WebhookSettings settings(Map<String, String> env) {
    return WebhookSettings.fromEnv(env);
  }

  MutatingWebhook stored() {
    return client
        .admissionRegistration()
        .v1()
        .mutatingWebhookConfigurations()
        .withName("strata-restore-policy")
        .get()
        .getWebhooks()
        .get(0);
  }

  @Test
  void inClusterItCallsTheServiceOnlyForPodCreationsAndIgnoresAnOutageByDefault() {
    client
        .admissionRegistration()
        .v1()
        .mutatingWebhookConfigurations()
        .withName("strata-restore-policy")
        .delete();
    WebhookRegistration registration =
        new WebhookRegistration(
            client, settings(Map.of("POD_NAMESPACE", "strata-system")), Set.of());
    assertThat(registration.ensure("PEM-A")).isTrue();
    MutatingWebhook w = stored();
    assertThat(w.getName()).isEqualTo("restore-policy.strata.dev");
    assertThat(w.getClientConfig().getService().getName()).isEqualTo("strata-webhook");
    assertThat(w.getClientConfig().getService().getNamespace()).isEqualTo("strata-system");
    assertThat(w.getClientConfig().getService().getPath()).isEqualTo("/mutate-pods");
    assertThat(w.getClientConfig().getUrl()).isNull();
    assertThat(new String(Base64.getDecoder().decode(w.getClientConfig().getCaBundle())))
        .isEqualTo("PEM-A");
    assertThat(w.getRules())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.getOperations()).containsExactly("CREATE");
              assertThat(r.getResources()).containsExactly("pods");
              assertThat(r.getApiVersions()).containsExactly("v1");
            });
    assertThat(w.getFailurePolicy()).isEqualTo("Ignore");
    assertThat(w.getSideEffects()).isEqualTo("None");
    assertThat(w.getTimeoutSeconds()).isEqualTo(5);
    assertThat(w.getAdmissionReviewVersions()).containsExactly("v1");
    // All namespaces watched: kube-system and the operator's own are left out, so the operator can
    // always start.
    assertThat(w.getNamespaceSelector().getMatchExpressions())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getOperator()).isEqualTo("NotIn");
              assertThat(e.getValues()).containsExactly("kube-system", "strata-system");
            });
    assertThat(w.getObjectSelector().getMatchExpressions().get(0).getValues())
        .containsExactly("strata-runner");

    assertThat(registration.ensure("PEM-A"))
        .as("an unchanged configuration is not written again")
        .isFalse();
    assertThat(registration.isCurrent("PEM-A")).isTrue();
    assertThat(registration.ensure("PEM-B")).isTrue();
    assertThat(new String(Base64.getDecoder().decode(stored().getClientConfig().getCaBundle())))
        .isEqualTo("PEM-B");
  }

  @Test
  void forDevelopmentItCallsAUrlAndWatchedNamespacesScopeIt() {
    client
        .admissionRegistration()
        .v1()
        .mutatingWebhookConfigurations()
        .withName("strata-restore-policy")
        .delete();
    WebhookSettings dev =
        settings(
            Map.of(
                "STRATA_WEBHOOK_URL",
                "https://127.0.0.1:9443/mutate-pods",
                "STRATA_WEBHOOK_FAILURE_POLICY",
                "fail"));
    new WebhookRegistration(client, dev, Set.of("team-b", "team-a")).ensure("PEM");
    MutatingWebhook w = stored();
    assertThat(w.getClientConfig().getUrl()).isEqualTo("https://127.0.0.1:9443/mutate-pods");
    assertThat(w.getClientConfig().getService()).isNull();
    assertThat(w.getFailurePolicy()).isEqualTo("Fail");
    assertThat(w.getNamespaceSelector().getMatchExpressions())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getOperator()).isEqualTo("In");
              assertThat(e.getValues()).containsExactly("team-a", "team-b");
            });
    assertThat(dev.ipAddresses()).containsExactly("127.0.0.1");
  }

  @Test
  void aFailurePolicyOtherThanIgnoreOrFailIsRefusedAtStart() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> settings(Map.of("STRATA_WEBHOOK_FAILURE_POLICY", "maybe")))
        .hasMessageContaining("must be Ignore or Fail");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> settings(Map.of("STRATA_WEBHOOK_URL", "http://127.0.0.1:9443/x")))
        .hasMessageContaining("https://");
  }

  /** The configuration as the chart renders it: Helm's labels and annotations, no webhooks. */
  static MutatingWebhookConfiguration chartConfiguration(Map<String, String> annotations) {
    return new MutatingWebhookConfigurationBuilder()
        .withNewMetadata()
        .withName("strata-restore-policy")
        .addToLabels("app.kubernetes.io/managed-by", "Helm")
        .addToAnnotations("meta.helm.sh/release-name", "strata")
        .addToAnnotations(annotations)
        .endMetadata()
        .build();
  }

  @Test
  void theChartsConfigurationGetsItsWebhookAndKeepsHelmsLabelsAndAnnotations() {
    client
        .admissionRegistration()
        .v1()
        .mutatingWebhookConfigurations()
        .withName("strata-restore-policy")
        .delete();
    client.resource(chartConfiguration(Map.of())).create();
    WebhookRegistration registration =
        new WebhookRegistration(
            client, settings(Map.of("POD_NAMESPACE", "strata-system")), Set.of());
    assertThat(registration.isCurrent("PEM-A")).isFalse();
    assertThat(registration.ensure("PEM-A")).isTrue();
    MutatingWebhookConfiguration stored =
        client
            .admissionRegistration()
            .v1()
            .mutatingWebhookConfigurations()
            .withName("strata-restore-policy")
            .get();
    assertThat(stored.getWebhooks())
        .singleElement()
        .satisfies(w -> assertThat(w.getName()).isEqualTo("restore-policy.strata.dev"));
    assertThat(stored.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/managed-by", "Helm");
    assertThat(stored.getMetadata().getAnnotations())
        .containsEntry("meta.helm.sh/release-name", "strata");
    assertThat(registration.ensure("PEM-A")).isFalse();
  }

  @Test
  void withCertManagerTheCaBundleItsInjectorWroteIsKept() {
    client
        .admissionRegistration()
        .v1()
        .mutatingWebhookConfigurations()
        .withName("strata-restore-policy")
        .delete();
    client
        .resource(
            chartConfiguration(
                Map.of("cert-manager.io/inject-ca-from", "strata-system/strata-webhook")))
        .create();
    WebhookRegistration registration =
        new WebhookRegistration(
            client,
            settings(
                Map.of("POD_NAMESPACE", "strata-system", "STRATA_WEBHOOK_CERT_MANAGER", "true")),
            Set.of());
    // Before the injector has written one: the CA of the Secret the operator serves.
    assertThat(registration.ensure("PEM-SECRET")).isTrue();
    assertThat(new String(Base64.getDecoder().decode(stored().getClientConfig().getCaBundle())))
        .isEqualTo("PEM-SECRET");
    // The injector writes its CA; the operator's next check leaves it (and rewrites nothing).
    client
        .admissionRegistration()
        .v1()
        .mutatingWebhookConfigurations()
        .withName("strata-restore-policy")
        .edit(
            c -> {
              c.getWebhooks()
                  .get(0)
                  .getClientConfig()
                  .setCaBundle(Base64.getEncoder().encodeToString("PEM-INJECTED".getBytes()));
              return c;
            });
    assertThat(registration.isCurrent("PEM-SECRET")).isTrue();
    assertThat(registration.ensure("PEM-SECRET")).isFalse();
    assertThat(new String(Base64.getDecoder().decode(stored().getClientConfig().getCaBundle())))
        .isEqualTo("PEM-INJECTED");
    // Other drift is still repaired, with the injected CA.
    client
        .admissionRegistration()
        .v1()
        .mutatingWebhookConfigurations()
        .withName("strata-restore-policy")
        .edit(
            c -> {
              c.getWebhooks().get(0).setFailurePolicy("Fail");
              return c;
            });
    assertThat(registration.ensure("PEM-SECRET")).isTrue();
    assertThat(stored().getFailurePolicy()).isEqualTo("Ignore");
    assertThat(new String(Base64.getDecoder().decode(stored().getClientConfig().getCaBundle())))
        .isEqualTo("PEM-INJECTED");
  }
}
