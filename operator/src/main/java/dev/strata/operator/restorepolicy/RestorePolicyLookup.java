package dev.strata.operator.restorepolicy;

import dev.strata.api.v1alpha1.RestorePolicy;
import dev.strata.api.v1alpha1.SnapshotStore;
import java.util.List;
import java.util.Optional;

/**
 * What the webhook needs to know about a namespace, answered from caches so an admission never
 * waits on the API.
 */
public interface RestorePolicyLookup {

  List<RestorePolicy> policies(String namespace);

  Optional<SnapshotStore> store(String namespace, String name);
}
