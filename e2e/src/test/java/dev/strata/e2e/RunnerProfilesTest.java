package dev.strata.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.StateRestore;
import dev.strata.api.v1alpha1.StateSnapshot;
import dev.strata.e2e.support.ControlPlane;
import dev.strata.e2e.support.Examples;
import dev.strata.e2e.support.TestNamespace;
import dev.strata.e2e.support.Waits;
import dev.strata.e2e.support.node.RealClusterExtension;
import dev.strata.e2e.support.node.RealNode;
import dev.strata.engine.report.BackupReport;
import dev.strata.engine.report.RestoreReport;
import dev.strata.engine.report.RunError;
import dev.strata.operator.ClaimUser;
import dev.strata.operator.OperatorSettings;
import dev.strata.operator.restore.RestoreJobBuilder;
import dev.strata.operator.runner.RunnerOutcome;
import dev.strata.operator.snapshot.RunnerJobBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The runner profiles on a real node (issue 14), with the Jobs exactly as the operator builds them:
 * files of another user (2000) at 0600 in a 0700 directory. FileOwner backs them up and restores
 * them with their owner and modes; Restricted as an unrelated user cannot read them and says which
 * file; Restricted finds the user of the pod that uses the volume and reads them as that user.
 */
@ExtendWith(RealClusterExtension.class)
class RunnerProfilesTest {

  static final int OWNER = 2000;

  static Path appFiles(ControlPlane plane, RealNode node, TestNamespace ns) throws IOException {
    Examples.apply(plane, ns.name(), "store-credentials.yaml").assertSuccess();
    OperatorSnapshotTest.claim(plane.client(), ns, "state");
    Path volume = node.hostPathOf(ns.name(), "state");
    Path dir = Files.createDirectories(volume.resolve("private"));
    Files.write(dir.resolve("key"), OperatorSnapshotTest.random(14, 300_000));
    Files.writeString(volume.resolve("public.txt"), "anyone may read this");
    for (Path p : List.of(volume, dir, dir.resolve("key"), volume.resolve("public.txt"))) {
      Files.setAttribute(p, "unix:uid", OWNER, LinkOption.NOFOLLOW_LINKS);
      Files.setAttribute(p, "unix:gid", OWNER, LinkOption.NOFOLLOW_LINKS);
    }
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    Files.setPosixFilePermissions(dir.resolve("key"), PosixFilePermissions.fromString("rw-------"));
    return volume;
  }

  static SnapshotStore store(TestNamespace ns, String profile) {
    String runner = profile == null ? "" : "\n  runner:\n    profile: " + profile;
    SnapshotStore store =
        Serialization.unmarshal(Examples.read("snapshot-store.yaml") + runner, SnapshotStore.class);
    store.getMetadata().setNamespace(ns.name());
    store.getMetadata().setUid(UUID.randomUUID().toString());
    return store;
  }

  static <R> RunnerOutcome<R> run(KubernetesClient client, Job job, Class<R> report) {
    job.getMetadata()
        .setOwnerReferences(List.of()); // no StateSnapshot object: the Job stands alone
    client.batch().v1().jobs().inNamespace(job.getMetadata().getNamespace()).resource(job).create();
    List<RunnerOutcome<R>> outcome = new java.util.ArrayList<>();
    Waits.until(
        "runner Job " + job.getMetadata().getName(),
        Duration.ofMinutes(3),
        Duration.ofMillis(500),
        () -> {
          RunnerOutcome.fromPods(
                  client
                      .pods()
                      .inNamespace(job.getMetadata().getNamespace())
                      .withLabel("job-name", job.getMetadata().getName())
                      .list()
                      .getItems(),
                  report)
              .ifPresent(outcome::add);
          return !outcome.isEmpty();
        });
    return outcome.get(0);
  }

  static String error(RunnerOutcome<?> outcome) {
    return outcome.succeeded() ? "" : outcome.failure().message();
  }

  static StateSnapshot snapshot(TestNamespace ns, String name) {
    return Serialization.unmarshal(
        """
        apiVersion: strata.dev/v1alpha1
        kind: StateSnapshot
        metadata: {name: %s, namespace: %s, uid: %s}
        spec:
          source: {pvcName: state}
          storeRef: {name: minio}
        """
            .formatted(name, ns.name(), UUID.randomUUID()),
        StateSnapshot.class);
  }

