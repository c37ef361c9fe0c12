package dev.strata.operator.runner;

import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.TransferProgress;
import java.util.Optional;

/**
 * Where a running runner's live counters are read: the store it publishes them to (it never talks
 * to Kubernetes).
 */
@FunctionalInterface
public interface ProgressSource {

  /** The counters, never 100% before the run has committed; empty when not (yet) readable. */
  Optional<TransferProgress> read(SnapshotStore store, String progressObject);
}
