package dev.strata.operator.app;

import dev.strata.build.BuildInfo;
import dev.strata.engine.report.BackupReport;
import dev.strata.engine.report.RestoreReport;
import dev.strata.operator.EventRecorder;
import dev.strata.operator.OperatorClock;
import dev.strata.operator.OperatorSettings;
import dev.strata.operator.StoreRequests;
import dev.strata.operator.catalog.CatalogReader;
import dev.strata.operator.catalog.CatalogSync;
import dev.strata.operator.catalog.StoreCatalogs;
import dev.strata.operator.gc.GcJobBuilder;
import dev.strata.operator.gc.GcScheduler;
import dev.strata.operator.hooks.HookRunner;
import dev.strata.operator.hooks.KubernetesPodExec;
import dev.strata.operator.metrics.HttpEndpoints;
import dev.strata.operator.metrics.StrataMetrics;
import dev.strata.operator.restore.BindingModes;
import dev.strata.operator.restore.RestoreDecider;
import dev.strata.operator.restore.RestoreJobBuilder;
import dev.strata.operator.restore.StateRestoreReconciler;
import dev.strata.operator.restorepolicy.RestorePolicyReconciler;
import dev.strata.operator.restorepolicy.RestoreWebhook;
import dev.strata.operator.retention.RetentionPolicyReconciler;
import dev.strata.operator.runner.RunObserver;
import dev.strata.operator.schedule.ScheduleDecider;
import dev.strata.operator.schedule.SnapshotScheduleReconciler;
import dev.strata.operator.snapshot.LostResults;
import dev.strata.operator.snapshot.RunnerJobBuilder;
import dev.strata.operator.snapshot.SnapshotCleaner;
import dev.strata.operator.snapshot.SnapshotDecider;
import dev.strata.operator.snapshot.StateSnapshotReconciler;
import dev.strata.operator.store.KubernetesStoreConnector;
import dev.strata.operator.store.ProgressReader;
import dev.strata.operator.store.SnapshotStoreReconciler;
import dev.strata.operator.store.StoreChecker;
import dev.strata.operator.store.StoreClients;
import dev.strata.operator.verify.VerifyJobBuilder;
import dev.strata.operator.verify.VerifyScheduler;
import dev.strata.operator.webhook.WebhookSettings;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ConfigurationServiceOverrider;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Strata operator: wires the reconcilers, leader election, metrics (its own and JOSDK's
 * reconcile metrics, in one registry) and health endpoints, and runs them. The only class that
 * knows every package.
 */
