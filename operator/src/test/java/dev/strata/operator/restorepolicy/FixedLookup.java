package dev.strata.operator.restorepolicy;

import dev.strata.api.v1alpha1.RestorePolicy;
import dev.strata.api.v1alpha1.SnapshotStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** An in-memory lookup for tests. */
final class FixedLookup implements RestorePolicyLookup {

  final List<RestorePolicy> policies = new ArrayList<>();
  final List<SnapshotStore> stores = new ArrayList<>();

  FixedLookup with(RestorePolicy policy) {
    policies.add(policy);
    return this;
  }

  FixedLookup with(SnapshotStore store) {
    stores.add(store);
    return this;
  }

  @Override
  public List<RestorePolicy> policies(String namespace) {
    return policies.stream().filter(p -> namespace.equals(p.getMetadata().getNamespace())).toList();
  }

  @Override
  public Optional<SnapshotStore> store(String namespace, String name) {
    return stores.stream()
        .filter(
            s ->
                namespace.equals(s.getMetadata().getNamespace())
                    && name.equals(s.getMetadata().getName()))
        .findFirst();
  }
}
