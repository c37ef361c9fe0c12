package dev.strata.operator.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.operator.OwnerAnchor;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Secret replicas share: created once, reused while valid, rotated before expiry with the old
 * CA kept.
 */
@EnableKubernetesMockClient(crud = true)
class WebhookTlsSecretTest {

  static KubernetesClient client;
  static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");

  WebhookTlsSecret secret(List<String> dns) {
    return new WebhookTlsSecret(
        client,
        "strata-system",
        "strata-webhook-tls",
        dns,
        List.of("127.0.0.1"),
        Duration.ofDays(365),
        Duration.ofDays(30));
  }

  Secret stored() {
    return client.secrets().inNamespace("strata-system").withName("strata-webhook-tls").get();
  }

  @Test
  void createdWhenAbsentThenReusedByEveryReplicaWhileValid() {
    client.secrets().inNamespace("strata-system").withName("strata-webhook-tls").delete();
    WebhookTls created = secret(List.of("svc.ns.svc")).ensure(NOW);
    assertThat(stored().getType()).isEqualTo("kubernetes.io/tls");
    assertThat(stored().getData()).containsOnlyKeys("tls.crt", "tls.key", "ca.crt");
    WebhookTls reused = secret(List.of("svc.ns.svc")).ensure(NOW.plus(Duration.ofDays(100)));
    assertThat(reused.certificate()).isEqualTo(created.certificate());
    assertThat(reused.key().getEncoded()).isEqualTo(created.key().getEncoded());
  }

  @Test
  void rotatedWhenLessThanThirtyDaysAreLeftKeepingTheOldCaInTheBundle() {
    client.secrets().inNamespace("strata-system").withName("strata-webhook-tls").delete();
    WebhookTls first = secret(List.of("svc.ns.svc")).ensure(NOW);
    Instant late = NOW.plus(Duration.ofDays(340));
    WebhookTls rotated = secret(List.of("svc.ns.svc")).ensure(late);
    assertThat(rotated.certificate()).isNotEqualTo(first.certificate());
    assertThat(rotated.notAfter()).isEqualTo(late.plus(Duration.ofDays(365)));
    assertThat(rotated.caBundle()).hasSize(2).contains(first.caBundle().get(0));
    assertThat(secret(List.of("svc.ns.svc")).ensure(late).certificate())
        .isEqualTo(rotated.certificate());
  }

  @Test
  void reissuedWhenItLacksANameTheWebhookNeedsOrCannotBeRead() {
    client.secrets().inNamespace("strata-system").withName("strata-webhook-tls").delete();
    WebhookTls first = secret(List.of("svc.ns.svc")).ensure(NOW);
    WebhookTls renamed = secret(List.of("svc.ns.svc", "other.ns.svc")).ensure(NOW);
    assertThat(renamed.subjectAltNames()).contains("other.ns.svc");
    assertThat(renamed.certificate()).isNotEqualTo(first.certificate());

    Secret broken =
        new SecretBuilder(stored())
            .withData(Map.of("tls.crt", "bm90IGEgY2VydA==", "tls.key", "eA==", "ca.crt", "eA=="))
            .build();
    client.resource(broken).update();
    WebhookTls repaired = secret(List.of("svc.ns.svc")).ensure(NOW);
    assertThat(
            repaired.problem(NOW, Duration.ofDays(30), List.of("svc.ns.svc"), List.of("127.0.0.1")))
        .isEmpty();
  }

  WebhookTlsSecret owned(boolean ownerRequired) {
    return new WebhookTlsSecret(
        client,
        "strata-system",
        "strata-webhook-tls",
        List.of("svc.ns.svc"),
        List.of(),
        Duration.ofDays(365),
        Duration.ofDays(30),
        OwnerAnchor.service(client, "strata-system", "strata-webhook"),
        ownerRequired);
  }

  String createService() {
    client.services().inNamespace("strata-system").withName("strata-webhook").delete();
    return client
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
  }

  @Test
  void createdOwnedByTheWebhookServiceSoThatItGoesWithTheRelease() {
    client.secrets().inNamespace("strata-system").withName("strata-webhook-tls").delete();
    String uid = createService();
    owned(true).ensure(NOW);
    assertThat(stored().getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.getApiVersion()).isEqualTo("v1");
              assertThat(o.getKind()).isEqualTo("Service");
              assertThat(o.getName()).isEqualTo("strata-webhook");
              assertThat(o.getUid()).isEqualTo(uid);
              // Not a controller's, and no blockOwnerDeletion: deleting the Service never waits for
              // it (no finalizers right).
              assertThat(o.getController()).isNull();
              assertThat(o.getBlockOwnerDeletion()).isNull();
            });
  }

  @Test
  void aSecretOfAnEarlierVersionIsAdoptedAndARecreatedServiceReplacesTheOldOwner() {
    client.secrets().inNamespace("strata-system").withName("strata-webhook-tls").delete();
    WebhookTls first =
        secret(List.of("svc.ns.svc"))
            .ensure(NOW); // no owner: as an operator before issue 17 made it
    assertThat(stored().getMetadata().getOwnerReferences()).isNullOrEmpty();
    String uid = createService();
    assertThat(owned(true).ensure(NOW).certificate())
        .as("kept, not re-issued")
        .isEqualTo(first.certificate());
    assertThat(stored().getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo(uid));
    String again = createService();
    owned(true).ensure(NOW);
    assertThat(again).isNotEqualTo(uid);
    assertThat(stored().getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo(again));
  }

  @Test
  void inAClusterNothingIsWrittenWhileTheServiceIsMissing() {
    client.secrets().inNamespace("strata-system").withName("strata-webhook-tls").delete();
    client.services().inNamespace("strata-system").withName("strata-webhook").delete();
    assertThatThrownBy(() -> owned(true).ensure(NOW))
        .hasMessageContaining("Service strata-system/strata-webhook does not exist");
    assertThat(stored()).isNull();
    // For development (a webhook URL, no Service) the Secret is made without an owner.
    owned(false).ensure(NOW);
    assertThat(stored().getMetadata().getOwnerReferences()).isNullOrEmpty();
  }
}
