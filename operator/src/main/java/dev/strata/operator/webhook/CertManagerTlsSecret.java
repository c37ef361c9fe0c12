package dev.strata.operator.webhook;

import dev.strata.operator.OwnerAnchor;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook's TLS material when cert-manager issues it (webhook.certManager.enabled): the Secret
 * its Certificate writes, read at every check and served as it is. cert-manager renews it; the
 * operator only refuses what cannot be served (expired, a name missing, a key that does not match)
 * and gives the Secret the webhook Service as owner, so that it is deleted with the release
 * (cert-manager keeps the Secrets of deleted Certificates unless its controller runs with
 * --enable-certificate-owner-ref). The CA bundle of the configuration is cert-manager's CA
 * injector's business.
 */
public final class CertManagerTlsSecret {

  private static final Logger LOG = LoggerFactory.getLogger(CertManagerTlsSecret.class);

  private final KubernetesClient client;
  private final String namespace;
  private final String name;
  private final List<String> dnsNames;
  private final OwnerAnchor owner;

  public CertManagerTlsSecret(
      KubernetesClient client,
      String namespace,
      String name,
      List<String> dnsNames,
      OwnerAnchor owner) {
    this.client = client;
    this.namespace = namespace;
    this.name = name;
    this.dnsNames = dnsNames;
    this.owner = owner;
  }

  /**
   * The TLS material to serve now; throws with what is wrong when there is none that can be served.
   */
  public WebhookTls read(Instant now) {
    Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
    if (secret == null) {
      throw new IllegalStateException(
          "cert-manager has not written the Secret "
              + namespace
              + "/"
              + name
              + " yet (kubectl describe"
              + " certificate -n "
              + namespace
              + " says why)");
    }
    WebhookTls tls;
    try {
      tls = WebhookTls.fromSecretData(secret.getData());
    } catch (WebhookTls.Unreadable e) {
      throw new IllegalStateException(
          "the Secret "
              + namespace
              + "/"
              + name
              + " from cert-manager: "
              + e.getMessage()
              + " (the chart's Certificate asks for an ECDSA key in PKCS#8)",
          e);
    }
    Optional<String> problem = tls.servingProblem(now, dnsNames, List.of());
    if (problem.isPresent()) {
      throw new IllegalStateException(
          "the certificate cert-manager wrote to "
              + namespace
              + "/"
              + name
              + " cannot be served: "
              + problem.get());
    }
    if (owner != null && owner.adoptOrWarn(client, secret)) {
      LOG.info(
          "{}/{}: cert-manager's webhook Secret is now owned by {} and is deleted with it",
          namespace,
          name,
          owner.describe());
    }
    return tls;
  }
}