  @Test
  void fileOwnerBacksUpAnotherUsersPrivateFilesAndRestoresTheirOwnersAndModes(
      ControlPlane plane, RealNode node, TestNamespace ns) throws IOException {
    KubernetesClient client = plane.client();
    Path volume = appFiles(plane, node, ns);
    SnapshotStore store = store(ns, "FileOwner");
    RunnerOutcome<BackupReport> backup =
        run(
            client,
            new RunnerJobBuilder(OperatorSettings.defaults())
                .build(snapshot(ns, "owner"), store, Optional.empty()),
            BackupReport.class);
    assertThat(backup.succeeded()).as(error(backup)).isTrue();
    assertThat(backup.report().orElseThrow().files()).isEqualTo(2);

    OperatorSnapshotTest.claim(client, ns, "copy");
    StateRestore restore =
        Serialization.unmarshal(
            """
        apiVersion: strata.dev/v1alpha1
        kind: StateRestore
        metadata: {name: back, namespace: %s, uid: %s}
        spec:
          source: {snapshotName: owner}
          target: {pvcName: copy}
        """
                .formatted(ns.name(), UUID.randomUUID()),
            StateRestore.class);
    RunnerOutcome<RestoreReport> restored =
        run(
            client,
            new RestoreJobBuilder(OperatorSettings.defaults())
                .build(
                    restore,
                    store,
                    backup.report().orElseThrow().snapshotId(),
                    "copy",
                    Optional.empty()),
            RestoreReport.class);
    assertThat(restored.succeeded()).as(error(restored)).isTrue();

    Path copy = node.hostPathOf(ns.name(), "copy");
    assertThat(copy.resolve("private/key")).hasSameBinaryContentAs(volume.resolve("private/key"));
    for (String file : List.of("private", "private/key", "public.txt")) {
      assertThat(Files.getAttribute(copy.resolve(file), "unix:uid")).as(file).isEqualTo(OWNER);
      assertThat(Files.getAttribute(copy.resolve(file), "unix:gid")).as(file).isEqualTo(OWNER);
    }
    assertThat(
            PosixFilePermissions.toString(Files.getPosixFilePermissions(copy.resolve("private"))))
        .isEqualTo("rwx------");
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(copy.resolve("private/key"))))
        .isEqualTo("rw-------");
  }

  @Test
  void restrictedAsAnotherUserCannotReadThemAndSaysWhichFile(
      ControlPlane plane, RealNode node, TestNamespace ns) throws IOException {
    appFiles(plane, node, ns);
    RunnerOutcome<BackupReport> backup =
        run(
            plane.client(),
            new RunnerJobBuilder(OperatorSettings.defaults())
                .build(snapshot(ns, "stranger"), store(ns, null), Optional.empty()),
            BackupReport.class);
    assertThat(backup.succeeded()).isFalse();
    assertThat(backup.failure().message()).contains("private");
    assertThat(backup.failure().cause()).isEqualTo(RunError.Cause.VOLUME_ERROR);
  }

  @Test
  void restrictedRunsAsTheUserOfThePodThatUsesTheVolume(
      ControlPlane plane, RealNode node, TestNamespace ns) throws IOException {
    KubernetesClient client = plane.client();
    appFiles(plane, node, ns);
    client
        .pods()
        .inNamespace(ns.name())
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName("app")
                .endMetadata()
                .withNewSpec()
                .withNewSecurityContext()
                .withRunAsUser((long) OWNER)
                .withRunAsGroup((long) OWNER)
                .withFsGroup((long) OWNER)
                .endSecurityContext()
                .addNewContainer()
                .withName("app")
                .withImage("strata.local/pause:1")
                .withImagePullPolicy("Never")
                .addNewVolumeMount()
                .withName("data")
                .withMountPath("/data")
                .endVolumeMount()
                .endContainer()
                .addNewVolume()
                .withName("data")
                .withNewPersistentVolumeClaim()
                .withClaimName("state")
                .endPersistentVolumeClaim()
                .endVolume()
                .endSpec()
                .build())
        .create();
    Waits.until(
        "the app pod running",
        Duration.ofMinutes(2),
        Duration.ofMillis(300),
        () ->
            "Running"
                .equals(
                    client
                        .pods()
                        .inNamespace(ns.name())
                        .withName("app")
                        .get()
                        .getStatus()
                        .getPhase()));
    Optional<ClaimUser> user =
        ClaimUser.find(client.pods().inNamespace(ns.name()).list().getItems(), "state");
    assertThat(user)
        .contains(new ClaimUser(RealNode.NODE_NAME, (long) OWNER, (long) OWNER, (long) OWNER));
    RunnerOutcome<BackupReport> backup =
        run(
            client,
            new RunnerJobBuilder(OperatorSettings.defaults())
                .build(snapshot(ns, "as-the-app"), store(ns, null), user),
            BackupReport.class);
    assertThat(backup.succeeded()).as(error(backup)).isTrue();
    assertThat(backup.report().orElseThrow().files()).isEqualTo(2);
  }

  /**
   * The Pod Security levels docs/operations.md promises, checked by the API server's PodSecurity
   * admission with the runner pods exactly as built: Restricted passes "restricted"; FileOwner is
   * refused there and passes "baseline".
   */
  @Test
  void restrictedMeetsTheRestrictedLevelAndFileOwnerTheBaselineLevel(
      ControlPlane plane, TestNamespace ns) {
    KubernetesClient client = plane.client();
    Job restricted =
        new RunnerJobBuilder(OperatorSettings.defaults())
            .build(
                snapshot(ns, "r"),
                store(ns, null),
                Optional.of(new ClaimUser("strata-node", 1000L, 1000L, 1000L)));
    Job fileOwner =
        new RunnerJobBuilder(OperatorSettings.defaults())
            .build(snapshot(ns, "f"), store(ns, "FileOwner"), Optional.empty());
    for (String level : List.of("restricted", "baseline")) {
      client
          .namespaces()
          .withName(ns.name())
          .edit(
              n -> {
                n.getMetadata().getLabels().put("pod-security.kubernetes.io/enforce", level);
                return n;
              });
      assertThat(admitted(client, ns, restricted)).as("Restricted under " + level).isNull();
      String refusal = admitted(client, ns, fileOwner);
      if (level.equals("restricted")) {
        assertThat(refusal)
            .as("FileOwner under restricted")
            .contains("violates PodSecurity \"restricted");
      } else {
        assertThat(refusal).as("FileOwner under baseline").isNull();
      }
    }
  }

  /** Null when the API server would admit the Job's pod (a dry run), else its refusal. */
  static String admitted(KubernetesClient client, TestNamespace ns, Job job) {
    io.fabric8.kubernetes.api.model.Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withGenerateName("dry-")
            .endMetadata()
            .withSpec(job.getSpec().getTemplate().getSpec())
            .build();
    try {
      client.pods().inNamespace(ns.name()).resource(pod).dryRun().create();
      return null;
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      return e.getMessage();
    }
  }
}
