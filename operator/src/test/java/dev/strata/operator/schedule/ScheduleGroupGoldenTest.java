package dev.strata.operator.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.api.v1alpha1.SnapshotSchedule;
import dev.strata.operator.Golden;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The StateSnapshots a grouped schedule's due run creates, for a schedule, its StatefulSet and the
 * namespace's PVCs, as YAML.
 */
class ScheduleGroupGoldenTest {

  @ParameterizedTest
  @ValueSource(strings = {"statefulset", "selector"})
  void runMatchesGoldenFile(String name) throws IOException {
    Path dir = Golden.ROOT.resolve("schedule-group");
    JsonNode input =
        Serialization.yamlMapper().readTree(Files.readString(dir.resolve(name + ".input.yaml")));
    SnapshotSchedule schedule =
        Serialization.yamlMapper().treeToValue(input.get("schedule"), SnapshotSchedule.class);
    Optional<StatefulSet> sts =
        input.hasNonNull("statefulSet")
            ? Optional.of(
                Serialization.yamlMapper().treeToValue(input.get("statefulSet"), StatefulSet.class))
            : Optional.empty();
    List<PersistentVolumeClaim> claims = new ArrayList<>();
    for (JsonNode c : input.get("claims")) {
      claims.add(Serialization.yamlMapper().treeToValue(c, PersistentVolumeClaim.class));
    }

    ScheduleDecision d =
        new ScheduleDecider(Duration.ofSeconds(60))
            .decide(
                schedule,
                List.of(),
                VolumeSelection.select(schedule.getSpec(), sts, claims),
                Instant.parse(input.get("now").asText()));

    Golden.assertMatches(dir.resolve(name + ".snapshots.yaml"), Serialization.asYaml(d.create()));
  }
}
