package dev.strata.operator.webhook;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A key manager whose key and certificate can be swapped while the server runs: new TLS handshakes
 * use the new certificate and nothing restarts. Each version has its own alias, so a handshake that
 * chose an alias just before a swap still gets a matching key and certificate.
 */
public final class ReloadableKeyManager extends X509ExtendedKeyManager {

  private record Version(String alias, WebhookTls tls) {}

  private volatile Version current;
  private volatile Version previous;
  private long versions;

  public synchronized void use(WebhookTls tls) {
    if (current != null && current.tls().equals(tls)) {
      return;
    }
    previous = current;
    current = new Version("strata-webhook-" + (++versions), tls);
  }

  public WebhookTls current() {
    Version v = current;
    return v == null ? null : v.tls();
  }

  private WebhookTls byAlias(String alias) {
    Version c = current;
    Version p = previous;
    if (c != null && c.alias().equals(alias)) {
      return c.tls();
    }
    return p != null && p.alias().equals(alias) ? p.tls() : null;
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return chooseServerAlias(keyType, issuers, null);
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    Version v = current;
    return v != null && v.tls().key().getAlgorithm().equalsIgnoreCase(keyType) ? v.alias() : null;
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    String alias = chooseServerAlias(keyType, issuers, null);
    return alias == null ? null : new String[] {alias};
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    WebhookTls tls = byAlias(alias);
    return tls == null ? null : new X509Certificate[] {tls.certificate()};
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    WebhookTls tls = byAlias(alias);
    return tls == null ? null : tls.key();
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return null;
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return null;
  }
}
