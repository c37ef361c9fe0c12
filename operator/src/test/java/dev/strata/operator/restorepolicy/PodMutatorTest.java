package dev.strata.operator.restorepolicy;

import static dev.strata.operator.restorepolicy.Fixtures.NS;
import static dev.strata.operator.restorepolicy.Fixtures.pod;
import static dev.strata.operator.restorepolicy.Fixtures.policy;
import static dev.strata.operator.restorepolicy.Fixtures.store;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.api.v1alpha1.RestoreFailurePolicy;
import dev.strata.operator.OperatorSettings;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Which pods the webhook mutates, which it leaves alone, and what it says about those it cannot
 * restore.
 */
class PodMutatorTest {

  final FixedLookup lookup = new FixedLookup().with(store());
  final PodMutator mutator =
      new PodMutator(
          lookup, new RestoreInitContainerBuilder(OperatorSettings.defaults()), Set.of());

  @Test
  void aSelectedPodWithThePvcVolumeGetsTheInitContainerFirstAndItsOwnSource() {
    lookup.with(policy("kafka", Map.of("app", "kafka-streams")));
    Pod pod =
        new PodBuilder(pod("kafka-streams-1", "kafka-streams", "data-kafka-streams-1"))
            .editSpec()
            .addNewInitContainer()
            .withName("setup")
            .withImage("busybox")
            .endInitContainer()
            .endSpec()
            .build();

    PodMutation m = mutator.mutate("CREATE", NS, pod);

    assertThat(m.allowed()).isTrue();
    assertThat(m.policy()).isEqualTo("kafka");
    assertThat(m.sourceId()).isEqualTo("streams/data-kafka-streams-1/rocksdb");
    JsonNode first = m.patch().orElseThrow().get(0);
    assertThat(first.get("path").asText()).isEqualTo("/spec/initContainers/0");
    assertThat(first.get("value").get("name").asText()).isEqualTo("strata-restore");
  }

  @Test
  void podsNoPolicySelectsArePassedUnchanged() {
    lookup.with(policy("kafka", Map.of("app", "kafka-streams")));
    PodMutation m = mutator.mutate("CREATE", NS, pod("web-0", "web", "data-web-0"));
    assertThat(m.allowed()).isTrue();
    assertThat(m.patch()).isEmpty();
    assertThat(m.warnings()).isEmpty();
  }

  @Test
  void aSelectedPodWithoutTheVolumeIsNotMutated() {
    lookup.with(
        policy(
            "kafka",
            new LabelSelectorBuilder().withMatchLabels(Map.of("app", "kafka-streams")).build(),
            "state",
            null,
            null));
    assertThat(
            mutator
                .mutate(
                    "CREATE", NS, pod("kafka-streams-0", "kafka-streams", "data-kafka-streams-0"))
                .patch())
        .isEmpty();
  }

  @Test
  void aVolumeThatIsNotAPvcIsNotRestoredAndAWarningSaysWhy() {
    lookup.with(policy("kafka", Map.of("app", "kafka-streams")));
    Pod pod =
        new PodBuilder(pod("kafka-streams-0", "kafka-streams", "x"))
            .editSpec()
            .withVolumes()
            .addNewVolume()
            .withName("data")
            .withNewEmptyDir()
            .endEmptyDir()
            .endVolume()
            .endSpec()
            .build();
    PodMutation m = mutator.mutate("CREATE", NS, pod);
    assertThat(m.patch()).isEmpty();
    assertThat(m.warnings())
        .singleElement()
        .asString()
        .contains("RestorePolicy kafka")
        .contains("not a persistentVolumeClaim volume");
  }

  @Test
  void onlyCreateIsMutatedAndAPodThatHasTheInitContainerIsLeftAlone() {
    lookup.with(policy("kafka", Map.of("app", "kafka-streams")));
    Pod pod = pod("kafka-streams-0", "kafka-streams", "data-kafka-streams-0");
    assertThat(mutator.mutate("UPDATE", NS, pod).patch()).isEmpty();
    Pod already =
        new PodBuilder(pod)
            .editSpec()
            .addNewInitContainer()
            .withName("strata-restore")
            .withImage("x")
            .endInitContainer()
            .endSpec()
            .build();
    assertThat(mutator.mutate("CREATE", NS, already).patch()).isEmpty();
  }

  @Test
  void twoMatchingPoliciesTheFirstByNameAppliesAndTheOtherIsNamedInAWarning() {
    lookup.with(policy("zeta", Map.of("app", "kafka-streams"))).with(policy("alpha", Map.of()));
    PodMutation m =
        mutator.mutate(
            "CREATE", NS, pod("kafka-streams-0", "kafka-streams", "data-kafka-streams-0"));
    assertThat(m.policy()).isEqualTo("alpha");
    assertThat(m.warnings())
        .singleElement()
        .asString()
        .contains("RestorePolicy zeta also selects this pod; only alpha applies");
  }

