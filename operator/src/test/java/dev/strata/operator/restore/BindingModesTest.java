package dev.strata.operator.restore;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.storage.StorageClass;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class BindingModesTest {

  static StorageClass sc(String name, String mode, boolean isDefault, String created) {
    var b =
        new StorageClassBuilder()
            .withNewMetadata()
            .withName(name)
            .withCreationTimestamp(created)
            .endMetadata()
            .withProvisioner("example.com/p")
            .withVolumeBindingMode(mode);
    if (isDefault) {
      b.editMetadata().addToAnnotations(BindingModes.DEFAULT_CLASS, "true").endMetadata();
    }
    return b.build();
  }

  static final List<StorageClass> CLASSES =
      List.of(
          sc("standard", "WaitForFirstConsumer", true, "2026-01-01T00:00:00Z"),
          sc("fast", "Immediate", false, "2026-01-01T00:00:00Z"),
          sc("unset", null, false, "2026-01-01T00:00:00Z"));

  @Test
  void theNamedClassDecides() {
    assertThat(BindingModes.bindsOnFirstConsumer("standard", CLASSES)).isTrue();
    assertThat(BindingModes.bindsOnFirstConsumer("fast", CLASSES)).isFalse();
    assertThat(BindingModes.bindsOnFirstConsumer("unset", CLASSES))
        .as("the API server defaults the mode to Immediate")
        .isFalse();
    assertThat(BindingModes.bindsOnFirstConsumer("missing", CLASSES)).isFalse();
  }

  @Test
  void noClassNameMeansTheDefaultClassTheNewestOneIfSeveral() {
    assertThat(BindingModes.bindsOnFirstConsumer(null, CLASSES)).isTrue();
    List<StorageClass> two =
        List.of(CLASSES.get(0), sc("newer", "Immediate", true, "2026-06-01T00:00:00Z"));
    assertThat(BindingModes.bindsOnFirstConsumer(null, two)).isFalse();
    assertThat(BindingModes.bindsOnFirstConsumer(null, List.of(CLASSES.get(1))))
        .as("no default class")
        .isFalse();
  }

  @Test
  void anEmptyClassNameIsNoClassAtAll() {
    assertThat(BindingModes.bindsOnFirstConsumer("", CLASSES)).isFalse();
  }

  @Test
  void unknownClassesBindNothingLate() {
    assertThat(
            BindingModes.UNKNOWN.bindsOnFirstConsumer(
                RestoreDeciderTest.pending("fresh", "standard")))
        .isFalse();
  }
}
