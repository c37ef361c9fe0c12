package dev.strata.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.operator.KStatus.State;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class KStatusTest {

  private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");
  private static final Instant T1 = T0.plusSeconds(60);

  private static Map<String, String> statuses(List<Condition> conditions) {
    return conditions.stream().collect(Collectors.toMap(Condition::getType, Condition::getStatus));
  }

  private static Condition get(List<Condition> conditions, String type) {
    return Conditions.find(conditions, type).orElseThrow();
  }

  @Test
  void readyIsCurrent() {
    List<Condition> c =
        KStatus.ready(null, Conditions.TRUE, "Succeeded", "snapshot s: 3 files", 2L, T0);
    assertThat(statuses(c))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("Ready", "True", "Reconciling", "False", "Stalled", "False"));
    assertThat(c).extracting(Condition::getType).containsExactly("Ready", "Reconciling", "Stalled");
    assertThat(c)
        .allSatisfy(
            x -> {
              assertThat(x.getReason()).isEqualTo("Succeeded");
              assertThat(x.getObservedGeneration()).isEqualTo(2L);
            });
    assertThat(get(c, "Ready").getMessage()).isEqualTo("snapshot s: 3 files");
    assertThat(get(c, "Stalled").getMessage()).isEmpty();
  }

  @Test
  void workInProgressAndWaitsTheOperatorRetriesAreReconciling() {
    for (String reason :
        List.of(
            "Running",
            "PreHooks",
            "PVCNotBound",
            "StoreNotChecked",
            "Unreachable",
            "CatalogNotRead",
            "TargetNotBound")) {
      List<Condition> c = KStatus.ready(null, Conditions.FALSE, reason, "why", 1L, T0);
      assertThat(statuses(c))
          .as(reason)
          .containsExactlyInAnyOrderEntriesOf(
              Map.of("Ready", "False", "Reconciling", "True", "Stalled", "False"));
      assertThat(get(c, "Reconciling").getMessage()).isEqualTo("why");
      assertThat(KStatus.state(Conditions.FALSE, reason, false)).isEqualTo(State.IN_PROGRESS);
    }
  }

  @Test
  void whatOnlyAUserCanFixIsStalled() {
    for (String reason :
        List.of(
            "InvalidSchedule",
            "StoreNotFound",
            "PVCNotFound",
            "TargetNotFound",
            "SecretNotFound",
            "InvalidCredentials",
            "AccessDenied",
            "BucketNotFound",
            "InvalidPolicy",
            "WebhookDisabled")) {
      List<Condition> c = KStatus.ready(null, Conditions.FALSE, reason, "fix it", 1L, T0);
      assertThat(statuses(c))
          .as(reason)
          .containsExactlyInAnyOrderEntriesOf(
              Map.of("Ready", "False", "Reconciling", "False", "Stalled", "True"));
      assertThat(get(c, "Stalled").getMessage()).isEqualTo("fix it");
    }
  }

  @Test
  void aFailedRunIsStalledWhateverItsReason() {
    List<Condition> c = KStatus.ended(null, "Unreachable", "the store did not answer", 1L, T0);
    assertThat(statuses(c))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("Ready", "False", "Reconciling", "False", "Stalled", "True"));
    assertThat(KStatus.state(Conditions.FALSE, "RunnerFailed", true)).isEqualTo(State.STALLED);
  }

  @Test
  void transitionTimesMoveOnlyWithTheirOwnStatus() {
    List<Condition> running = KStatus.ready(null, Conditions.FALSE, "Running", "m", 1L, T0);
    List<Condition> stillRunning =
        KStatus.ready(running, Conditions.FALSE, "Running", "m2", 1L, T1);
    assertThat(stillRunning)
        .allSatisfy(c -> assertThat(c.getLastTransitionTime()).isEqualTo(T0.toString()));
    List<Condition> done = KStatus.ready(stillRunning, Conditions.TRUE, "Succeeded", "m3", 1L, T1);
    assertThat(get(done, "Ready").getLastTransitionTime()).isEqualTo(T1.toString());
    assertThat(get(done, "Reconciling").getLastTransitionTime()).isEqualTo(T1.toString());
    assertThat(get(done, "Stalled").getLastTransitionTime())
        .as("False before and after")
        .isEqualTo(T0.toString());
  }

  @Test
  void otherConditionsAreKept() {
    List<Condition> withHealthy =
        Conditions.set(null, "Healthy", Conditions.TRUE, "Verified", "ok", 1L, T0);
    List<Condition> c = KStatus.ready(withHealthy, Conditions.TRUE, "Reachable", "ok", 1L, T1);
    assertThat(c)
        .extracting(Condition::getType)
        .containsExactly("Healthy", "Ready", "Reconciling", "Stalled");
  }
}
