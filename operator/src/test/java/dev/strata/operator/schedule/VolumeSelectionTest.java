package dev.strata.operator.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.api.v1alpha1.LocalObjectRef;
import dev.strata.api.v1alpha1.SnapshotScheduleSpec;
import dev.strata.api.v1alpha1.SnapshotSource;
import dev.strata.api.v1alpha1.StateSnapshotSpec;
import dev.strata.api.v1alpha1.StatefulSetVolumes;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VolumeSelectionTest {

  static SnapshotScheduleSpec spec(StatefulSetVolumes sts, LabelSelector selector) {
    return new SnapshotScheduleSpec(
        "@daily",
        null,
        new StateSnapshotSpec(
            new SnapshotSource(null, "rocksdb"),
            new LocalObjectRef("minio"),
            null,
            null,
            null,
            null,
            null),
        null,
        null,
        null,
        null,
        null,
        sts,
        selector);
  }

  static StatefulSet sts(int replicas, String... templates) {
    StatefulSetBuilder b =
        new StatefulSetBuilder()
            .withNewMetadata()
            .withName("kafka-streams")
            .endMetadata()
            .withNewSpec()
            .withReplicas(replicas)
            .endSpec();
    for (String t : templates) {
      b.editSpec()
          .addNewVolumeClaimTemplate()
          .withNewMetadata()
          .withName(t)
          .endMetadata()
          .endVolumeClaimTemplate()
          .endSpec();
    }
    return b.build();
  }

  static PersistentVolumeClaim claim(String name, Map<String, String> labels) {
    return new PersistentVolumeClaimBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(labels)
        .endMetadata()
        .build();
  }

  static List<PersistentVolumeClaim> claims(String... names) {
    return java.util.Arrays.stream(names).map(n -> claim(n, Map.of())).toList();
  }

  @Test
  void aStatefulSetSelectsTheClaimsOfItsTemplateForEachReplicaInOrdinalOrder() {
    var s =
        VolumeSelection.select(
            spec(new StatefulSetVolumes("kafka-streams", null), null),
            Optional.of(sts(3, "data")),
            claims(
                "data-kafka-streams-2",
                "data-kafka-streams-0",
                "data-kafka-streams-1",
                "data-kafka-streams-3",
                "other"));
    assertThat(s.problem()).isNull();
    assertThat(s.pvcs())
        .containsExactly("data-kafka-streams-0", "data-kafka-streams-1", "data-kafka-streams-2");
    assertThat(s.missing()).isEmpty();
  }

  @Test
  void aReplicaWhoseClaimIsNotMadeYetIsNamedAsMissing() {
    var s =
        VolumeSelection.select(
            spec(new StatefulSetVolumes("kafka-streams", null), null),
            Optional.of(sts(3, "data")),
            claims("data-kafka-streams-0", "data-kafka-streams-1"));
    assertThat(s.pvcs()).containsExactly("data-kafka-streams-0", "data-kafka-streams-1");
    assertThat(s.missing()).containsExactly("data-kafka-streams-2");
  }

  @Test
  void aStatefulSetWithSeveralTemplatesMustNameOne() {
    var spec = spec(new StatefulSetVolumes("kafka-streams", null), null);
    assertThat(
            VolumeSelection.select(spec, Optional.of(sts(2, "data", "logs")), claims()).problem())
        .isEqualTo(
            "StatefulSet kafka-streams has several volumeClaimTemplates (data, logs): name one in spec.statefulSet.volumeClaimTemplate");
    var logs =
        VolumeSelection.select(
            spec(new StatefulSetVolumes("kafka-streams", "logs"), null),
            Optional.of(sts(2, "data", "logs")),
            claims("logs-kafka-streams-0", "logs-kafka-streams-1", "data-kafka-streams-0"));
    assertThat(logs.pvcs()).containsExactly("logs-kafka-streams-0", "logs-kafka-streams-1");
    assertThat(
            VolumeSelection.select(
                    spec(new StatefulSetVolumes("kafka-streams", "cache"), null),
                    Optional.of(sts(2, "data")),
                    claims())
                .problem())
        .isEqualTo(
            "StatefulSet kafka-streams has no volumeClaimTemplate cache: it has data (spec.statefulSet.volumeClaimTemplate)");
  }

  @Test
  void aMissingStatefulSetOrOneWithoutTemplatesSaysWhatToDo() {
    assertThat(
            VolumeSelection.select(
                    spec(new StatefulSetVolumes("kafka-streams", null), null),
                    Optional.empty(),
                    claims())
                .problem())
        .isEqualTo(
            "StatefulSet kafka-streams does not exist in this namespace (spec.statefulSet.name)");
    assertThat(
            VolumeSelection.select(
                    spec(new StatefulSetVolumes("kafka-streams", null), null),
                    Optional.of(sts(2)),
                    claims())
                .problem())
        .contains("has no volumeClaimTemplates")
        .contains("spec.pvcSelector");
  }

  @Test
  void aSelectorPicksClaimsByTheirOwnLabelsNumericallyOrdered() {
    LabelSelector app =
        new LabelSelectorBuilder().withMatchLabels(Map.of("app", "kafka-streams")).build();
    var s =
        VolumeSelection.select(
            spec(null, app),
            Optional.empty(),
            List.of(
                claim("data-kafka-streams-10", Map.of("app", "kafka-streams")),
                claim("data-kafka-streams-2", Map.of("app", "kafka-streams")),
                claim("data-other-0", Map.of("app", "other")),
                claim("scratch", Map.of())));
    assertThat(s.pvcs()).containsExactly("data-kafka-streams-2", "data-kafka-streams-10");
  }

  @Test
  void anInvalidSelectorNamesTheField() {
    LabelSelector bad =
        new LabelSelectorBuilder()
            .addNewMatchExpression()
            .withKey("app")
            .withOperator("In")
            .endMatchExpression()
            .build();
    assertThat(VolumeSelection.select(spec(null, bad), Optional.empty(), claims()).problem())
        .isEqualTo("spec.pvcSelector.matchExpressions[app]: operator In needs values");
  }

  @Test
  void theSinglePvcFormSelectsTheTemplatesPvc() {
    var single =
        new SnapshotScheduleSpec(
            "@daily",
            null,
            new StateSnapshotSpec(
                new SnapshotSource("data-0", null),
                new LocalObjectRef("minio"),
                null,
                null,
                null,
                null,
                null),
            null,
            null,
            null,
            null,
            null);
    assertThat(VolumeSelection.select(single, Optional.empty(), List.of()).pvcs())
        .containsExactly("data-0");
  }

  @Test
  void groupIdsFitALabelAndMemberNamesAnObjectName() {
    java.time.Instant t = java.time.Instant.parse("2026-11-26T02:00:00Z");
    assertThat(Groups.groupId("nightly", t)).isEqualTo("nightly-20261126-0200");
    String longName = "a-schedule-with-a-name-much-longer-than-any-label-value-could-ever-hold";
    String id = Groups.groupId(longName, t);
    assertThat(id)
        .hasSizeLessThanOrEqualTo(63)
        .endsWith("-20261126-0200")
        .startsWith("a-schedule-with");
    assertThat(Groups.groupId(longName + "x", t)).isNotEqualTo(id);
    assertThat(Groups.memberName("g", "data-0")).isEqualTo("g-data-0");
    assertThat(Groups.memberName("g", "p".repeat(300))).hasSizeLessThanOrEqualTo(253);
  }
}
