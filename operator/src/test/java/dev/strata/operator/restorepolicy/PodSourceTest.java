package dev.strata.operator.restorepolicy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.api.v1alpha1.LocalObjectRef;
import dev.strata.api.v1alpha1.RestorePolicySpec;
import dev.strata.api.v1alpha1.SnapshotSource;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

/** A pod's source is its own PVC, named exactly as snapshots of that PVC name theirs. */
class PodSourceTest {

  static RestorePolicySpec spec(String volume, String path, String sourcePath) {
    return new RestorePolicySpec(
        new LabelSelector(),
        volume,
        path,
        new LocalObjectRef("minio"),
        sourcePath,
        null,
        null,
        null,
        null);
  }

  @Test
  void eachReplicaRestoresItsOwnClaimsSnapshots() throws Exception {
    // A StatefulSet's pods carry their claim (<template>-<set>-<ordinal>) in their own spec.
    Pod replica0 = Fixtures.pod("kafka-streams-0", "kafka-streams", "data-kafka-streams-0");
    Pod replica1 = Fixtures.pod("kafka-streams-1", "kafka-streams", "data-kafka-streams-1");
    PodSource s0 =
        PodSource.of(replica0, "streams", "c1", spec("data", "rocksdb", null)).orElseThrow();
    PodSource s1 =
        PodSource.of(replica1, "streams", "c1", spec("data", "rocksdb", null)).orElseThrow();
    assertThat(s0.claimName()).isEqualTo("data-kafka-streams-0");
    assertThat(s0.sourceId())
        .isEqualTo(new SnapshotSource("data-kafka-streams-0", "rocksdb").sourceId("c1", "streams"))
        .isEqualTo("c1:streams/data-kafka-streams-0/rocksdb");
    assertThat(s0.formerSourceId()).isEqualTo("streams/data-kafka-streams-0/rocksdb");
    assertThat(s1.sourceId()).isEqualTo("c1:streams/data-kafka-streams-1/rocksdb");
  }

  @Test
  void sourcePathDefaultsToPathAndIsNormalisedAsSnapshotsAre() throws Exception {
    Pod pod = Fixtures.pod("p", "a", "claim");
    assertThat(
            PodSource.of(pod, "ns", "c1", spec("data", "rocksdb/", null)).orElseThrow().sourceId())
        .isEqualTo(new SnapshotSource("claim", "rocksdb/").sourceId("c1", "ns"))
        .isEqualTo("c1:ns/claim/rocksdb");
    assertThat(
            PodSource.of(pod, "ns", "c1", spec("data", "restored", "state//db"))
                .orElseThrow()
                .sourceId())
        .isEqualTo("c1:ns/claim/state/db");
    assertThat(PodSource.of(pod, "ns", "c1", spec("data", null, null)).orElseThrow().sourceId())
        .isEqualTo(new SnapshotSource("claim", null).sourceId("c1", "ns"))
        .isEqualTo("c1:ns/claim/");
  }

  @Test
  void noSuchVolumeMeansNotApplicableAndAReadOnlyOrNonPvcVolumeIsUnusable() throws Exception {
    Pod pod = Fixtures.pod("p", "a", "claim");
    assertThat(PodSource.of(pod, "ns", "c1", spec("state", null, null))).isEmpty();
    Pod readOnly =
        new PodBuilder(pod)
            .editSpec()
            .editFirstVolume()
            .editPersistentVolumeClaim()
            .withReadOnly(true)
            .endPersistentVolumeClaim()
            .endVolume()
            .endSpec()
            .build();
    assertThatThrownBy(() -> PodSource.of(readOnly, "ns", "c1", spec("data", null, null)))
        .hasMessageContaining("read-only");
    Pod ephemeral =
        new PodBuilder(pod)
            .editSpec()
            .withVolumes()
            .addNewVolume()
            .withName("data")
            .withNewEphemeral()
            .endEphemeral()
            .endVolume()
            .endSpec()
            .build();
    assertThatThrownBy(() -> PodSource.of(ephemeral, "ns", "c1", spec("data", null, null)))
        .hasMessageContaining("not a persistentVolumeClaim volume");
  }
}
