package dev.strata.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Source ids with a cluster, without one (made before clusters were named), and strings that name
 * no PVC.
 */
class SourceIdTest {

  @Test
  void anIdWithAClusterAndOneFromBeforeReadBackAsTheyWereWritten() {
    SourceId id = SourceId.of("prod-eu-1", "demo", new SnapshotSource("data-kafka-0", "rocksdb/"));
    assertThat(id.toString()).isEqualTo("prod-eu-1:demo/data-kafka-0/rocksdb");
    assertThat(SourceId.parse(id.toString())).contains(id);
    assertThat(id.legacy().toString()).isEqualTo("demo/data-kafka-0/rocksdb");
    assertThat(SourceId.parse("demo/data-kafka-0/rocksdb"))
        .hasValueSatisfying(
            l -> {
              assertThat(l.isLegacy()).isTrue();
              assertThat(l.sameVolumeAs(id)).isTrue();
            });
    assertThat(SourceId.parse("3f2a1b2c-1d2e-4f50-8a9b-0c1d2e3f4a5b:demo/data/"))
        .hasValueSatisfying(
            u -> {
              assertThat(u.cluster()).isEqualTo("3f2a1b2c-1d2e-4f50-8a9b-0c1d2e3f4a5b");
              assertThat(u.path()).isEmpty();
            });
  }

  @Test
  void aColonInThePathIsPartOfThePathAndNeverReadAsACluster() {
    assertThat(SourceId.parse("demo/data/a:b/c"))
        .hasValueSatisfying(
            l -> {
              assertThat(l.cluster()).isNull();
              assertThat(l.path()).isEqualTo("a:b/c");
            });
    assertThat(SourceId.parse("c1:demo/data/a:b"))
        .hasValueSatisfying(l -> assertThat(l.path()).isEqualTo("a:b"));
  }

  @Test
  void whatNamesNoPvcIsNotASourceId() {
    assertThat(SourceId.parse("/var/lib/app")).isEmpty();
    assertThat(SourceId.parse("demo/data")).isEmpty();
    assertThat(SourceId.parse("Bad_Cluster:demo/data/")).isEmpty();
    assertThat(SourceId.parse("c1:Demo/data/")).isEmpty();
    assertThat(SourceId.parse(null)).isEmpty();
  }
}
