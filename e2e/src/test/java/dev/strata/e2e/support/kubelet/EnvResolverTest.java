package dev.strata.e2e.support.kubelet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvResolverTest {

  private final Map<String, Secret> secrets = new HashMap<>();
  private final Map<String, ConfigMap> configMaps = new HashMap<>();
  private final ObjectLookup lookup =
      new ObjectLookup() {
        @Override
        public Secret secret(String namespace, String name) {
          return secrets.get(namespace + "/" + name);
        }

        @Override
        public ConfigMap configMap(String namespace, String name) {
          return configMaps.get(namespace + "/" + name);
        }
      };
  private final EnvResolver resolver =
      new EnvResolver(
          lookup, "127.0.0.1", Map.of("memory", new Quantity("16Gi"), "cpu", new Quantity("4")));

  @Test
  void envFromThenEnvWithLaterEntriesWinning() throws Exception {
    secrets.put(
        "ns/creds",
        secret(
            "creds",
            Map.of(
                "AWS_ACCESS_KEY_ID",
                "id",
                "AWS_SECRET_ACCESS_KEY",
                "key",
                "not a valid name",
                "skipped")));
    configMaps.put(
        "ns/settings",
        new ConfigMapBuilder()
            .withNewMetadata()
            .withName("settings")
            .endMetadata()
            .withData(Map.of("MODE", "from-configmap", "LEVEL", "3"))
            .build());
    Container container =
        new ContainerBuilder()
            .withName("c")
            .addNewEnvFrom()
            .withNewSecretRef()
            .withName("creds")
            .endSecretRef()
            .endEnvFrom()
            .addNewEnvFrom()
            .withPrefix("CFG_")
            .withNewConfigMapRef()
            .withName("settings")
            .endConfigMapRef()
            .endEnvFrom()
            .addNewEnv()
            .withName("CFG_MODE")
            .withValue("overridden")
            .endEnv()
            .build();
    Map<String, String> env =
        resolver.resolve(pod(container), container, Map.of("KUBERNETES_SERVICE_HOST", "h"));
    assertThat(env)
        .containsEntry("AWS_ACCESS_KEY_ID", "id")
        .containsEntry("AWS_SECRET_ACCESS_KEY", "key")
        .containsEntry("CFG_MODE", "overridden")
        .containsEntry("CFG_LEVEL", "3")
        .containsEntry("KUBERNETES_SERVICE_HOST", "h")
        .doesNotContainKey("not a valid name");
  }

  @Test
  void valueFromSecretConfigMapAndFields() throws Exception {
    secrets.put("ns/creds", secret("creds", Map.of("password", "s3cr3t")));
    configMaps.put(
        "ns/settings",
        new ConfigMapBuilder()
            .withNewMetadata()
            .withName("settings")
            .endMetadata()
            .withData(Map.of("endpoint", "http://minio"))
            .build());
    Container container =
        new ContainerBuilder()
            .withName("c")
            .addNewEnv()
            .withName("PASSWORD")
            .withNewValueFrom()
            .withNewSecretKeyRef("password", "creds", false)
            .endValueFrom()
            .endEnv()
            .addNewEnv()
            .withName("ENDPOINT")
            .withNewValueFrom()
            .withNewConfigMapKeyRef("endpoint", "settings", false)
            .endValueFrom()
            .endEnv()
            .addNewEnv()
            .withName("POD")
            .withNewValueFrom()
            .withNewFieldRef()
            .withFieldPath("metadata.name")
            .endFieldRef()
            .endValueFrom()
            .endEnv()
            .addNewEnv()
            .withName("NS")
            .withNewValueFrom()
            .withNewFieldRef()
            .withFieldPath("metadata.namespace")
            .endFieldRef()
            .endValueFrom()
            .endEnv()
            .addNewEnv()
            .withName("NODE")
            .withNewValueFrom()
            .withNewFieldRef()
            .withFieldPath("spec.nodeName")
            .endFieldRef()
            .endValueFrom()
            .endEnv()
            .addNewEnv()
            .withName("APP")
            .withNewValueFrom()
            .withNewFieldRef()
            .withFieldPath("metadata.labels['app']")
            .endFieldRef()
            .endValueFrom()
            .endEnv()
            .addNewEnv()
            .withName("MEM_MI")
            .withNewValueFrom()
            .withNewResourceFieldRef()
            .withResource("limits.memory")
            .withDivisor(new Quantity("1Mi"))
            .endResourceFieldRef()
            .endValueFrom()
            .endEnv()
            .build();
    Map<String, String> env = resolver.resolve(pod(container), container, Map.of());
    assertThat(env)
        .containsEntry("PASSWORD", "s3cr3t")
        .containsEntry("ENDPOINT", "http://minio")
        .containsEntry("POD", "runner-1")
        .containsEntry("NS", "ns")
        .containsEntry("NODE", "node-a")
        .containsEntry("APP", "state")
        .containsEntry("MEM_MI", "16384");
  }

  @Test
  void expansionUsesVariablesDefinedEarlier() throws Exception {
    Container container =
        new ContainerBuilder()
            .withName("c")
            .addNewEnv()
            .withName("BUCKET")
            .withValue("snapshots")
            .endEnv()
            .addNewEnv()
            .withName("STORE")
            .withValue("s3://$(BUCKET)/$(NS)/$(LATER)$$(BUCKET)")
            .endEnv()
            .addNewEnv()
            .withName("LATER")
            .withValue("x")
            .endEnv()
            .build();
    Map<String, String> env = resolver.resolve(pod(container), container, Map.of("NS", "prod"));
    assertThat(env).containsEntry("STORE", "s3://snapshots/prod/$(LATER)$(BUCKET)");
  }

  @Test
  void missingRequiredReferencesFailAndOptionalOnesAreSkipped() throws Exception {
    Container required =
        new ContainerBuilder()
            .withName("c")
            .addNewEnv()
            .withName("K")
            .withNewValueFrom()
            .withNewSecretKeyRef("k", "absent", false)
            .endValueFrom()
            .endEnv()
            .build();
    assertThatThrownBy(() -> resolver.resolve(pod(required), required, Map.of()))
        .isInstanceOf(ContainerConfigException.class)
        .hasMessageContaining("secret \"absent\" not found");

    secrets.put("ns/present", secret("present", Map.of("other", "v")));
    Container missingKey =
        new ContainerBuilder()
            .withName("c")
            .addNewEnv()
            .withName("K")
            .withNewValueFrom()
            .withNewSecretKeyRef("k", "present", false)
            .endValueFrom()
            .endEnv()
            .build();
    assertThatThrownBy(() -> resolver.resolve(pod(missingKey), missingKey, Map.of()))
        .hasMessageContaining("couldn't find key k in Secret ns/present");

    Container optional =
        new ContainerBuilder()
            .withName("c")
            .addNewEnv()
            .withName("K")
            .withNewValueFrom()
            .withNewSecretKeyRef("k", "absent", true)
            .endValueFrom()
            .endEnv()
            .addNewEnvFrom()
            .withNewConfigMapRef()
            .withName("absent")
            .withOptional(true)
            .endConfigMapRef()
            .endEnvFrom()
            .build();
    assertThat(resolver.resolve(pod(optional), optional, Map.of())).doesNotContainKey("K");
  }

  @Test
  void varExpansionFollowsKubernetesRules() {
    Map<String, String> vars = new LinkedHashMap<>(Map.of("A", "1", "B", "two"));
    assertThat(VarExpansion.expand("$(A)-$(B)", vars)).isEqualTo("1-two");
    assertThat(VarExpansion.expand("$(MISSING)", vars)).isEqualTo("$(MISSING)");
    assertThat(VarExpansion.expand("$$(A)", vars)).isEqualTo("$(A)");
    assertThat(VarExpansion.expand("$(A", vars)).isEqualTo("$(A");
    assertThat(VarExpansion.expand("cost $5 and $", vars)).isEqualTo("cost $5 and $");
    assertThat(VarExpansion.expand("plain", vars)).isEqualTo("plain");
  }

  private static Pod pod(Container container) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("runner-1")
        .withNamespace("ns")
        .withUid("uid-1")
        .addToLabels("app", "state")
        .endMetadata()
        .withNewSpec()
        .withNodeName("node-a")
        .withContainers(container)
        .endSpec()
        .build();
  }

  private static Secret secret(String name, Map<String, String> values) {
    Map<String, String> data = new LinkedHashMap<>();
    values.forEach(
        (k, v) ->
            data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
    return new SecretBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withData(data)
        .build();
  }
}
