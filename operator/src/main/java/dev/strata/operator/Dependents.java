package dev.strata.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates what a reconciler owns (runner Jobs, a restore's PVC, a schedule's StateSnapshots) under
 * a deterministic name, once. The informer that watches the kind is told of the new object at once
 * (JOSDK's {@code handleRecentResourceCreate}), so the next reconcile finds it in the cache rather
 * than asking the API server; a 409 means an earlier reconcile, or an operator before a restart,
 * made it, and the informer will bring it. A transient API failure is retried briefly ({@link
 * ApiRetry}) before the reconcile fails.
 */
public final class Dependents {

  private static final Logger LOG = LoggerFactory.getLogger(Dependents.class);

  private Dependents() {}

  /**
   * @param cache the informer of that kind in the calling controller, or null when none watches it
   * @return true when this call created it
   */
  public static <R extends HasMetadata> boolean create(
      KubernetesClient client, R object, HasMetadata owner, InformerEventSource<R, ?> cache) {
    String who = owner.getMetadata().getNamespace() + "/" + owner.getMetadata().getName();
    try {
      // Retried through a hiccup: a create that did land before its answer was lost comes back as a
      // 409 below.
      R created =
          ApiRetry.DEFAULT.call(
              "create " + object.getKind() + " " + object.getMetadata().getName() + " for " + who,
              () -> client.resource(object).create());
      if (cache != null) {
        cache.handleRecentResourceCreate(ResourceID.fromResource(owner), created);
      }
      LOG.info("{}: created {} {}", who, object.getKind(), object.getMetadata().getName());
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      LOG.debug("{}: {} {} exists already", who, object.getKind(), object.getMetadata().getName());
      return false;
    }
  }
}
