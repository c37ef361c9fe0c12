package dev.strata.operator.gc;

import dev.strata.api.v1alpha1.GarbageCollectionSpec;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.operator.OperatorSettings;
import dev.strata.operator.runner.RunnerArgs;
import dev.strata.operator.runner.StoreRunJob;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The Job that runs {@code strata gc} against a store: the same locked-down runner pod as a backup,
 * without a volume. Named after the store and the minute it was asked for, so two reconciles in
 * that minute create it once.
 */
public final class GcJobBuilder {

  /** Marking and deleting hold the store's whole listing in memory: more than a backup needs. */
  static final ResourceRequirements RESOURCES =
      new ResourceRequirementsBuilder()
          .addToRequests("cpu", new Quantity("100m"))
          .addToRequests("memory", new Quantity("256Mi"))
          .addToLimits("memory", new Quantity("768Mi"))
          .build();

  /**
   * The collector's deadline when spec.gc.activeDeadlineSeconds does not say (the CRD's default).
   */
  static final long DEFAULT_DEADLINE_SECONDS = 6 * 3600L;

  private final OperatorSettings settings;

  public GcJobBuilder(OperatorSettings settings) {
    this.settings = settings;
  }

  public static String grace(SnapshotStore store) {
    GarbageCollectionSpec gc = store.getSpec().gc();
    return gc == null || gc.gracePeriod() == null ? "6h" : gc.gracePeriod();
  }

  public Job build(SnapshotStore store, Instant when, String reason) {
    List<String> extra = new ArrayList<>(List.of("--grace", grace(store)));
    extra.addAll(RunnerArgs.result());
    GarbageCollectionSpec gc = store.getSpec().gc();
    if (gc != null && Boolean.TRUE.equals(gc.allowShortGracePeriod())) {
      extra.add("--allow-short-grace");
    }
    long deadline =
        gc == null || gc.activeDeadlineSeconds() == null
            ? DEFAULT_DEADLINE_SECONDS
            : gc.activeDeadlineSeconds();
    return StoreRunJob.build(
        settings,
        store,
        new StoreRunJob.Spec("gc", when, reason, List.of("gc"), extra, RESOURCES, deadline, 1));
  }
}
