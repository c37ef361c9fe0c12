package dev.strata.operator.verify;

import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.VerificationSpec;
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
 * The Job that runs {@code strata verify --all} against a store, as its spec.verification says:
 * {@code --read-data} unless turned off, {@code --repair} when asked for. It is never retried
 * (backoffLimit 0): a verification that found damage exits 1 with its report, and running it again
 * would only read every blob again.
 */
public final class VerifyJobBuilder {

  /**
   * One blob in flight per worker, each read whole into memory to be hashed (at most the chunk
   * size, 4 MiB).
   */
  static final ResourceRequirements RESOURCES =
      new ResourceRequirementsBuilder()
          .addToRequests("cpu", new Quantity("250m"))
          .addToRequests("memory", new Quantity("256Mi"))
          .addToLimits("memory", new Quantity("768Mi"))
          .build();

  private final OperatorSettings settings;

  public VerifyJobBuilder(OperatorSettings settings) {
    this.settings = settings;
  }

  /**
   * @param reason why it runs, the Job's {@code strata.dev/reason}: the one its due time gives
   *     ({@link dev.strata.operator.runner.PeriodicRunPlanner.Due}), as for a collection
   */
  public Job build(SnapshotStore store, Instant when, String reason) {
    VerificationSpec v = store.getSpec().verification();
    List<String> extra = new ArrayList<>(List.of("--all"));
    if (!Boolean.FALSE.equals(v.readData())) {
      extra.add("--read-data");
    }
    if (Boolean.TRUE.equals(v.repair())) {
      extra.add("--repair");
    }
    extra.addAll(
        List.of("--parallelism", Integer.toString(v.parallelism() == null ? 8 : v.parallelism())));
    extra.addAll(RunnerArgs.result());
    long deadline = v.activeDeadlineSeconds() == null ? 6 * 3600L : v.activeDeadlineSeconds();
    return StoreRunJob.build(
        settings,
        store,
        new StoreRunJob.Spec(
            "verify", when, reason, List.of("verify"), extra, RESOURCES, deadline, 0));
  }
}
