package dev.strata.operator.webhook;

import dev.strata.operator.Labels;
import dev.strata.operator.OwnerAnchor;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the webhook's TLS material in one Secret of the operator's namespace, so every replica
 * serves the same certificate: creates it when absent, reuses it while valid, and replaces it (a
 * new CA, the old one kept in the bundle while valid) when it expires within {@code renewBefore},
 * lacks a name the webhook needs, or is unreadable. Replicas race safely: a create or update that
 * loses (409) re-reads what the winner wrote. With an owner (the webhook's Service, {@link
 * OwnerAnchor}) the Secret is created owned by it, and an existing one is given it, so that it is
 * garbage-collected with the Service; where the owner must exist (in a cluster) and does not,
 * nothing is written.
 */
public final class WebhookTlsSecret {

  private static final Logger LOG = LoggerFactory.getLogger(WebhookTlsSecret.class);

  private final KubernetesClient client;
  private final String namespace;
  private final String name;
  private final List<String> dnsNames;
  private final List<String> ips;
  private final Duration validity;
  private final Duration renewBefore;
  private final OwnerAnchor owner;
  private final boolean ownerRequired;

  public WebhookTlsSecret(
      KubernetesClient client,
      String namespace,
      String name,
      List<String> dnsNames,
      List<String> ips,
      Duration validity,
      Duration renewBefore) {
    this(client, namespace, name, dnsNames, ips, validity, renewBefore, null, false);
  }

  /** With an owner; {@code ownerRequired}: write nothing while it does not exist. */
  public WebhookTlsSecret(
      KubernetesClient client,
      String namespace,
      String name,
      List<String> dnsNames,
      List<String> ips,
      Duration validity,
      Duration renewBefore,
      OwnerAnchor owner,
      boolean ownerRequired) {
    this.owner = owner;
    this.ownerRequired = ownerRequired;
    this.client = client;
    this.namespace = namespace;
    this.name = name;
    this.dnsNames = dnsNames;
    this.ips = ips;
    this.validity = validity;
    this.renewBefore = renewBefore;
  }

  /** The TLS material to serve now, after creating or rotating the Secret if needed. */
  public WebhookTls ensure(Instant now) {
    for (int attempt = 1; ; attempt++) {
      try {
        return ensureOnce(now);
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt >= 5) {
          throw e;
        }
        LOG.info(
            "{}/{}: another replica changed the webhook Secret first; reading it again",
            namespace,
            name);
      }
    }
  }

  private WebhookTls ensureOnce(Instant now) {
    Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
    if (secret == null) {
      Optional<OwnerReference> ref = ownerReference();
      WebhookTls fresh = WebhookCertificates.issue(now, validity, dnsNames, ips, List.of());
      client.secrets().inNamespace(namespace).resource(secretWith(fresh, null, ref)).create();
      LOG.info(
          "{}/{}: created the webhook certificate, valid until {}",
          namespace,
          name,
          fresh.notAfter());
      return fresh;
    }
    Optional<String> problem;
    List<java.security.cert.X509Certificate> carried = List.of();
    WebhookTls current = null;
    try {
      current = WebhookTls.fromSecretData(secret.getData());
      problem = current.problem(now, renewBefore, dnsNames, ips);
      carried = current.validCas(now);
    } catch (WebhookTls.Unreadable e) {
      problem = Optional.of(e.getMessage());
    }
    if (problem.isEmpty()) {
      if (owner != null && owner.adoptOrWarn(client, secret)) {
        LOG.info(
            "{}/{}: the webhook Secret is now owned by {} and is deleted with it",
            namespace,
            name,
            owner.describe());
      }
      return current;
    }
    Optional<OwnerReference> ref = ownerReference();
    WebhookTls next = WebhookCertificates.issue(now, validity, dnsNames, ips, carried);
    // Optimistic locking on the resourceVersion we read: of two replicas rotating at once, one
    // wins.
    client
        .secrets()
        .inNamespace(namespace)
        .resource(secretWith(next, secret.getMetadata().getResourceVersion(), ref))
        .update();
    LOG.info(
        "{}/{}: rotated the webhook certificate ({}); the new one is valid until {}",
        namespace,
        name,
        problem.get(),
        next.notAfter());
    return next;
  }

  /** The owner's reference; empty without an owner, or while an optional one does not exist. */
  private Optional<OwnerReference> ownerReference() {
    if (owner == null) {
      return Optional.empty();
    }
    Optional<OwnerReference> ref = owner.reference();
    if (ref.isEmpty() && ownerRequired) {
      throw new IllegalStateException(
          owner.describe()
              + " does not exist: the API server could not call the webhook, and its Secret"
              + " would have no owner to be deleted with (helm upgrade restores the Service)");
    }
    return ref;
  }

  private Secret secretWith(WebhookTls tls, String resourceVersion, Optional<OwnerReference> ref) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .withResourceVersion(resourceVersion)
        .withOwnerReferences(ref.map(List::of).orElse(null))
        .addToLabels(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE)
        .addToLabels(Labels.NAME, "strata-webhook")
        .endMetadata()
        .withType("kubernetes.io/tls")
        .withData(tls.toSecretData())
        .build();
  }
}
