package dev.strata.e2e.support.kubelet;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;

/** Where Secrets and ConfigMaps referenced by a pod are read from; null when absent. */
public interface ObjectLookup {

  Secret secret(String namespace, String name);

  ConfigMap configMap(String namespace, String name);

  static ObjectLookup of(KubernetesClient client) {
    return new ObjectLookup() {
      @Override
      public Secret secret(String namespace, String name) {
        return client.secrets().inNamespace(namespace).withName(name).get();
      }

      @Override
      public ConfigMap configMap(String namespace, String name) {
        return client.configMaps().inNamespace(namespace).withName(name).get();
      }
    };
  }
}
