package dev.strata.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Golden files: the expected output lives next to the input under src/test/resources/golden. Run
 * the tests with {@code -Dgolden.update=true} to rewrite them after an intended change, then review
 * the diff.
 */
public final class Golden {
  public static final Path ROOT = Path.of("src/test/resources/golden");

  private Golden() {}

  public static void assertMatches(Path expected, String actual) throws IOException {
    if (Boolean.getBoolean("golden.update") || !Files.exists(expected)) {
      Files.writeString(expected, actual);
      if (!Boolean.getBoolean("golden.update")) {
        throw new AssertionError(
            "wrote the missing golden file " + expected + ": review it and run again");
      }
    }
    assertThat(actual)
        .as("%s (rerun with -Dgolden.update=true to accept a change)", expected)
        .isEqualTo(Files.readString(expected));
  }

  /**
   * The operator's settings from the input's {@code operatorEnv} (its STRATA_* environment), else
   * the defaults.
   */
  public static OperatorSettings operatorSettings(com.fasterxml.jackson.databind.JsonNode input) {
    java.util.Map<String, String> env = new java.util.HashMap<>();
    if (input.hasNonNull("operatorEnv")) {
      input
          .get("operatorEnv")
          .fields()
          .forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
    }
    // Golden Jobs name a cluster, as an operator resolves one at start-up (from the chart or
    // kube-system's UID).
    env.putIfAbsent("STRATA_CLUSTER_ID", "prod-eu-1");
    return OperatorSettings.fromEnv(env);
  }

  /**
   * The input's pod that uses the volume: {@code user} (node, runAsUser, runAsGroup, fsGroup), or
   * just a {@code node}.
   */
  public static java.util.Optional<dev.strata.operator.ClaimUser> claimUser(
      com.fasterxml.jackson.databind.JsonNode input) throws java.io.IOException {
    if (input.hasNonNull("user")) {
      return java.util.Optional.of(
          io.fabric8.kubernetes.client.utils.Serialization.yamlMapper()
              .treeToValue(input.get("user"), dev.strata.operator.ClaimUser.class));
    }
    return input.hasNonNull("node")
        ? java.util.Optional.of(dev.strata.operator.ClaimUser.onNode(input.get("node").asText()))
        : java.util.Optional.empty();
  }
}
