package dev.strata.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.api.v1alpha1.LocalObjectRef;
import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.api.v1alpha1.SnapshotSource;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.api.v1alpha1.StateSnapshotSpec;
import dev.strata.api.v1alpha1.StateSnapshotStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What the operator hands to server-side apply: its own fields only, never the spec Git owns, no
 * resourceVersion.
 */
class PatchesTest {

  @Test
  void aPatchCarriesTheStatusAndTheMirroredLabelsOnly() {
    StateSnapshot read = new StateSnapshot();
    read.setMetadata(
        new ObjectMetaBuilder()
            .withName("snap")
            .withNamespace("ns")
            .withResourceVersion("42")
            .withUid("uid")
            .withLabels(Map.of("team", "a"))
            .withAnnotations(Map.of("note", "from git"))
            .build());
    read.setSpec(
        new StateSnapshotSpec(
            new SnapshotSource("data", null),
            new LocalObjectRef("minio"),
            2,
            null,
            null,
            null,
            null));
    StateSnapshotStatus status =
        new StateSnapshotStatus(
            SnapshotPhase.Pending,
            "ns/data/",
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            1L,
            "waiting");

    String labelled =
        Serialization.asJson(
            Patches.labelsAndStatus(
                read, StateSnapshot::new, Map.of(Labels.PHASE, "Pending"), status));
    assertThat(labelled)
        .contains(
            "\"name\":\"snap\"",
            "\"namespace\":\"ns\"",
            "\"strata.dev/phase\":\"Pending\"",
            "\"message\":\"waiting\"")
        .doesNotContain("spec", "resourceVersion", "team", "from git", "uid");

    String statusOnly = Serialization.asJson(Patches.status(read, StateSnapshot::new, status));
    assertThat(statusOnly)
        .contains("\"phase\":\"Pending\"")
        .doesNotContain("spec", "labels", "resourceVersion");
  }
}
