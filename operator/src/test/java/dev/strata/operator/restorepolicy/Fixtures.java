package dev.strata.operator.restorepolicy;

import dev.strata.api.v1alpha1.CredentialsSecretRef;
import dev.strata.api.v1alpha1.LocalObjectRef;
import dev.strata.api.v1alpha1.RestoreFailurePolicy;
import dev.strata.api.v1alpha1.RestorePolicy;
import dev.strata.api.v1alpha1.RestorePolicySpec;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.SnapshotStoreSpec;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.Map;

/** Small objects for restore-policy tests. */
final class Fixtures {

  static final String NS = "streams";

  private Fixtures() {}

  static RestorePolicy policy(
      String name,
      LabelSelector selector,
      String volume,
      String path,
      RestoreFailurePolicy failure) {
    RestorePolicy p = new RestorePolicy();
    p.setMetadata(
        new ObjectMetaBuilder().withName(name).withNamespace(NS).withGeneration(1L).build());
    p.setSpec(
        new RestorePolicySpec(
            selector, volume, path, new LocalObjectRef("minio"), null, null, null, failure, null));
    return p;
  }

  static RestorePolicy policy(String name, Map<String, String> matchLabels) {
    return policy(
        name,
        new LabelSelectorBuilder().withMatchLabels(matchLabels).build(),
        "data",
        "rocksdb",
        null);
  }

  static SnapshotStore store() {
    SnapshotStore s = new SnapshotStore();
    s.setMetadata(new ObjectMetaBuilder().withName("minio").withNamespace(NS).build());
    s.setSpec(
        new SnapshotStoreSpec(
            "http://minio:9000",
            "state",
            null,
            null,
            true,
            new CredentialsSecretRef("minio-credentials", null, null),
            null,
            null,
            null));
    return s;
  }

  /** A pod with label app=&lt;app&gt; and a volume "data" on claim &lt;claim&gt;. */
  static Pod pod(String name, String app, String claim) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(NS)
        .addToLabels("app", app)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("app")
        .withImage("example.com/app:1")
        .addNewVolumeMount()
        .withName("data")
        .withMountPath("/data")
        .endVolumeMount()
        .endContainer()
        .addNewVolume()
        .withName("data")
        .withNewPersistentVolumeClaim()
        .withClaimName(claim)
        .endPersistentVolumeClaim()
        .endVolume()
        .endSpec()
        .build();
  }
}
