package dev.strata.operator.runner;

import dev.strata.api.v1alpha1.SnapshotStoreSpec;
import dev.strata.operator.OperatorSettings;
import dev.strata.operator.RunnerPodTemplate;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * What every runner command gets, whatever it does: how to reach the store, its credentials, how it
 * reports.
 */
public final class RunnerArgs {

  private RunnerArgs() {}

  /** Arguments that say how to reach the store. */
  public static List<String> store(SnapshotStoreSpec store) {
    List<String> args = new ArrayList<>(List.of("--store", store.storeUri()));
    if (store.endpoint() != null && !store.endpoint().isBlank()) {
      args.addAll(List.of("--endpoint", store.endpoint()));
    }
    if (store.region() != null && !store.region().isBlank()) {
      args.addAll(List.of("--region", store.region()));
    }
    if (store.pathStyleOrDefault()) {
      args.add("--path-style");
    }
    if (store.caBundle() != null) {
      args.addAll(
          List.of("--ca-bundle", RunnerPodTemplate.CA_MOUNT + "/" + RunnerPodTemplate.CA_FILE));
    }
    return args;
  }

  /** How long a runner retries a failing store request, when the operator's settings say. */
  public static List<String> retryDeadline(OperatorSettings settings) {
    return settings.runnerRetryDeadline().isZero()
        ? List.of()
        : List.of("--retry-deadline", Long.toString(settings.runnerRetryDeadline().toSeconds()));
  }

  /**
   * The result (a report of the runner's contract, or its error) goes to the termination message.
   */
  public static List<String> result() {
    return List.of("--result-file", RunnerPodTemplate.TERMINATION_LOG, "--json");
  }

  /**
   * The runner's environment: the store's credentials ({@link RunnerCredentials}; secrets only by
   * reference to the store's Secret, never in the Job itself) the JVM's settings, and an encrypted
   * store's key as STRATA_KEY.
   */
  public static List<EnvVar> credentialsEnv(SnapshotStoreSpec store) {
    List<EnvVar> env = new ArrayList<>(RunnerCredentials.env(store));
    env.add(
        new EnvVarBuilder()
            .withName("JAVA_TOOL_OPTIONS")
            .withValue("-XX:MaxRAMPercentage=70 -XX:-UsePerfData -XX:+UseSerialGC")
            .build());
    if (store.encryption() != null && store.encryption().keySecretRef() != null) {
      // An encrypted store's key (store format 2), for every runner that opens the store.
      var key = store.encryption().keySecretRef();
      env.add(
          new EnvVarBuilder()
              .withName("STRATA_KEY")
              .withNewValueFrom()
              .withNewSecretKeyRef(key.key(), key.name(), false)
              .endValueFrom()
              .build());
    }
    return List.copyOf(env);
  }

  /** A backup's or a restore's runner when its spec.runner.resources says nothing. */
  public static ResourceRequirements defaultResources() {
    return new ResourceRequirementsBuilder()
        .addToRequests("cpu", new Quantity("250m"))
        .addToRequests("memory", new Quantity("256Mi"))
        .addToLimits("memory", new Quantity("512Mi"))
        .build();
  }
}
