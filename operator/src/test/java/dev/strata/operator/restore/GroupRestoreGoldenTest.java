package dev.strata.operator.restore;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.api.v1alpha1.StateRestore;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.operator.Golden;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The StateRestores a group restore creates, one per member, for the group's StateSnapshots and the
 * PVCs that exist, as YAML.
 */
class GroupRestoreGoldenTest {

  @ParameterizedTest
  @ValueSource(strings = {"imported-group"})
  void restoresMatchGoldenFile(String name) throws IOException {
    Path dir = Golden.ROOT.resolve("group-restore");
    JsonNode input =
        Serialization.yamlMapper().readTree(Files.readString(dir.resolve(name + ".input.yaml")));
    StateRestore restore =
        Serialization.yamlMapper().treeToValue(input.get("restore"), StateRestore.class);
    List<StateSnapshot> members = new ArrayList<>();
    for (JsonNode m : input.get("members")) {
      members.add(Serialization.yamlMapper().treeToValue(m, StateSnapshot.class));
    }
    Set<String> claims = new TreeSet<>();
    input.get("existingClaims").forEach(c -> claims.add(c.asText()));

    GroupRestore.Decision d =
        GroupRestore.decide(
            new GroupRestore.Observation(
                restore, members, claims, List.of(), Instant.parse("2026-12-01T08:00:00Z")));

    Golden.assertMatches(dir.resolve(name + ".restores.yaml"), Serialization.asYaml(d.create()));
  }
}
