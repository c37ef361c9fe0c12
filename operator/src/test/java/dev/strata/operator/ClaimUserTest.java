package dev.strata.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClaimUserTest {

  static Pod pod(
      String name,
      String claim,
      String phase,
      Long podUid,
      Long containerUid,
      Long fsGroup,
      boolean runner) {
    PodBuilder b =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .endMetadata()
            .withNewSpec()
            .withNodeName("node-" + name)
            .withNewSecurityContext()
            .withRunAsUser(podUid)
            .withRunAsGroup(podUid)
            .withFsGroup(fsGroup)
            .endSecurityContext()
            .addNewContainer()
            .withName("sidecar")
            .endContainer()
            .addNewContainer()
            .withName("app")
            .withNewSecurityContext()
            .withRunAsUser(containerUid)
            .endSecurityContext()
            .addNewVolumeMount()
            .withName("state")
            .withMountPath("/data")
            .endVolumeMount()
            .endContainer()
            .addNewVolume()
            .withName("state")
            .withNewPersistentVolumeClaim()
            .withClaimName(claim)
            .endPersistentVolumeClaim()
            .endVolume()
            .endSpec()
            .withNewStatus()
            .withPhase(phase)
            .endStatus();
    if (runner) {
      b.editMetadata().addToLabels(Labels.NAME, Labels.RUNNER).endMetadata();
    }
    return b.build();
  }

  @Test
  void theContainerMountingTheClaimDecidesTheUserAndThePodTheGroupAndFsGroup() {
    List<Pod> pods =
        List.of(
            pod("done", "data", "Succeeded", 5L, 5L, 5L, false),
            pod("other", "other-claim", "Running", 6L, 6L, 6L, false),
            pod("runner", "data", "Running", 7L, 7L, 7L, true),
            pod("app", "data", "Running", 1000L, 1001L, 3000L, false));
    assertThat(ClaimUser.find(pods, "data"))
        .contains(new ClaimUser("node-app", 1001L, 1000L, 3000L));
  }

  @Test
  void withoutAContainerUserThePodsUserCountsAndNobodyMeansEmpty() {
    assertThat(
            ClaimUser.find(
                List.of(pod("app", "data", "Pending", 1000L, null, null, false)), "data"))
        .contains(new ClaimUser("node-app", 1000L, 1000L, null));
    assertThat(
            ClaimUser.find(List.of(pod("app", "data", "Failed", 1000L, null, null, false)), "data"))
        .isEmpty();
  }
}
