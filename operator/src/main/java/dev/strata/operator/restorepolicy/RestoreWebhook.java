package dev.strata.operator.restorepolicy;

import dev.strata.operator.OperatorSettings;
import dev.strata.operator.OwnerAnchor;
import dev.strata.operator.webhook.AdmissionServer;
import dev.strata.operator.webhook.CertManagerTlsSecret;
import dev.strata.operator.webhook.ReloadableKeyManager;
import dev.strata.operator.webhook.WebhookRegistration;
import dev.strata.operator.webhook.WebhookSettings;
import dev.strata.operator.webhook.WebhookTls;
import dev.strata.operator.webhook.WebhookTlsSecret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RestorePolicy admission webhook as a whole, on every replica (not only the leader: the API
 * server may call any of them): its caches, its TLS Secret and certificate rotation, the HTTPS
 * server, and the MutatingWebhookConfiguration with the current CA bundle. A failure does not stop
 * the operator (snapshots go on); it is reported in every RestorePolicy's Ready condition and in
 * /readyz, and retried.
 */
public final class RestoreWebhook implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RestoreWebhook.class);
  private static final Duration RETRY = Duration.ofSeconds(15);

  /** Where the webhook stands, for the Ready condition of RestorePolicies. */
  public record State(
      boolean enabled,
      boolean serving,
      String reason,
      String message,
      Instant certificateNotAfter) {
    public boolean healthy() {
      return enabled && serving && reason == null;
    }
  }

  private final WebhookSettings settings;
  private final Clock clock;
  private final InformerPolicyLookup lookup;
  private final WebhookTlsSecret tlsSecret;
  private final CertManagerTlsSecret certManagerSecret;
  private final WebhookRegistration registration;
  private final ReloadableKeyManager keys = new ReloadableKeyManager();
  private final AdmissionServer server;
  private final ScheduledExecutorService timer;
  private volatile State state;
  private boolean serverStarted;

  public RestoreWebhook(
      KubernetesClient client, OperatorSettings operator, WebhookSettings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
    this.lookup = new InformerPolicyLookup(client, operator.namespaces());
    // The Secret goes with the webhook's Service (garbage collection). In a cluster (no URL) the
    // Service must exist: the
    // API server calls through it; for development (a URL) there may be none.
    OwnerAnchor service =
        OwnerAnchor.service(client, settings.serviceNamespace(), settings.serviceName());
    this.tlsSecret =
        new WebhookTlsSecret(
            client,
            settings.operatorNamespace(),
            WebhookSettings.SECRET_NAME,
            settings.dnsNames(),
            settings.ipAddresses(),
            WebhookSettings.CERTIFICATE_VALIDITY,
            WebhookSettings.RENEW_BEFORE,
            service,
            settings.url().isEmpty());
    this.certManagerSecret =
        new CertManagerTlsSecret(
            client,
            settings.operatorNamespace(),
            WebhookSettings.SECRET_NAME,
            settings.dnsNames(),
            service);
    this.registration = new WebhookRegistration(client, settings, operator.namespaces());
    if (settings.enabled()) {
      PodMutator mutator =
          new PodMutator(lookup, new RestoreInitContainerBuilder(operator), operator.namespaces());
      this.server =
          new AdmissionServer(
              settings.port(), keys, WebhookSettings.PATH, new AdmissionHandler(mutator));
      this.timer =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "strata-webhook-tls");
                t.setDaemon(true);
                return t;
              });
      this.state =
          new State(true, false, "WebhookStarting", "the admission webhook is starting", null);
    } else {
      this.server = null;
      this.timer = null;
      this.state =
          new State(
              false,
              false,
              "WebhookDisabled",
              "the operator's admission webhook is off (STRATA_WEBHOOK_ENABLED is not true): pods are not restored automatically",
              null);
    }
  }

  public void start() {
    if (!settings.enabled()) {
      return;
    }
    check();
    LOG.info(
        "restore webhook: {} (failurePolicy {})",
        state.healthy() ? "serving at " + settings.endpoint() : state.message(),
        settings.failurePolicy());
  }

  /**
   * Caches, certificate (created, reloaded from another replica's rotation, or rotated), server,
   * configuration.
   */
  private synchronized void check() {
    try {
      lookup.start();
    } catch (RuntimeException e) {
      fail(
          "WebhookNotServing",
          "the webhook cannot read RestorePolicies and SnapshotStores: " + e.getMessage());
      return;
    }
    WebhookTls tls;
    try {
      tls =
          settings.certManager()
              ? certManagerSecret.read(clock.instant())
              : tlsSecret.ensure(clock.instant());
    } catch (RuntimeException e) {
      fail(
          "CertificateError",
          "the webhook certificate in Secret "
              + settings.operatorNamespace()
              + "/"
              + WebhookSettings.SECRET_NAME
              + (settings.certManager() ? " cannot be used: " : " cannot be created or read: ")
              + e.getMessage());
      return;
    }
    try {
      // The configuration trusts the new CA before the new certificate is served, so no handshake
      // falls in between.
      registration.ensure(tls.caBundlePem());
    } catch (RuntimeException e) {
      fail(
          "CertificateError",
          "the MutatingWebhookConfiguration "
              + WebhookSettings.CONFIGURATION_NAME
              + " cannot be written: "
              + e.getMessage());
      return;
    }
    WebhookTls before = keys.current();
    keys.use(tls);
    if (before != null && !before.equals(tls)) {
      LOG.info("restore webhook: serving the new certificate, valid until {}", tls.notAfter());
    }
    if (!serverStarted) {
      try {
        server.start();
        serverStarted = true;
      } catch (RuntimeException e) {
        fail(
            "WebhookNotServing",
            "the webhook cannot listen on port " + settings.port() + ": " + e.getMessage());
        return;
      }
    }
    state = new State(true, true, null, null, tls.notAfter());
    schedule(settings.checkInterval());
  }

  private void fail(String reason, String message) {
    LOG.warn("restore webhook: {}: {}; retrying in {} s", reason, message, RETRY.toSeconds());
    state =
        new State(
            true,
            serverStarted && keys.current() != null,
            reason,
            message,
            keys.current() == null ? null : keys.current().notAfter());
    schedule(RETRY);
  }

  private void schedule(Duration delay) {
    if (!timer.isShutdown()) {
      timer.schedule(this::check, delay.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  public State state() {
    return state;
  }

  /**
   * For /readyz: a replica whose webhook should serve but does not is not ready (its Service sends
   * it no calls).
   */
  public boolean ready() {
    return !settings.enabled() || state.serving();
  }

  public WebhookSettings settings() {
    return settings;
  }

  RestorePolicyLookup lookup() {
    return lookup;
  }

  Optional<Long> policyGeneration(String namespace, String name) {
    return settings.enabled() ? lookup.policyGeneration(namespace, name) : Optional.empty();
  }

  @Override
  public void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
    if (server != null && serverStarted) {
      server.close();
    }
    lookup.close();
  }
}
