package dev.strata.operator.restorepolicy;

import dev.strata.api.v1alpha1.RestorePolicy;
import dev.strata.api.v1alpha1.SnapshotStore;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RestorePolicies and SnapshotStores of the watched namespaces, from informers of the webhook's
 * own: an admission must answer within its 5 s timeout and should not cost the API server a request
 * per pod. The webhook runs on every replica, the reconcilers only on the leader, so it cannot
 * borrow their caches.
 */
final class InformerPolicyLookup implements RestorePolicyLookup, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(InformerPolicyLookup.class);

  private final KubernetesClient client;
  private final Set<String> namespaces;
  private final List<SharedIndexInformer<RestorePolicy>> policies = new ArrayList<>();
  private final List<SharedIndexInformer<SnapshotStore>> stores = new ArrayList<>();

  InformerPolicyLookup(KubernetesClient client, Set<String> namespaces) {
    this.client = client;
    this.namespaces = namespaces;
  }

  /**
   * Starts the informers and waits until they have listed everything; after a failure, a later call
   * starts over.
   */
  synchronized void start() {
    if (!policies.isEmpty()) {
      return;
    }
    List<SharedIndexInformer<RestorePolicy>> newPolicies = new ArrayList<>();
    List<SharedIndexInformer<SnapshotStore>> newStores = new ArrayList<>();
    try {
      if (namespaces.isEmpty()) {
        newPolicies.add(client.resources(RestorePolicy.class).inAnyNamespace().inform());
        newStores.add(client.resources(SnapshotStore.class).inAnyNamespace().inform());
      } else {
        for (String ns : namespaces) {
          newPolicies.add(client.resources(RestorePolicy.class).inNamespace(ns).inform());
          newStores.add(client.resources(SnapshotStore.class).inNamespace(ns).inform());
        }
      }
    } catch (RuntimeException e) {
      newPolicies.forEach(SharedIndexInformer::close);
      newStores.forEach(SharedIndexInformer::close);
      throw e;
    }
    stores.addAll(newStores);
    policies.addAll(newPolicies);
    LOG.info(
        "restore webhook caches synced ({} RestorePolicies)",
        policies.stream().mapToInt(i -> i.getStore().list().size()).sum());
  }

  @Override
  public List<RestorePolicy> policies(String namespace) {
    return policies.stream()
        .flatMap(i -> i.getStore().list().stream())
        .filter(p -> namespace.equals(p.getMetadata().getNamespace()))
        .toList();
  }

  @Override
  public Optional<SnapshotStore> store(String namespace, String name) {
    // From the cache only (the operator may not read single stores): a store created less than a
    // moment before a pod
    // is missed, and the pod is handled as its policy's failurePolicy says for a missing store (a
    // refused pod's
    // controller creates it again, by then with the store cached).
    return byKey(stores, namespace, name);
  }

  /**
   * The generation of a policy as the webhook sees it, so the reconciler can tell when the webhook
   * applies it.
   */
  Optional<Long> policyGeneration(String namespace, String name) {
    return byKey(policies, namespace, name).map(p -> p.getMetadata().getGeneration());
  }

  private static <T extends HasMetadata> Optional<T> byKey(
      List<SharedIndexInformer<T>> informers, String namespace, String name) {
    for (SharedIndexInformer<T> informer : informers) {
      T found = informer.getStore().getByKey(namespace + "/" + name);
      if (found != null) {
        return Optional.of(found);
      }
    }
    return Optional.empty();
  }

  @Override
  public synchronized void close() {
    policies.forEach(SharedIndexInformer::close);
    stores.forEach(SharedIndexInformer::close);
  }
}
