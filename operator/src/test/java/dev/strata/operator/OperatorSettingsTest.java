package dev.strata.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.build.BuildInfo;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * STRATA_RUNNER_UID and STRATA_RUNNER_DEFAULTS as the chart writes them, and the errors that say
 * what to fix.
 */
class OperatorSettingsTest {

  /**
   * Outside the chart (which sets STRATA_RUNNER_IMAGE from its appVersion), the operator starts
   * runners of its own release: the tag is the build's version without -SNAPSHOT.
   */
  @Test
  void theDefaultRunnerImageIsTaggedWithTheBuildsVersion() {
    assertThat(OperatorSettings.DEFAULT_RUNNER_IMAGE)
        .isEqualTo("ghcr.io/strata-dev/strata-runner:" + BuildInfo.releaseVersion());
    assertThat(BuildInfo.releaseVersion()).doesNotContain("SNAPSHOT").isNotEqualTo("unknown");
  }

  @Test
  void anEmptyRunnerUidLeavesTheUserToThePlatform() {
    assertThat(OperatorSettings.fromEnv(Map.of()).runnerUid()).isEqualTo(65532L);
    assertThat(OperatorSettings.fromEnv(Map.of("STRATA_RUNNER_UID", "10001")).runnerUid())
        .isEqualTo(10001L);
    assertThat(OperatorSettings.fromEnv(Map.of("STRATA_RUNNER_UID", "")).runnerUid()).isNull();
    assertThatThrownBy(() -> OperatorSettings.fromEnv(Map.of("STRATA_RUNNER_UID", "0")))
        .hasMessageContaining("runner.uid) must be a non-root user id, not 0")
        .hasMessageContaining("leave it empty");
  }

  @Test
  void runnerDefaultsAreTheJsonOfASpecRunnerWithoutUserProfileOrResources() {
    assertThat(OperatorSettings.fromEnv(Map.of()).runnerDefaults())
        .isEqualTo(OperatorSettings.defaults().runnerDefaults());
    assertThat(OperatorSettings.defaults().runnerDefaults().tolerations()).isNull();
    var d =
        OperatorSettings.fromEnv(
                Map.of(
                    "STRATA_RUNNER_DEFAULTS",
                    "{\"priorityClassName\":\"backup\",\"labels\":{\"team\":\"platform\"},\"imagePullSecrets\":[{\"name\":\"mirror\"}]}"))
            .runnerDefaults();
    assertThat(d.priorityClassName()).isEqualTo("backup");
    assertThat(d.labels()).isEqualTo(Map.of("team", "platform"));
    assertThat(d.imagePullSecrets()).extracting(s -> s.getName()).containsExactly("mirror");

    assertThatThrownBy(
            () ->
                OperatorSettings.fromEnv(Map.of("STRATA_RUNNER_DEFAULTS", "{\"runAsUser\":1000}")))
        .hasMessageContaining("runner.podDefaults) takes tolerations")
        .hasMessageContaining("set the user with runner.uid");
    assertThatThrownBy(
            () ->
                OperatorSettings.fromEnv(
                    Map.of("STRATA_RUNNER_DEFAULTS", "{\"profile\":\"FileOwner\"}")))
        .hasMessageContaining("the profile and resources per SnapshotStore");
    assertThatThrownBy(
            () -> OperatorSettings.fromEnv(Map.of("STRATA_RUNNER_DEFAULTS", "{tolerations: [")))
        .hasMessageContaining("is not the JSON of a runner spec");
  }
}
