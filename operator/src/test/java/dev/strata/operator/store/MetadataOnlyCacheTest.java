package dev.strata.operator.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The informers that wake a store on a Secret or ConfigMap change keep no data of those objects.
 */
class MetadataOnlyCacheTest {

  private final KubernetesSerialization serialization = new KubernetesSerialization();

  @Test
  void aCachedSecretHasItsNameAndVersionButNoData() {
    ItemStore<Secret> cache = SnapshotStoreReconciler.metadataOnly(Secret.class, serialization);
    Secret secret =
        new SecretBuilder()
            .withNewMetadata()
            .withNamespace("team-a")
            .withName("minio-credentials")
            .withResourceVersion("42")
            .addToLabels("app", "x")
            .endMetadata()
            .withStringData(Map.of("AWS_SECRET_ACCESS_KEY", "s3cr3t"))
            .withData(Map.of("AWS_ACCESS_KEY_ID", "a2V5"))
            .build();
    String key = cache.getKey(secret);
    cache.put(key, secret);

    Secret cached = cache.get(key);
    assertThat(key).isEqualTo("team-a/minio-credentials");
    assertThat(cached.getMetadata().getNamespace()).isEqualTo("team-a");
    assertThat(cached.getMetadata().getName()).isEqualTo("minio-credentials");
    assertThat(cached.getMetadata().getResourceVersion()).isEqualTo("42");
    assertThat(cached.getData()).isNullOrEmpty();
    assertThat(cached.getStringData()).isNullOrEmpty();
    assertThat(cached.getMetadata().getLabels()).isNullOrEmpty();
    assertThat(serialization.asJson(cached)).doesNotContain("s3cr3t").doesNotContain("a2V5");
  }

  @Test
  void aCachedConfigMapHasNoData() {
    ItemStore<ConfigMap> cache =
        SnapshotStoreReconciler.metadataOnly(ConfigMap.class, serialization);
    ConfigMap bundle =
        new ConfigMapBuilder()
            .withNewMetadata()
            .withNamespace("team-a")
            .withName("minio-ca")
            .withResourceVersion("7")
            .endMetadata()
            .withData(Map.of("ca.crt", "-----BEGIN CERTIFICATE-----"))
            .build();
    cache.put(cache.getKey(bundle), bundle);

    ConfigMap cached = cache.get("team-a/minio-ca");
    assertThat(cached.getMetadata().getResourceVersion()).isEqualTo("7");
    assertThat(cached.getData()).isNullOrEmpty();
  }
}
