package dev.strata.operator.restorepolicy;

import dev.strata.api.v1alpha1.RestoreFailurePolicy;
import dev.strata.api.v1alpha1.RestorePolicy;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.operator.LabelSelectors;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Decides what the webhook does with a pod being created: the RestorePolicies of its namespace
 * whose selector matches its labels and whose volume it has as a PVC volume; the first of them by
 * name adds the restore init container (one policy per pod; others that also match are named in a
 * warning). Pods no policy selects, pods that already have the init container, and anything but
 * CREATE pass unchanged.
 */
public final class PodMutator {

  private final RestorePolicyLookup lookup;
  private final RestoreInitContainerBuilder builder;
  private final Set<String> watchedNamespaces;

  public PodMutator(
      RestorePolicyLookup lookup,
      RestoreInitContainerBuilder builder,
      Set<String> watchedNamespaces) {
    this.lookup = lookup;
    this.builder = builder;
    this.watchedNamespaces = watchedNamespaces;
  }

  public PodMutation mutate(String operation, String namespace, Pod pod) {
    if (!"CREATE".equals(operation) || pod == null || pod.getSpec() == null) {
      return PodMutation.unchanged(List.of());
    }
    if (!watchedNamespaces.isEmpty() && !watchedNamespaces.contains(namespace)) {
      return PodMutation.unchanged(List.of());
    }
    if (pod.getSpec().getInitContainers() != null
        && pod.getSpec().getInitContainers().stream()
            .anyMatch(c -> RestorePolicyPods.INIT_CONTAINER.equals(c.getName()))) {
      return PodMutation.unchanged(
          List.of()); // already mutated: a reinvocation, or a spec copied from a mutated pod
    }
    List<String> warnings = new ArrayList<>();
    RestorePolicy chosen = null;
    PodSource source = null;
    List<RestorePolicy> candidates =
        lookup.policies(namespace).stream()
            .filter(p -> p.getMetadata().getDeletionTimestamp() == null && p.getSpec() != null)
            .filter(
                p ->
                    LabelSelectors.matches(
                        p.getSpec().podSelector(), pod.getMetadata().getLabels()))
            .sorted(Comparator.comparing(p -> p.getMetadata().getName()))
            .toList();
    for (RestorePolicy policy : candidates) {
      Optional<PodSource> found;
      try {
        found = PodSource.of(pod, namespace, builder.clusterId(), policy.getSpec());
      } catch (PodSource.Unusable e) {
        warnings.add(
            "RestorePolicy "
                + policy.getMetadata().getName()
                + ": "
                + e.getMessage()
                + "; the pod is not restored");
        continue;
      }
      if (found.isEmpty()) {
        continue;
      }
      if (chosen == null) {
        chosen = policy;
        source = found.get();
      } else {
        warnings.add(
            "RestorePolicy "
                + policy.getMetadata().getName()
                + " also selects this pod; only "
                + chosen.getMetadata().getName()
                + " applies (one RestorePolicy per pod)");
      }
    }
    if (chosen == null) {
      return PodMutation.unchanged(warnings);
    }
    String policyName = chosen.getMetadata().getName();
    String storeName = chosen.getSpec().storeRef().name();
    Optional<SnapshotStore> store = lookup.store(namespace, storeName);
    if (store.isEmpty() || store.get().getSpec() == null) {
      String problem =
          "RestorePolicy "
              + policyName
              + ": SnapshotStore "
              + storeName
              + " does not exist in namespace "
              + namespace;
      if (chosen.getSpec().failurePolicyOrDefault() == RestoreFailurePolicy.Fail) {
        // The pod would start without its state, which failurePolicy Fail forbids; its controller
        // retries the create.
        return PodMutation.denied(
            problem
                + ": the pod would start without restoring "
                + source.sourceId()
                + " (failurePolicy Fail); create the store, or set failurePolicy: Continue",
            warnings,
            policyName);
      }
      warnings.add(problem + ": the pod starts without a restore (failurePolicy Continue)");
      return PodMutation.unchanged(warnings);
    }
    RestoreInjection injection = builder.build(pod, chosen, store.get(), source);
    return PodMutation.patched(
        PodPatch.of(pod, injection), warnings, policyName, source.sourceId());
  }
}
