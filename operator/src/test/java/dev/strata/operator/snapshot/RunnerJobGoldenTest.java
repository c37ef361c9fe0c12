package dev.strata.operator.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.operator.Golden;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Job the operator wants for a StateSnapshot, a SnapshotStore and a pod placement, as YAML. */
class RunnerJobGoldenTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "basic",
        "pinned",
        "encrypted",
        "pod-settings",
        "workload-user",
        "file-owner",
        "platform-user",
        "operator-defaults",
        "web-identity",
        "session-token"
      })
  void jobMatchesGoldenFile(String name) throws IOException {
    Path dir = Golden.ROOT.resolve("snapshot-job");
    JsonNode input =
        Serialization.yamlMapper().readTree(Files.readString(dir.resolve(name + ".input.yaml")));
    StateSnapshot snapshot =
        Serialization.yamlMapper().treeToValue(input.get("snapshot"), StateSnapshot.class);
    SnapshotStore store =
        Serialization.yamlMapper().treeToValue(input.get("store"), SnapshotStore.class);
    Optional<dev.strata.operator.ClaimUser> node = Golden.claimUser(input);

    Job job = new RunnerJobBuilder(Golden.operatorSettings(input)).build(snapshot, store, node);

    Golden.assertMatches(dir.resolve(name + ".job.yaml"), Serialization.asYaml(job));
  }
}
