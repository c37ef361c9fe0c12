package dev.strata.e2e.support.kubelet;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.DownwardAPIVolumeFile;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a pod's volumes into host directories: claims into their volume's hostPath, emptyDirs into
 * fresh directories, and Secret, ConfigMap, downward-API and projected volumes (service-account
 * tokens included) into files written under the pod's directory.
 */
final class PodVolumes {

  private final KubernetesClient client;
  private final VolumeProvisioner provisioner;
  private final ObjectLookup lookup;
  private final String hostIp;

  PodVolumes(
      KubernetesClient client, VolumeProvisioner provisioner, ObjectLookup lookup, String hostIp) {
    this.client = client;
    this.provisioner = provisioner;
    this.lookup = lookup;
    this.hostIp = hostIp;
  }

  /** Volume name to host directory; throws while any volume cannot be set up yet. */
  Map<String, Path> prepare(Pod pod, Path podDir) throws VolumeNotReadyException, IOException {
    Map<String, Path> paths = new LinkedHashMap<>();
    String namespace = pod.getMetadata().getNamespace();
    for (Volume volume : orEmpty(pod.getSpec().getVolumes())) {
      Path dir = podDir.resolve("volumes").resolve(volume.getName());
      if (volume.getPersistentVolumeClaim() != null) {
        paths.put(
            volume.getName(),
            claimPath(namespace, volume.getPersistentVolumeClaim().getClaimName()));
      } else if (volume.getEphemeral() != null) {
        // The ephemeral-volume controller names the claim <pod>-<volume>.
        paths.put(
            volume.getName(),
            claimPath(namespace, pod.getMetadata().getName() + "-" + volume.getName()));
      } else if (volume.getEmptyDir() != null) {
        Files.createDirectories(dir);
        paths.put(volume.getName(), dir);
      } else if (volume.getHostPath() != null) {
        Path host = Path.of(volume.getHostPath().getPath());
        if ("DirectoryOrCreate".equals(volume.getHostPath().getType())) {
          Files.createDirectories(host);
        }
        if (!Files.exists(host)) {
          throw new VolumeNotReadyException("hostPath " + host + " does not exist");
        }
        paths.put(volume.getName(), host);
      } else if (volume.getSecret() != null) {
        Secret secret = lookup.secret(namespace, volume.getSecret().getSecretName());
        if (secret == null && !Boolean.TRUE.equals(volume.getSecret().getOptional())) {
          throw new VolumeNotReadyException(
              "secret \"" + volume.getSecret().getSecretName() + "\" not found");
        }
        Map<String, String> values = secret == null ? Map.of() : EnvResolver.secretValues(secret);
        writeItems(dir, values, volume.getSecret().getItems(), volume.getSecret().getDefaultMode());
        paths.put(volume.getName(), dir);
      } else if (volume.getConfigMap() != null) {
        ConfigMap map = lookup.configMap(namespace, volume.getConfigMap().getName());
        if (map == null && !Boolean.TRUE.equals(volume.getConfigMap().getOptional())) {
          throw new VolumeNotReadyException(
              "configmap \"" + volume.getConfigMap().getName() + "\" not found");
        }
        Map<String, String> values = map == null ? Map.of() : EnvResolver.configMapValues(map);
        writeItems(
            dir, values, volume.getConfigMap().getItems(), volume.getConfigMap().getDefaultMode());
        paths.put(volume.getName(), dir);
      } else if (volume.getDownwardAPI() != null) {
        writeDownward(pod, dir, volume.getDownwardAPI().getItems());
        paths.put(volume.getName(), dir);
      } else if (volume.getProjected() != null) {
        writeProjected(pod, dir, volume.getProjected().getSources());
        paths.put(volume.getName(), dir);
      } else {
        throw new VolumeNotReadyException(
            "volume " + volume.getName() + " has a type the stand-in cannot mount");
      }
    }
    return paths;
  }

  private Path claimPath(String namespace, String claimName) throws VolumeNotReadyException {
    PersistentVolumeClaim claim =
        client.persistentVolumeClaims().inNamespace(namespace).withName(claimName).get();
    if (claim == null) {
      throw new VolumeNotReadyException("persistentvolumeclaim \"" + claimName + "\" not found");
    }
    Path path = provisioner.boundPath(claim);
    if (path == null) {
      throw new VolumeNotReadyException("persistentvolumeclaim \"" + claimName + "\" is not bound");
    }
    return path;
  }

