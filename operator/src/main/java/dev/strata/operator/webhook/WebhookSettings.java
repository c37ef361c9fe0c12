package dev.strata.operator.webhook;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The admission webhook's settings, from environment variables (kept apart from OperatorSettings:
 * they only matter when the webhook is enabled).
 *
 * @param enabled serve the RestorePolicy webhook (STRATA_WEBHOOK_ENABLED, default false until the
 *     chart wires it)
 * @param port the HTTPS port it listens on (STRATA_WEBHOOK_PORT, default 9443)
 * @param failurePolicy what the API server does when the webhook cannot be reached
 *     (STRATA_WEBHOOK_FAILURE_POLICY, default Ignore: with Fail, an operator outage would block
 *     every pod creation in the namespaces it watches; with Ignore, a pod created while the
 *     operator is down starts without its restore)
 * @param url the URL the API server calls, for development and tests (STRATA_WEBHOOK_URL, e.g.
 *     https://127.0.0.1:9443/mutate-pods); empty means the in-cluster Service
 * @param serviceName the Service in front of the operator's webhook port (STRATA_WEBHOOK_SERVICE)
 * @param serviceNamespace its namespace (STRATA_WEBHOOK_SERVICE_NAMESPACE, default the operator's)
 * @param servicePort the Service's port (STRATA_WEBHOOK_SERVICE_PORT, default 443)
 * @param operatorNamespace where the TLS Secret lives, shared by all replicas (POD_NAMESPACE)
 * @param checkInterval how often the certificate and the webhook configuration are checked (and
 *     repaired or rotated)
 * @param certManager whether cert-manager issues the certificate (STRATA_WEBHOOK_CERT_MANAGER,
 *     default false): the operator then only reads the Secret cert-manager writes, and leaves the
 *     configuration's CA bundle to cert-manager's CA injector; otherwise the operator issues,
 *     stores and rotates it itself
 */
public record WebhookSettings(
    boolean enabled,
    int port,
    String failurePolicy,
    Optional<URI> url,
    String serviceName,
    String serviceNamespace,
    int servicePort,
    String operatorNamespace,
    Duration checkInterval,
    boolean certManager) {

  public static final String PATH = "/mutate-pods";
  public static final String SECRET_NAME = "strata-webhook-tls";
  public static final String CONFIGURATION_NAME = "strata-restore-policy";
  public static final String WEBHOOK_NAME = "restore-policy.strata.dev";

  /** The API server waits at most this long for an answer. */
  public static final int TIMEOUT_SECONDS = 5;

  public static final Duration CERTIFICATE_VALIDITY = Duration.ofDays(365);
  public static final Duration RENEW_BEFORE = Duration.ofDays(30);

  public WebhookSettings {
    if (!failurePolicy.equals("Ignore") && !failurePolicy.equals("Fail")) {
      throw new IllegalArgumentException(
          "STRATA_WEBHOOK_FAILURE_POLICY must be Ignore or Fail, not '" + failurePolicy + "'");
    }
    url.ifPresent(
        u -> {
          if (!"https".equals(u.getScheme()) || u.getHost() == null) {
            throw new IllegalArgumentException(
                "STRATA_WEBHOOK_URL must be an https:// URL with a host, not '" + u + "'");
          }
        });
  }

  public static WebhookSettings fromEnv(Map<String, String> env) {
    String operatorNamespace = env.getOrDefault("POD_NAMESPACE", "default");
    String url = env.getOrDefault("STRATA_WEBHOOK_URL", "").trim();
    String policy = env.getOrDefault("STRATA_WEBHOOK_FAILURE_POLICY", "Ignore").trim();
    return new WebhookSettings(
        Boolean.parseBoolean(env.getOrDefault("STRATA_WEBHOOK_ENABLED", "false")),
        Integer.parseInt(env.getOrDefault("STRATA_WEBHOOK_PORT", "9443")),
        policy.isEmpty()
            ? "Ignore"
            : policy.substring(0, 1).toUpperCase(Locale.ROOT)
                + policy.substring(1).toLowerCase(Locale.ROOT),
        url.isEmpty() ? Optional.empty() : Optional.of(URI.create(url)),
        env.getOrDefault("STRATA_WEBHOOK_SERVICE", "strata-webhook"),
        env.getOrDefault("STRATA_WEBHOOK_SERVICE_NAMESPACE", operatorNamespace),
        Integer.parseInt(env.getOrDefault("STRATA_WEBHOOK_SERVICE_PORT", "443")),
        operatorNamespace,
        Duration.ofSeconds(Long.parseLong(env.getOrDefault("STRATA_WEBHOOK_CHECK_SECONDS", "300"))),
        Boolean.parseBoolean(env.getOrDefault("STRATA_WEBHOOK_CERT_MANAGER", "false")));
  }

  /**
   * DNS names the serving certificate must hold: the Service's, and the URL's host when it is a
   * name.
   */
  public List<String> dnsNames() {
    List<String> names =
        new ArrayList<>(
            List.of(
                serviceName + "." + serviceNamespace + ".svc",
                serviceName + "." + serviceNamespace + ".svc.cluster.local",
                serviceName + "." + serviceNamespace,
                serviceName));
    url.map(URI::getHost).filter(h -> !isIp(h) && !names.contains(h)).ifPresent(names::add);
    return names;
  }

  /**
   * IP addresses the serving certificate must hold: loopback, and the URL's host when it is an
   * address.
   */
  public List<String> ipAddresses() {
    List<String> ips = new ArrayList<>(List.of("127.0.0.1"));
    url.map(URI::getHost)
        .filter(WebhookSettings::isIp)
        .map(h -> h.replaceAll("^\\[|]$", ""))
        .filter(h -> !ips.contains(h))
        .ifPresent(ips::add);
    return ips;
  }

  /** Where the API server calls, for logs and conditions. */
  public String endpoint() {
    return url.map(URI::toString)
        .orElse("service " + serviceNamespace + "/" + serviceName + ":" + servicePort + PATH);
  }

  static boolean isIp(String host) {
    return host.matches("^[0-9.]+$") || host.contains(":");
  }
}
