package dev.strata.operator.app;

import dev.strata.operator.OwnerAnchor;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the operator's Deployment (STRATA_LEASE_OWNER, set by the chart) an owner of the
 * leader-election Lease, which java-operator-sdk creates and Helm knows nothing of: garbage
 * collection then deletes the Lease with the Deployment. Every replica checks now and then (the
 * Lease appears after the first election; the Deployment is re-created by a {@code helm upgrade
 * --force}); a failure is logged and tried again, it never stops the operator.
 */
final class LeaseOwnership implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LeaseOwnership.class);
  static final long PERIOD_SECONDS = 60;

  private final KubernetesClient client;
  private final OwnerAnchor anchor;
  private final String namespace;
  private final String leaseName;
  private final ScheduledExecutorService timer;
  private String lastProblem;

  LeaseOwnership(KubernetesClient client, String namespace, String leaseName, String deployment) {
    this.client = client;
    this.namespace = namespace;
    this.leaseName = leaseName;
    this.anchor = OwnerAnchor.deployment(client, namespace, deployment);
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "strata-lease-owner");
              t.setDaemon(true);
              return t;
            });
  }

  void start() {
    timer.scheduleWithFixedDelay(this::check, 5, PERIOD_SECONDS, TimeUnit.SECONDS);
  }

  void check() {
    try {
      if (anchor.adoptLease(client, leaseName)) {
        LOG.info(
            "{}/{}: the Lease is now owned by {} and is deleted with it",
            namespace,
            leaseName,
            anchor.describe());
      }
      lastProblem = null;
    } catch (RuntimeException e) {
      String problem = e.getMessage();
      if (!problem.equals(lastProblem)) {
        LOG.warn(
            "{}/{}: cannot make {} the Lease's owner (tried again every {} s): {}",
            namespace,
            leaseName,
            anchor.describe(),
            PERIOD_SECONDS,
            problem);
      }
      lastProblem = problem;
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
