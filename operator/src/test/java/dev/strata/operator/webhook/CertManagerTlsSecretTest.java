package dev.strata.operator.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.operator.OwnerAnchor;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Secret cert-manager writes (webhook.certManager.enabled): served as it is, refused with a
 * reason when it cannot be.
 */
@EnableKubernetesMockClient(crud = true)
class CertManagerTlsSecretTest {

  static KubernetesClient client;
  static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
  static final List<String> NAMES = List.of("strata-webhook.strata-system.svc");

  CertManagerTlsSecret reader() {
    return new CertManagerTlsSecret(
        client,
        "strata-system",
        "strata-webhook-tls",
        NAMES,
        OwnerAnchor.service(client, "strata-system", "strata-webhook"));
  }

  /** A Secret as cert-manager writes it: tls.crt and tls.key, and ca.crt only if {@code withCa}. */
  void write(WebhookTls tls, boolean withCa) {
    client.secrets().inNamespace("strata-system").withName("strata-webhook-tls").delete();
    Map<String, String> data = new HashMap<>(tls.toSecretData());
    if (!withCa) {
      data.remove("ca.crt");
    }
    client
        .secrets()
        .inNamespace("strata-system")
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("strata-webhook-tls")
                .addToAnnotations("cert-manager.io/certificate-name", "strata-webhook")
                .endMetadata()
                .withType("kubernetes.io/tls")
                .withData(data)
                .build())
        .create();
  }

  @Test
  void aValidCertificateIsServedAsItIsAndTheSecretGoesWithTheWebhookService() {
    client.services().inNamespace("strata-system").withName("strata-webhook").delete();
    String uid =
        client
            .services()
            .inNamespace("strata-system")
            .resource(
                new ServiceBuilder()
                    .withNewMetadata()
                    .withName("strata-webhook")
                    .endMetadata()
                    .withNewSpec()
                    .addNewPort()
                    .withPort(443)
                    .endPort()
                    .endSpec()
                    .build())
            .create()
            .getMetadata()
            .getUid();
    WebhookTls issued =
        WebhookCertificates.issue(NOW, Duration.ofDays(90), NAMES, List.of(), List.of());
    write(issued, false);
    WebhookTls served = reader().read(NOW.plus(Duration.ofDays(89)));
    assertThat(served.certificate()).isEqualTo(issued.certificate());
    assertThat(served.caBundle()).as("cert-manager's CA is the injector's business").isEmpty();
    var secret = client.secrets().inNamespace("strata-system").withName("strata-webhook-tls").get();
    assertThat(secret.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo(uid));
    // cert-manager's own metadata is left alone.
    assertThat(secret.getMetadata().getAnnotations())
        .containsEntry("cert-manager.io/certificate-name", "strata-webhook");
    // The operator never renews it: within the last days of its life it is served still
    // (cert-manager renews it).
    assertThat(reader().read(NOW.plus(Duration.ofDays(89))).certificate())
        .isEqualTo(issued.certificate());
  }

  @Test
  void whatCannotBeServedIsRefusedWithWhatToLookAt() {
    client.secrets().inNamespace("strata-system").withName("strata-webhook-tls").delete();
    assertThatThrownBy(() -> reader().read(NOW))
        .hasMessageContaining(
            "cert-manager has not written the Secret strata-system/strata-webhook-tls")
        .hasMessageContaining("kubectl describe certificate -n strata-system");
    write(WebhookCertificates.issue(NOW, Duration.ofDays(90), NAMES, List.of(), List.of()), true);
    assertThatThrownBy(() -> reader().read(NOW.plus(Duration.ofDays(91))))
        .hasMessageContaining("cannot be served: the certificate expired");
    write(
        WebhookCertificates.issue(
            NOW, Duration.ofDays(90), List.of("other.example.svc"), List.of(), List.of()),
        true);
    assertThatThrownBy(() -> reader().read(NOW))
        .hasMessageContaining("does not name [strata-webhook.strata-system.svc]");
  }
}