public final class StrataOperator implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(StrataOperator.class);

  /** The leader-election Lease, in the lease namespace (the chart's RBAC names it). */
  public static final String LEASE_NAME = "strata-operator";

  private final Operator operator;
  private final HttpEndpoints http;
  private final StrataMetrics metrics;
  private final RestoreWebhook restoreWebhook;
  private final StoreClients storeClients;
  private final LeaseOwnership leaseOwnership;
  private final BindingModes bindingModes;
  private final HookRunner hooks;

  /** Hooks that may run at once (each holds a thread while its command runs); more wait for one. */
  static final int HOOK_THREADS = 8;

  public StrataOperator(
      KubernetesClient client,
      OperatorSettings configured,
      Clock clock,
      Consumer<ConfigurationServiceOverrider> overrides)
      throws IOException {
    // One line that says which build runs (the same version and commit as strata_build_info).
    LOG.info("strata operator {} starting", BuildInfo.describe());
    OperatorSettings settings = configured.resolveClusterId(() -> kubeSystemUid(client));
    LOG.info(
        "this cluster is {} in source ids{}",
        settings.clusterId(),
        configured.clusterId() == null ? " (the kube-system namespace's UID)" : "");
    this.metrics = new StrataMetrics();
    settings.namespaces().forEach(metrics::namespaceSeen);
    // In a cluster the pod name; elsewhere host and process, so two local processes never share an
    // identity.
    String identity =
        System.getenv().getOrDefault("POD_NAME", hostname() + "-" + ProcessHandle.current().pid());
    this.operator =
        new Operator(
            o -> {
              o.withKubernetesClient(client).withCloseClientOnStop(false);
              // Reconciliations, their durations and failures per controller; not per resource (one
              // series each).
              o.withMetrics(MicrometerMetrics.withoutPerResourceMetrics(metrics.registry()));
              if (settings.leaderElection()) {
                o.withLeaderElectionConfiguration(
                    LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(LEASE_NAME)
                        .withLeaseNamespace(settings.leaseNamespace())
                        .withIdentity(identity)
                        .build());
              }
              overrides.accept(o);
            });
    String leaseOwner = System.getenv("STRATA_LEASE_OWNER");
    this.leaseOwnership =
        settings.leaderElection() && leaseOwner != null && !leaseOwner.isBlank()
            ? new LeaseOwnership(client, settings.leaseNamespace(), LEASE_NAME, leaseOwner.strip())
            : null;
    this.storeClients = new StoreClients(new KubernetesStoreConnector(client));
    ProgressReader progress = new ProgressReader(storeClients);
    StoreRequests collections = new StoreRequests("gc-requests");
    EventRecorder events = new EventRecorder(client, identity);
    StoreCatalogs catalogs = new StoreCatalogs();
    // StorageClasses are cluster-scoped: read only when all namespaces are watched (watched
    // namespaces grant nothing
    // cluster-wide), for restores into claims that bind on first consumer.
    this.bindingModes =
        settings.namespaces().isEmpty() ? BindingModes.inform(client) : BindingModes.UNKNOWN;
    this.hooks = new HookRunner(new KubernetesPodExec(client), HOOK_THREADS, Clock.systemUTC());
    operator.register(
        new SnapshotStoreReconciler(
            new StoreChecker(storeClients),
            storeClients,
            new SnapshotStoreReconciler.Work(
                new GcScheduler(new GcJobBuilder(settings)),
                collections,
                new VerifyScheduler(new VerifyJobBuilder(settings)),
                new CatalogSync(new CatalogReader(), catalogs, events)),
            settings,
            metrics,
            events,
            clock),
        c -> namespaces(c, settings));
    operator.register(
        new StateSnapshotReconciler(
            new RunObserver<>(BackupReport.class, progress, clock),
            new SnapshotDecider(
                new RunnerJobBuilder(settings), settings.progressInterval(), settings.clusterId()),
            new SnapshotCleaner(storeClients),
            new LostResults(storeClients),
            events,
            metrics,
            catalogs,
            clock,
            settings.clusterId(),
            hooks),
        c -> namespaces(c, settings));
    operator.register(
        new SnapshotScheduleReconciler(
            new ScheduleDecider(settings.schedulePoll()), events, metrics, clock),
        c -> namespaces(c, settings));
    operator.register(
        new RetentionPolicyReconciler(collections, events, clock, settings.retentionInterval()),
        c -> namespaces(c, settings));
    operator.register(
        new StateRestoreReconciler(
            new RunObserver<>(RestoreReport.class, progress, clock),
            new RestoreDecider(
                new RestoreJobBuilder(settings), settings.progressInterval(), settings.clusterId()),
            events,
            metrics,
            catalogs,
            settings.clusterId(),
            bindingModes,
            clock),
        c -> namespaces(c, settings));
    // RestorePolicy: the admission webhook (served by every replica) and the reconciler that
    // reports what it did.
    // The webhook's clock only dates its certificates, which the API server checks against real
    // time: never the
    // schedules' clock (STRATA_CLOCK_FILE moves that one in tests).
    this.restoreWebhook =
        new RestoreWebhook(
            client, settings, WebhookSettings.fromEnv(System.getenv()), Clock.systemUTC());
    operator.register(
        new RestorePolicyReconciler(restoreWebhook, events, clock), c -> namespaces(c, settings));
    this.http =
        new HttpEndpoints(
            settings.httpPort(),
            metrics::scrape,
            () ->
                operator.getRuntimeInfo().isStarted()
                    && operator.getRuntimeInfo().allEventSourcesAreHealthy()
                    && restoreWebhook.ready());
  }

  private static void namespaces(ControllerConfigurationOverrider<?> c, OperatorSettings settings) {
    if (!settings.namespaces().isEmpty()) {
      c.settingNamespaces(settings.namespaces());
    }
  }

  public void start() {
    restoreWebhook.start();
    operator.start();
    if (leaseOwnership != null) {
      leaseOwnership.start();
    }
    LOG.info("strata operator started; metrics and health on port {}", http.port());
  }

  public int httpPort() {
    return http.port();
  }

  public StrataMetrics metrics() {
    return metrics;
  }

  @Override
  public void close() {
    if (leaseOwnership != null) {
      leaseOwnership.close();
    }
    operator.stop();
    bindingModes.close();
    restoreWebhook.close();
    http.close();
    storeClients.close();
    hooks.close();
  }

  /**
   * The kube-system namespace's UID: it names the cluster in source ids when STRATA_CLUSTER_ID
   * (chart value clusterId) is not set. Every cluster has the namespace, and its UID lives as long
   * as the cluster's etcd.
   */
  static String kubeSystemUid(KubernetesClient client) {
    Namespace kubeSystem;
    try {
      kubeSystem = client.namespaces().withName("kube-system").get();
    } catch (KubernetesClientException e) {
      throw new IllegalStateException(
          "cannot read the kube-system namespace, whose UID names this cluster in source ids ("
              + e.getCode()
              + " "
              + e.getMessage()
              + "): set the chart value clusterId (STRATA_CLUSTER_ID), or grant get on namespaces/kube-system",
          e);
    }
    if (kubeSystem == null || kubeSystem.getMetadata().getUid() == null) {
      throw new IllegalStateException(
          "this cluster has no kube-system namespace to name it in source ids: set the chart value clusterId (STRATA_CLUSTER_ID)");
    }
    return kubeSystem.getMetadata().getUid();
  }

  private static String hostname() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "strata-operator";
    }
  }

  public static void main(String[] args) throws Exception {
    OperatorSettings settings = OperatorSettings.fromEnv(System.getenv());
    KubernetesClient client = new KubernetesClientBuilder().build();
    StrataOperator strata =
        new StrataOperator(client, settings, OperatorClock.fromEnv(System.getenv()), o -> {});
    Runtime.getRuntime().addShutdownHook(new Thread(strata::close, "strata-shutdown"));
    try {
      strata.start();
    } catch (RuntimeException e) {
      // A process that cannot reconcile must end, so Kubernetes restarts it instead of keeping a
      // healthy-looking zombie.
      LOG.error("the operator could not start: {}", e.getMessage(), e);
      System.exit(1);
    }
    Thread.currentThread().join();
  }
}
