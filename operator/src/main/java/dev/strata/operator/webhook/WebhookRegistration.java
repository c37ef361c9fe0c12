package dev.strata.operator.webhook;

import dev.strata.operator.Labels;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfig;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.WebhookClientConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster-scoped MutatingWebhookConfiguration that sends pod creations to the operator: pods
 * CREATE (v1) only, no side effects, AdmissionReview v1, a 5 s timeout, the configured failure
 * policy, and the current CA bundle.
 *
 * <p>Scope: pods need no label. Instead the namespaceSelector names the namespaces the operator
 * watches (by their automatic {@code kubernetes.io/metadata.name} label); when it watches all, it
 * leaves out kube-system and the operator's own namespace, so the operator can always start its own
 * pods. The objectSelector leaves out Strata's own runner pods (a label they always carry, and a
 * pod without the label still matches).
 *
 * <p>Installed by the chart, the configuration is the chart's (Helm creates it without webhooks and
 * deletes it on uninstall) and the operator only writes its webhooks, leaving its metadata (Helm's
 * labels and annotations) alone; it may not create one (no RBAC), so a deleted configuration stays
 * deleted. Run without the chart, it creates it. With cert-manager, the CA bundle is cert-manager's
 * CA injector's: the operator keeps the one it finds.
 */
public final class WebhookRegistration {

  private static final Logger LOG = LoggerFactory.getLogger(WebhookRegistration.class);
  static final String NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

  private final KubernetesClient client;
  private final WebhookSettings settings;
  private final Set<String> watchedNamespaces;

  public WebhookRegistration(
      KubernetesClient client, WebhookSettings settings, Set<String> watchedNamespaces) {
    this.client = client;
    this.settings = settings;
    this.watchedNamespaces = watchedNamespaces;
  }

  /**
   * Creates or updates the configuration so that its webhooks are exactly the desired ones; returns
   * whether it wrote.
   */
  public boolean ensure(String caBundlePem) {
    var resource =
        client
            .admissionRegistration()
            .v1()
            .mutatingWebhookConfigurations()
            .withName(WebhookSettings.CONFIGURATION_NAME);
    MutatingWebhookConfiguration existing = resource.get();
    if (existing == null) {
      try {
        client.resource(desired(caBundlePem)).create();
        LOG.info(
            "{}: created the webhook configuration for {} (failurePolicy {})",
            WebhookSettings.CONFIGURATION_NAME,
            settings.endpoint(),
            settings.failurePolicy());
        return true;
      } catch (KubernetesClientException e) {
        if (e.getCode() == 403) {
          throw new IllegalStateException(
              "the MutatingWebhookConfiguration "
                  + WebhookSettings.CONFIGURATION_NAME
                  + " does not exist and"
                  + " the operator may not create it: the Helm chart does (helm upgrade with webhook.enabled=true restores it)",
              e);
        }
        if (e.getCode() != 409) {
          throw e;
        }
        existing = resource.get(); // another replica made it a moment ago
      }
    }
    MutatingWebhookConfiguration desired = desired(caBundle(existing, caBundlePem));
    if (Objects.equals(existing.getWebhooks(), desired.getWebhooks())) {
      return false;
    }
    existing.setWebhooks(desired.getWebhooks());
    client.resource(existing).update();
    LOG.info(
        "{}: updated the webhook configuration (CA bundle, endpoint or policy changed)",
        WebhookSettings.CONFIGURATION_NAME);
    return true;
  }

  /** Whether the configuration in the cluster is the desired one for this CA bundle. */
  public boolean isCurrent(String caBundlePem) {
    MutatingWebhookConfiguration existing =
        client
            .admissionRegistration()
            .v1()
            .mutatingWebhookConfigurations()
            .withName(WebhookSettings.CONFIGURATION_NAME)
            .get();
    return existing != null
        && Objects.equals(
            existing.getWebhooks(), desired(caBundle(existing, caBundlePem)).getWebhooks());
  }

  /**
   * The CA bundle to write: ours, or with cert-manager the one its CA injector wrote (ours until it
   * has written one).
   */
  private String caBundle(MutatingWebhookConfiguration existing, String ours) {
    if (settings.certManager() && existing.getWebhooks() != null) {
      for (MutatingWebhook w : existing.getWebhooks()) {
        String injected = w.getClientConfig() == null ? null : w.getClientConfig().getCaBundle();
        if (WebhookSettings.WEBHOOK_NAME.equals(w.getName())
            && injected != null
            && !injected.isEmpty()) {
          return new String(Base64.getDecoder().decode(injected), StandardCharsets.US_ASCII);
        }
      }
    }
    return ours;
  }

  MutatingWebhookConfiguration desired(String caBundlePem) {
    // Every field the API server would default is set, so that an unchanged configuration compares
    // equal.
    MutatingWebhook webhook =
        new MutatingWebhookBuilder()
            .withName(WebhookSettings.WEBHOOK_NAME)
            .withClientConfig(clientConfig(caBundlePem))
            .addNewRule()
            .withOperations("CREATE")
            .withApiGroups("")
            .withApiVersions("v1")
            .withResources("pods")
            .withScope("Namespaced")
            .endRule()
            .withFailurePolicy(settings.failurePolicy())
            .withMatchPolicy("Equivalent")
            .withSideEffects("None")
            .withAdmissionReviewVersions("v1")
            .withTimeoutSeconds(WebhookSettings.TIMEOUT_SECONDS)
            .withReinvocationPolicy("Never")
            .withNamespaceSelector(namespaceSelector())
            .withObjectSelector(
                new LabelSelectorBuilder()
                    .addNewMatchExpression()
                    .withKey(Labels.NAME)
                    .withOperator("NotIn")
                    .withValues(Labels.RUNNER)
                    .endMatchExpression()
                    .build())
            .build();
    return new MutatingWebhookConfigurationBuilder()
        .withNewMetadata()
        .withName(WebhookSettings.CONFIGURATION_NAME)
        .addToLabels(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE)
        .endMetadata()
        .withWebhooks(webhook)
        .build();
  }

  private WebhookClientConfig clientConfig(String caBundlePem) {
    WebhookClientConfigBuilder config =
        new WebhookClientConfigBuilder()
            .withCaBundle(
                Base64.getEncoder()
                    .encodeToString(caBundlePem.getBytes(StandardCharsets.US_ASCII)));
    if (settings.url().isPresent()) {
      return config.withUrl(settings.url().get().toString()).build();
    }
    return config
        .withNewService()
        .withName(settings.serviceName())
        .withNamespace(settings.serviceNamespace())
        .withPort(settings.servicePort())
        .withPath(WebhookSettings.PATH)
        .endService()
        .build();
  }

  LabelSelector namespaceSelector() {
    if (!watchedNamespaces.isEmpty()) {
      return new LabelSelectorBuilder()
          .addNewMatchExpression()
          .withKey(NAMESPACE_NAME_LABEL)
          .withOperator("In")
          .withValues(new ArrayList<>(new TreeSet<>(watchedNamespaces)))
          .endMatchExpression()
          .build();
    }
    List<String> excluded =
        new ArrayList<>(new TreeSet<>(List.of("kube-system", settings.operatorNamespace())));
    return new LabelSelectorBuilder()
        .addNewMatchExpression()
        .withKey(NAMESPACE_NAME_LABEL)
        .withOperator("NotIn")
        .withValues(excluded)
        .endMatchExpression()
        .build();
  }
}