  @Test
  void aMissingStoreRefusesThePodUnderFailAndOnlyWarnsUnderContinue() {
    FixedLookup noStore = new FixedLookup().with(policy("kafka", Map.of("app", "kafka-streams")));
    PodMutator strict =
        new PodMutator(
            noStore, new RestoreInitContainerBuilder(OperatorSettings.defaults()), Set.of());
    PodMutation refused =
        strict.mutate(
            "CREATE", NS, pod("kafka-streams-0", "kafka-streams", "data-kafka-streams-0"));
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.denial())
        .contains("SnapshotStore minio does not exist")
        .contains("failurePolicy Fail");

    FixedLookup lenient =
        new FixedLookup()
            .with(
                policy(
                    "kafka",
                    new LabelSelectorBuilder()
                        .withMatchLabels(Map.of("app", "kafka-streams"))
                        .build(),
                    "data",
                    null,
                    RestoreFailurePolicy.Continue));
    PodMutation allowed =
        new PodMutator(
                lenient, new RestoreInitContainerBuilder(OperatorSettings.defaults()), Set.of())
            .mutate("CREATE", NS, pod("kafka-streams-0", "kafka-streams", "data-kafka-streams-0"));
    assertThat(allowed.allowed()).isTrue();
    assertThat(allowed.patch()).isEmpty();
    assertThat(allowed.warnings()).singleElement().asString().contains("starts without a restore");
  }

  @Test
  void podsOfNamespacesTheOperatorDoesNotWatchAreLeftAlone() {
    lookup.with(policy("kafka", Map.of("app", "kafka-streams")));
    PodMutator scoped =
        new PodMutator(
            lookup, new RestoreInitContainerBuilder(OperatorSettings.defaults()), Set.of("other"));
    assertThat(
            scoped
                .mutate(
                    "CREATE", NS, pod("kafka-streams-0", "kafka-streams", "data-kafka-streams-0"))
                .patch())
        .isEmpty();
  }

  @Test
  void thePodsOwnUserRunsTheRestoreButNeverRoot() {
    lookup.with(policy("kafka", Map.of("app", "kafka-streams")));
    Pod appUser =
        new PodBuilder(pod("kafka-streams-0", "kafka-streams", "data-kafka-streams-0"))
            .editSpec()
            .editFirstContainer()
            .withNewSecurityContext()
            .withRunAsUser(1001L)
            .endSecurityContext()
            .endContainer()
            .endSpec()
            .build();
    JsonNode sc =
        mutator
            .mutate("CREATE", NS, appUser)
            .patch()
            .orElseThrow()
            .get(0)
            .get("value")
            .get(0)
            .get("securityContext");
    assertThat(sc.get("runAsUser").asLong()).isEqualTo(1001);
    assertThat(sc.has("runAsGroup")).isFalse();
    assertThat(sc.get("runAsNonRoot").asBoolean()).isTrue();

    Pod root =
        new PodBuilder(pod("kafka-streams-1", "kafka-streams", "data-kafka-streams-1"))
            .editSpec()
            .withNewSecurityContext()
            .withRunAsUser(0L)
            .endSecurityContext()
            .endSpec()
            .build();
    JsonNode rootSc =
        mutator
            .mutate("CREATE", NS, root)
            .patch()
            .orElseThrow()
            .get(0)
            .get("value")
            .get(0)
            .get("securityContext");
    assertThat(rootSc.get("runAsUser").asLong()).isEqualTo(OperatorSettings.defaults().runnerUid());
  }

  @Test
  void withoutARunnerUserTheRestoreNamesNoUserAndThePlatformAssignsThePodsOwn() {
    lookup.with(policy("kafka", Map.of("app", "kafka-streams")));
    // On OpenShift (the chart's openshift: true) STRATA_RUNNER_UID is empty; the restricted SCC
    // gives the pod its uid.
    PodMutator platform =
        new PodMutator(
            lookup,
            new RestoreInitContainerBuilder(
                OperatorSettings.fromEnv(Map.of("STRATA_RUNNER_UID", ""))),
            Set.of());
    JsonNode sc =
        platform
            .mutate("CREATE", NS, pod("kafka-streams-0", "kafka-streams", "data-kafka-streams-0"))
            .patch()
            .orElseThrow()
            .get(0)
            .get("value")
            .get(0)
            .get("securityContext");
    assertThat(sc.has("runAsUser")).isFalse();
    assertThat(sc.has("runAsGroup")).isFalse();
    assertThat(sc.get("runAsNonRoot").asBoolean()).isTrue();
    assertThat(sc.get("readOnlyRootFilesystem").asBoolean()).isTrue();
  }
}
