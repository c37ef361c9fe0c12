package dev.strata.e2e.support.kubelet;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapKeySelector;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A container's environment as the kubelet builds it: service variables first, then {@code envFrom}
 * in order, then {@code env} in order (later wins), with {@code $(VAR)} expansion against what is
 * defined so far.
 */
public final class EnvResolver {

  private static final Pattern ENV_NAME = Pattern.compile("[-._a-zA-Z][-._a-zA-Z0-9]*");

  private final ObjectLookup lookup;
  private final String hostIp;
  private final Map<String, Quantity> nodeAllocatable;

  public EnvResolver(ObjectLookup lookup, String hostIp, Map<String, Quantity> nodeAllocatable) {
    this.lookup = lookup;
    this.hostIp = hostIp;
    this.nodeAllocatable = nodeAllocatable;
  }

  /**
   * The variables of {@code container}; throws when a non-optional reference cannot be resolved.
   */
  public Map<String, String> resolve(Pod pod, Container container, Map<String, String> serviceEnv)
      throws ContainerConfigException {
    String namespace = pod.getMetadata().getNamespace();
    Map<String, String> env = new LinkedHashMap<>(serviceEnv);
    for (EnvFromSource from : orEmpty(container.getEnvFrom())) {
      String prefix = from.getPrefix() == null ? "" : from.getPrefix();
      Map<String, String> values;
      if (from.getConfigMapRef() != null) {
        String name = from.getConfigMapRef().getName();
        ConfigMap map = lookup.configMap(namespace, name);
        if (map == null) {
          if (Boolean.TRUE.equals(from.getConfigMapRef().getOptional())) {
            continue;
          }
          throw new ContainerConfigException("configmap \"" + name + "\" not found");
        }
        values = configMapValues(map);
      } else if (from.getSecretRef() != null) {
        String name = from.getSecretRef().getName();
        Secret secret = lookup.secret(namespace, name);
        if (secret == null) {
          if (Boolean.TRUE.equals(from.getSecretRef().getOptional())) {
            continue;
          }
          throw new ContainerConfigException("secret \"" + name + "\" not found");
        }
        values = secretValues(secret);
      } else {
        continue;
      }
      values.forEach(
          (key, value) -> {
            String name = prefix + key;
            if (ENV_NAME
                .matcher(name)
                .matches()) { // the kubelet skips keys that are not valid variable names
              env.put(name, value);
            }
          });
    }
    for (EnvVar var : orEmpty(container.getEnv())) {
      String value = value(pod, container, var, env);
      if (value != null) {
        env.put(var.getName(), value);
      }
    }
    return env;
  }

  /**
   * One variable's value; null when an optional reference is absent (the variable is then not set).
   */
  private String value(Pod pod, Container container, EnvVar var, Map<String, String> definedSoFar)
      throws ContainerConfigException {
    EnvVarSource source = var.getValueFrom();
    if (source == null) {
      return VarExpansion.expand(var.getValue() == null ? "" : var.getValue(), definedSoFar);
    }
    String namespace = pod.getMetadata().getNamespace();
    if (source.getFieldRef() != null) {
      return PodFields.field(pod, source.getFieldRef(), hostIp);
    }
    if (source.getResourceFieldRef() != null) {
      return PodFields.resource(container, source.getResourceFieldRef(), nodeAllocatable);
    }
    if (source.getSecretKeyRef() != null) {
      SecretKeySelector ref = source.getSecretKeyRef();
      boolean optional = Boolean.TRUE.equals(ref.getOptional());
      Secret secret = lookup.secret(namespace, ref.getName());
      if (secret == null) {
        return missing(optional, "secret \"" + ref.getName() + "\" not found");
      }
      String value = secretValues(secret).get(ref.getKey());
      return value != null
          ? value
          : missing(
              optional,
              "couldn't find key "
                  + ref.getKey()
                  + " in Secret "
                  + namespace
                  + "/"
                  + ref.getName());
    }
    if (source.getConfigMapKeyRef() != null) {
      ConfigMapKeySelector ref = source.getConfigMapKeyRef();
      boolean optional = Boolean.TRUE.equals(ref.getOptional());
      ConfigMap map = lookup.configMap(namespace, ref.getName());
      if (map == null) {
        return missing(optional, "configmap \"" + ref.getName() + "\" not found");
      }
      String value = configMapValues(map).get(ref.getKey());
      return value != null
          ? value
          : missing(
              optional,
              "couldn't find key "
                  + ref.getKey()
                  + " in ConfigMap "
                  + namespace
                  + "/"
                  + ref.getName());
    }
    throw new ContainerConfigException("unsupported valueFrom for " + var.getName());
  }

  private static String missing(boolean optional, String message) throws ContainerConfigException {
    if (optional) {
      return null;
    }
    throw new ContainerConfigException(message);
  }

  /**
   * Decoded Secret data (stringData is folded into data by the API server, but tolerate it here
   * too).
   */
  public static Map<String, String> secretValues(Secret secret) {
    Map<String, String> values = new LinkedHashMap<>();
    if (secret.getData() != null) {
      secret
          .getData()
          .forEach(
              (k, v) ->
                  values.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    }
    if (secret.getStringData() != null) {
      values.putAll(secret.getStringData());
    }
    return values;
  }

  public static Map<String, String> configMapValues(ConfigMap map) {
    Map<String, String> values = new LinkedHashMap<>();
    if (map.getData() != null) {
      values.putAll(map.getData());
    }
    if (map.getBinaryData() != null) {
      map.getBinaryData()
          .forEach(
              (k, v) ->
                  values.put(k, new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8)));
    }
    return values;
  }

  private static <T> List<T> orEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }
}
