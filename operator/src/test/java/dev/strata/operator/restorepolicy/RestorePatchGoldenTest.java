package dev.strata.operator.restorepolicy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.api.v1alpha1.RestorePolicy;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.operator.Golden;
import dev.strata.operator.OperatorSettings;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.zjsonpatch.JsonPatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The JSON Patch the webhook answers for a pod, a RestorePolicy and a SnapshotStore, and the pod it
 * makes (the patch applied as the API server would apply it), as golden files.
 */
class RestorePatchGoldenTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "statefulset-pod",
        "bare-pod",
        "web-identity-pod",
        "store-runner-pod",
        "file-owner-pod"
      })
  void patchAndMutatedPodMatchGoldenFiles(String name) throws IOException {
    Path dir = Golden.ROOT.resolve("restore-policy");
    JsonNode input =
        Serialization.yamlMapper().readTree(Files.readString(dir.resolve(name + ".input.yaml")));
    Pod pod = Serialization.yamlMapper().treeToValue(input.get("pod"), Pod.class);
    RestorePolicy policy =
        Serialization.yamlMapper().treeToValue(input.get("policy"), RestorePolicy.class);
    SnapshotStore store =
        Serialization.yamlMapper().treeToValue(input.get("store"), SnapshotStore.class);
    PodMutator mutator =
        new PodMutator(
            new FixedLookup().with(policy).with(store),
            new RestoreInitContainerBuilder(OperatorSettings.defaults().withClusterId("prod-eu-1")),
            Set.of());

    PodMutation mutation = mutator.mutate("CREATE", pod.getMetadata().getNamespace(), pod);

    assertThat(mutation.allowed()).isTrue();
    assertThat(mutation.warnings()).isEmpty();
    assertThat(mutation.patch()).isPresent();
    JsonNode patch = mutation.patch().get();
    Golden.assertMatches(
        dir.resolve(name + ".patch.json"),
        Serialization.jsonMapper().writerWithDefaultPrettyPrinter().writeValueAsString(patch)
            + "\n");
    JsonNode mutated = JsonPatch.apply(patch, Serialization.jsonMapper().valueToTree(pod));
    Golden.assertMatches(
        dir.resolve(name + ".pod.yaml"),
        Serialization.asYaml(Serialization.jsonMapper().treeToValue(mutated, Pod.class)));

    // The mutated pod is left alone by a second pass (a reinvocation, or a copy of its spec).
    Pod again = Serialization.jsonMapper().treeToValue(mutated, Pod.class);
    assertThat(mutator.mutate("CREATE", pod.getMetadata().getNamespace(), again).patch()).isEmpty();
  }
}
