package dev.strata.operator.verify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.operator.Golden;
import dev.strata.operator.OperatorSettings;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The verification Job the operator wants for a SnapshotStore, as YAML. */
class VerifyJobGoldenTest {

  @ParameterizedTest
  @ValueSource(strings = {"repair"})
  void jobMatchesGoldenFile(String name) throws IOException {
    Path dir = Golden.ROOT.resolve("verify-job");
    JsonNode input =
        Serialization.yamlMapper().readTree(Files.readString(dir.resolve(name + ".input.yaml")));
    SnapshotStore store =
        Serialization.yamlMapper().treeToValue(input.get("store"), SnapshotStore.class);

    Job job =
        new VerifyJobBuilder(OperatorSettings.defaults())
            .build(store, Instant.parse(input.get("when").asText()), input.get("reason").asText());

    Golden.assertMatches(dir.resolve(name + ".job.yaml"), Serialization.asYaml(job));
  }
}
