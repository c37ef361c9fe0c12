package dev.strata.operator.restore;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.api.v1alpha1.LocalObjectRef;
import dev.strata.api.v1alpha1.RestoreMode;
import dev.strata.api.v1alpha1.RestoreSource;
import dev.strata.api.v1alpha1.SnapshotPhase;
import dev.strata.api.v1alpha1.SnapshotSource;
import dev.strata.api.v1alpha1.StateRestore;
import dev.strata.api.v1alpha1.StateRestoreSpec;
import dev.strata.api.v1alpha1.StateRestoreStatus;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.api.v1alpha1.StateSnapshotSpec;
import dev.strata.api.v1alpha1.StateSnapshotStatus;
import dev.strata.operator.Labels;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GroupRestoreTest {

  static final Instant NOW = Instant.parse("2026-12-01T08:00:00Z");
  static final String GROUP = "nightly-kafka-streams-20261201-0200";

  static StateRestore restore() {
    StateRestore r = new StateRestore();
    r.setMetadata(
        new ObjectMetaBuilder()
            .withName("all-back")
            .withNamespace("apps")
            .withUid("restore-uid")
            .withGeneration(1L)
            .build());
    r.setSpec(
        new StateRestoreSpec(
            new RestoreSource(null, null, null, null, null, GROUP),
            new LocalObjectRef("minio"),
            null,
            RestoreMode.IfEmpty,
            null,
            4,
            null,
            null,
            null));
    return r;
  }

  static StateSnapshot member(int replica, SnapshotPhase phase, String size) {
    Map<String, String> labels = new HashMap<>(Map.of(Labels.GROUP, GROUP));
    if (size != null) {
      labels.put(Labels.GROUP_SIZE, size);
    }
    StateSnapshot s = new StateSnapshot();
    s.setMetadata(
        new ObjectMetaBuilder()
            .withName(GROUP + "-data-kafka-streams-" + replica)
            .withNamespace("apps")
            .withLabels(labels)
            .build());
    s.setSpec(
        new StateSnapshotSpec(
            new SnapshotSource("data-kafka-streams-" + replica, "rocksdb"),
            new LocalObjectRef("minio"),
            null,
            null,
            null,
            null,
            null));
    s.setStatus(
        new StateSnapshotStatus(
            phase, null, null, null, null, null, null, null, null, null, 1L, null));
    return s;
  }

  static List<StateSnapshot> whole() {
    return List.of(
        member(2, SnapshotPhase.Succeeded, "3"),
        member(0, SnapshotPhase.Succeeded, "3"),
        member(1, SnapshotPhase.Succeeded, "3"));
  }

  static StateRestore withPhase(StateRestore child, SnapshotPhase phase) {
    child.setStatus(
        new StateRestoreStatus(
            phase, null, null, null, null, null, null, null, null, null, null, null, 1L, null));
    return child;
  }

  @Test
  void eachMemberGetsARestoreIntoThePvcOfItsNameExistingOrCreated() {
    GroupRestore.Decision d =
        GroupRestore.decide(
            new GroupRestore.Observation(
                restore(), whole(), Set.of("data-kafka-streams-1"), List.of(), NOW));
    assertThat(d.create())
        .extracting(c -> c.getMetadata().getName())
        .containsExactly(
            "all-back-data-kafka-streams-0",
            "all-back-data-kafka-streams-1",
            "all-back-data-kafka-streams-2");
    StateRestore zero = d.create().get(0);
    assertThat(zero.getSpec().source().snapshotName()).isEqualTo(GROUP + "-data-kafka-streams-0");
    assertThat(zero.getSpec().target().claimTemplate().name()).isEqualTo("data-kafka-streams-0");
    assertThat(zero.getSpec().target().path()).isEqualTo("rocksdb");
    assertThat(zero.getSpec().parallelism()).isEqualTo(4);
    assertThat(zero.getMetadata().getLabels()).containsEntry(Labels.GROUP_RESTORE, "all-back");
    assertThat(zero.getMetadata().getOwnerReferences())
        .extracting(o -> o.getUid())
        .containsExactly("restore-uid");
    StateRestore one = d.create().get(1);
    assertThat(one.getSpec().target().pvcName()).isEqualTo("data-kafka-streams-1");
    assertThat(one.getSpec().target().claimTemplate()).isNull();
    assertThat(d.status().phase()).isEqualTo(SnapshotPhase.Running);
    assertThat(d.status().group().members())
        .extracting(m -> m.pvc())
        .containsExactly("data-kafka-streams-0", "data-kafka-streams-1", "data-kafka-streams-2");
    assertThat(d.events()).extracting(e -> e.reason()).containsExactly("Started");
  }

  @Test
  void itEndsWhenEveryMembersRestoreHasAndSaysWhichFailed() {
    StateRestore r = restore();
    List<StateRestore> children = new ArrayList<>();
    for (StateSnapshot m : whole()) {
      children.add(GroupRestore.child(r, m, true));
    }
    withPhase(children.get(0), SnapshotPhase.Succeeded);
    withPhase(children.get(1), SnapshotPhase.Running);
    withPhase(children.get(2), SnapshotPhase.Succeeded);
    GroupRestore.Decision running =
        GroupRestore.decide(new GroupRestore.Observation(r, whole(), Set.of(), children, NOW));
    assertThat(running.create()).isEmpty();
    assertThat(running.status().phase()).isEqualTo(SnapshotPhase.Running);
    assertThat(running.status().message()).isEqualTo("2 of 3 PVCs restored");

    withPhase(children.get(1), SnapshotPhase.Succeeded);
    GroupRestore.Decision done =
        GroupRestore.decide(new GroupRestore.Observation(r, whole(), Set.of(), children, NOW));
    assertThat(done.status().phase()).isEqualTo(SnapshotPhase.Succeeded);
    assertThat(done.status().group().succeeded()).isEqualTo(3);
    assertThat(done.status().completionTime()).isEqualTo(NOW.toString());
    assertThat(done.ended()).isTrue();

    withPhase(children.get(1), SnapshotPhase.Failed);
    GroupRestore.Decision failed =
        GroupRestore.decide(new GroupRestore.Observation(r, whole(), Set.of(), children, NOW));
    assertThat(failed.status().phase()).isEqualTo(SnapshotPhase.Failed);
    assertThat(failed.status().message())
        .startsWith("1 of 3 PVCs failed to restore: ")
        .contains("StateRestore all-back-");
  }

  @Test
  void anIncompleteGroupIsRefusedAndAMissingOneAwaited() {
    List<StateSnapshot> partial =
        List.of(
            member(0, SnapshotPhase.Succeeded, "3"),
            member(1, SnapshotPhase.Failed, "3"),
            member(2, SnapshotPhase.Succeeded, "3"));
    GroupRestore.Decision d =
        GroupRestore.decide(
            new GroupRestore.Observation(restore(), partial, Set.of(), List.of(), NOW));
    assertThat(d.status().phase()).isEqualTo(SnapshotPhase.Failed);
    assertThat(d.create()).isEmpty();
    assertThat(d.status().message())
        .isEqualTo(
            "group "
                + GROUP
                + " is not whole: 2 of 3 members succeeded; restore the members you want one"
                + " by one (source.snapshotName)");
    // Imported: a failed member never reached the bucket, and the size its siblings carry tells.
    GroupRestore.Decision imported =
        GroupRestore.decide(
            new GroupRestore.Observation(
                restore(),
                List.of(
                    member(0, SnapshotPhase.Succeeded, "3"),
                    member(2, SnapshotPhase.Succeeded, "3")),
                Set.of(),
                List.of(),
                NOW));
    assertThat(imported.status().phase()).isEqualTo(SnapshotPhase.Failed);
    GroupRestore.Decision none =
        GroupRestore.decide(
            new GroupRestore.Observation(restore(), List.of(), Set.of(), List.of(), NOW));
    assertThat(none.status().phase()).isEqualTo(SnapshotPhase.Pending);
    assertThat(none.status().message()).contains("kubectl get statesnapshots -L strata.dev/group");
  }

  @Test
  void aGroupTakenInAnotherNamespaceIsRefused() {
    List<StateSnapshot> members = new ArrayList<>(whole());
    members.forEach(m -> m.getMetadata().getLabels().put(Labels.SOURCE_NAMESPACE, "prod"));
    GroupRestore.Decision d =
        GroupRestore.decide(
            new GroupRestore.Observation(restore(), members, Set.of(), List.of(), NOW));
    assertThat(d.status().phase()).isEqualTo(SnapshotPhase.Failed);
    assertThat(d.status().conditions().get(0).getReason()).isEqualTo("TargetMismatch");
  }
}