  private void writeProjected(Pod pod, Path dir, List<VolumeProjection> sources)
      throws VolumeNotReadyException, IOException {
    String namespace = pod.getMetadata().getNamespace();
    Files.createDirectories(dir);
    for (VolumeProjection source : orEmpty(sources)) {
      if (source.getServiceAccountToken() != null) {
        String audience = source.getServiceAccountToken().getAudience();
        Long seconds = source.getServiceAccountToken().getExpirationSeconds();
        TokenRequest request =
            new TokenRequestBuilder()
                .withNewSpec()
                .withAudiences(
                    audience == null || audience.isEmpty() ? List.of() : List.of(audience))
                .withExpirationSeconds(seconds == null ? 3607L : seconds)
                .withNewBoundObjectRef()
                .withApiVersion("v1")
                .withKind("Pod")
                .withName(pod.getMetadata().getName())
                .withUid(pod.getMetadata().getUid())
                .endBoundObjectRef()
                .endSpec()
                .build();
        String account =
            pod.getSpec().getServiceAccountName() == null
                ? "default"
                : pod.getSpec().getServiceAccountName();
        TokenRequest answer =
            client.serviceAccounts().inNamespace(namespace).withName(account).tokenRequest(request);
        write(
            dir.resolve(source.getServiceAccountToken().getPath()),
            answer.getStatus().getToken(),
            null);
      } else if (source.getConfigMap() != null) {
        ConfigMap map = lookup.configMap(namespace, source.getConfigMap().getName());
        if (map == null && !Boolean.TRUE.equals(source.getConfigMap().getOptional())) {
          throw new VolumeNotReadyException(
              "configmap \"" + source.getConfigMap().getName() + "\" not found");
        }
        writeItems(
            dir,
            map == null ? Map.of() : EnvResolver.configMapValues(map),
            source.getConfigMap().getItems(),
            null);
      } else if (source.getSecret() != null) {
        Secret secret = lookup.secret(namespace, source.getSecret().getName());
        if (secret == null && !Boolean.TRUE.equals(source.getSecret().getOptional())) {
          throw new VolumeNotReadyException(
              "secret \"" + source.getSecret().getName() + "\" not found");
        }
        writeItems(
            dir,
            secret == null ? Map.of() : EnvResolver.secretValues(secret),
            source.getSecret().getItems(),
            null);
      } else if (source.getDownwardAPI() != null) {
        writeDownward(pod, dir, source.getDownwardAPI().getItems());
      }
    }
  }

  private void writeDownward(Pod pod, Path dir, List<DownwardAPIVolumeFile> items)
      throws VolumeNotReadyException, IOException {
    Files.createDirectories(dir);
    for (DownwardAPIVolumeFile item : orEmpty(items)) {
      try {
        String value;
        if (item.getFieldRef() != null) {
          value = PodFields.field(pod, item.getFieldRef(), hostIp);
        } else if (item.getResourceFieldRef() != null) {
          String containerName = item.getResourceFieldRef().getContainerName();
          var container =
              pod.getSpec().getContainers().stream()
                  .filter(c -> containerName == null || c.getName().equals(containerName))
                  .findFirst()
                  .orElseThrow();
          value = PodFields.resource(container, item.getResourceFieldRef(), FakeNodes.ALLOCATABLE);
        } else {
          continue;
        }
        write(dir.resolve(item.getPath()), value, item.getMode());
      } catch (ContainerConfigException e) {
        throw new VolumeNotReadyException(e.getMessage());
      }
    }
  }

  private static void writeItems(
      Path dir, Map<String, String> values, List<KeyToPath> items, Integer defaultMode)
      throws VolumeNotReadyException, IOException {
    Files.createDirectories(dir);
    if (items == null || items.isEmpty()) {
      for (Map.Entry<String, String> entry : values.entrySet()) {
        write(dir.resolve(entry.getKey()), entry.getValue(), defaultMode);
      }
      return;
    }
    for (KeyToPath item : items) {
      String value = values.get(item.getKey());
      if (value == null) {
        throw new VolumeNotReadyException("key " + item.getKey() + " not found");
      }
      write(
          dir.resolve(item.getPath()),
          value,
          item.getMode() != null ? item.getMode() : defaultMode);
    }
  }

  private static void write(Path file, String content, Integer mode) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, content, StandardCharsets.UTF_8);
    if (mode != null) {
      Files.setPosixFilePermissions(file, permissions(mode));
    }
  }

  static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] order = {
      PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
          PosixFilePermission.OTHERS_READ,
      PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_READ,
      PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
          PosixFilePermission.OWNER_READ
    };
    for (int bit = 0; bit < order.length; bit++) {
      if ((mode & (1 << bit)) != 0) {
        set.add(order[bit]);
      }
    }
    return set;
  }

  private static <T> List<T> orEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }
}
