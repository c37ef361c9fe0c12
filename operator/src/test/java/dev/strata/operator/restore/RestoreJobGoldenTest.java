package dev.strata.operator.restore;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.StateRestore;
import dev.strata.operator.Golden;
import dev.strata.operator.OperatorSettings;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Job the operator wants for a StateRestore, its store, the pinned snapshot and a pod
 * placement, as YAML.
 */
class RestoreJobGoldenTest {

  @ParameterizedTest
  @ValueSource(strings = {"basic", "sync-pinned", "file-owner"})
  void jobMatchesGoldenFile(String name) throws IOException {
    Path dir = Golden.ROOT.resolve("restore-job");
    JsonNode input =
        Serialization.yamlMapper().readTree(Files.readString(dir.resolve(name + ".input.yaml")));
    StateRestore restore =
        Serialization.yamlMapper().treeToValue(input.get("restore"), StateRestore.class);
    SnapshotStore store =
        Serialization.yamlMapper().treeToValue(input.get("store"), SnapshotStore.class);
    Optional<dev.strata.operator.ClaimUser> node = Golden.claimUser(input);

    Job job =
        new RestoreJobBuilder(OperatorSettings.defaults())
            .build(
                restore,
                store,
                input.get("snapshotId").asText(),
                input.get("targetPvc").asText(),
                node);

    Golden.assertMatches(dir.resolve(name + ".job.yaml"), Serialization.asYaml(job));
  }
}
