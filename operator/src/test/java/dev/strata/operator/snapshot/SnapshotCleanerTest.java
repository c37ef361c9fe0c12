package dev.strata.operator.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.api.v1alpha1.DeletionPolicy;
import dev.strata.api.v1alpha1.StateSnapshot;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SnapshotCleanerTest {

  @Test
  void theRetainAnnotationOverridesTheSpecsDeletionPolicy() {
    StateSnapshot s = SnapshotDeciderTest.snapshot(null);
    assertThat(SnapshotCleaner.policy(s)).isEqualTo(DeletionPolicy.Delete);
    s.getMetadata().setAnnotations(Map.of("strata.dev/deletion-policy", "Delete"));
    assertThat(SnapshotCleaner.policy(s)).isEqualTo(DeletionPolicy.Delete);
    s.getMetadata().setAnnotations(Map.of("strata.dev/deletion-policy", "Retain"));
    assertThat(SnapshotCleaner.policy(s)).isEqualTo(DeletionPolicy.Retain);
  }
}
