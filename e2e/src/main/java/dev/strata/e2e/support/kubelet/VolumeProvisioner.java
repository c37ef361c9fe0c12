package dev.strata.e2e.support.kubelet;

import io.fabric8.kubernetes.api.model.PersistentVolume;
import io.fabric8.kubernetes.api.model.PersistentVolumeBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.storage.StorageClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;

/**
 * A dynamic provisioner for every Pending claim (any class or none): it makes a hostPath
 * PersistentVolume under the stand-in's directory, pre-bound to the claim, and the real PV
 * controller of kube-controller-manager then binds the pair. Released volumes are deleted with
 * their directory, as a Delete reclaim policy would. A claim annotated {@code
 * strata.dev/stand-in-provision: "false"} is left alone (for static-binding tests). For a real node
 * ({@link #forNode}) the volumes are {@code local} PersistentVolumes with that node's affinity,
 * which the kubelet mounts with the pod's fsGroup, as a cluster's local-volume provisioner makes
 * them.
 */
public final class VolumeProvisioner implements AutoCloseable {

  static final String STORAGE_CLASS = "standard";
  static final String PROVISIONER = "strata.dev/kubelet-stand-in";
  static final String OPT_OUT = "strata.dev/stand-in-provision";

  private final KubernetesClient client;
  private final Path volumesDir;
  private final EventLog events;
  private final ExecutorService control;
  private final Set<String> provisioned = ConcurrentHashMap.newKeySet();
  private SharedIndexInformer<PersistentVolumeClaim> claims;
  private SharedIndexInformer<PersistentVolume> volumes;
  private String localNode;

  VolumeProvisioner(
      KubernetesClient client, Path volumesDir, EventLog events, ExecutorService control) {
    this.client = client;
    this.volumesDir = volumesDir;
    this.events = events;
    this.control = control;
  }

  /**
   * A started provisioner of {@code local} volumes on {@code node}, with directories under {@code
   * volumesDir}.
   */
  public static VolumeProvisioner forNode(
      KubernetesClient client, Path volumesDir, String node, ExecutorService control) {
    VolumeProvisioner provisioner =
        new VolumeProvisioner(client, volumesDir, new EventLog(), control);
    provisioner.localNode = node;
    provisioner.start();
    return provisioner;
  }

  /**
   * The directory backing a bound claim's volume; waits up to a minute for the claim to be Bound.
   */
  public Path hostPathOf(String namespace, String claimName) {
    return hostPathOf(namespace, claimName, Duration.ofSeconds(60));
  }

  void start() {
    if (client.storage().v1().storageClasses().withName(STORAGE_CLASS).get() == null) {
      client
          .storage()
          .v1()
          .storageClasses()
          .resource(
              new StorageClassBuilder()
                  .withNewMetadata()
                  .withName(STORAGE_CLASS)
                  .addToAnnotations("storageclass.kubernetes.io/is-default-class", "true")
                  .endMetadata()
                  .withProvisioner(PROVISIONER)
                  .withReclaimPolicy("Delete")
                  .withVolumeBindingMode("Immediate")
                  .build())
          .create();
    }
    claims =
        client
            .persistentVolumeClaims()
            .inAnyNamespace()
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(PersistentVolumeClaim claim) {
                    consider(claim);
                  }

                  @Override
                  public void onUpdate(PersistentVolumeClaim old, PersistentVolumeClaim claim) {
                    consider(claim);
                  }

                  @Override
                  public void onDelete(PersistentVolumeClaim claim, boolean unknown) {}
                },
                30_000);
    volumes =
        client
            .persistentVolumes()
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(PersistentVolume volume) {
                    reclaimIfReleased(volume);
                  }

                  @Override
                  public void onUpdate(PersistentVolume old, PersistentVolume volume) {
                    reclaimIfReleased(volume);
                  }

                  @Override
                  public void onDelete(PersistentVolume volume, boolean unknown) {}
                },
                30_000);
  }

  private void consider(PersistentVolumeClaim claim) {
    boolean pending =
        claim.getStatus() == null
            || claim.getStatus().getPhase() == null
            || "Pending".equals(claim.getStatus().getPhase());
    String volumeName = claim.getSpec().getVolumeName();
    boolean optedOut =
        claim.getMetadata().getAnnotations() != null
            && "false".equals(claim.getMetadata().getAnnotations().get(OPT_OUT));
    if (!pending
        || (volumeName != null && !volumeName.isEmpty())
        || optedOut
        || claim.getMetadata().getDeletionTimestamp() != null) {
      return;
    }
    if (provisioned.add(claim.getMetadata().getUid())) {
      control.submit(() -> provision(claim));
    }
  }

  private void provision(PersistentVolumeClaim claim) {
    String namespace = claim.getMetadata().getNamespace();
    String name = claim.getMetadata().getName();
    String uid = claim.getMetadata().getUid();
    try {
      if ("Block".equals(claim.getSpec().getVolumeMode())) {
        events.warn(namespace, name, "not provisioned: block volumes are not supported");
        return;
      }
      Path dir = volumesDir.resolve(namespace).resolve(name + "-" + uid.substring(0, 8));
      Files.createDirectories(dir);
      Quantity size =
          claim.getSpec().getResources() == null
                  || claim.getSpec().getResources().getRequests() == null
              ? null
              : claim.getSpec().getResources().getRequests().get("storage");
      List<String> modes =
          claim.getSpec().getAccessModes() == null || claim.getSpec().getAccessModes().isEmpty()
              ? List.of("ReadWriteOnce")
              : claim.getSpec().getAccessModes();
      String storageClass =
          claim.getSpec().getStorageClassName() == null
              ? ""
              : claim.getSpec().getStorageClassName();
      PersistentVolume volume =
          new PersistentVolumeBuilder()
              .withNewMetadata()
              .withName("pvc-" + uid)
              .addToLabels("strata.dev/kubelet-stand-in", "true")
              // Tells the PV controller that an external provisioner owns deletion of this volume.
              .addToAnnotations("pv.kubernetes.io/provisioned-by", PROVISIONER)
              .endMetadata()
              .withNewSpec()
              .withCapacity(Map.of("storage", size == null ? new Quantity("1Gi") : size))
              .withAccessModes(modes)
              .withVolumeMode("Filesystem")
              .withStorageClassName(storageClass)
              .withPersistentVolumeReclaimPolicy("Delete")
              .withNewClaimRef()
              .withApiVersion("v1")
              .withKind("PersistentVolumeClaim")
              .withNamespace(namespace)
              .withName(name)
              .withUid(uid)
              .endClaimRef()
              .endSpec()
              .build();
      if (localNode == null) {
        volume
            .getSpec()
            .setHostPath(
                new io.fabric8.kubernetes.api.model.HostPathVolumeSourceBuilder()
                    .withPath(dir.toString())
                    .withType("DirectoryOrCreate")
                    .build());
      } else {
        volume
            .getSpec()
            .setLocal(
                new io.fabric8.kubernetes.api.model.LocalVolumeSourceBuilder()
                    .withPath(dir.toString())
                    .build());
        volume
            .getSpec()
            .setNodeAffinity(
                new io.fabric8.kubernetes.api.model.VolumeNodeAffinityBuilder()
                    .withNewRequired()
                    .addNewNodeSelectorTerm()
                    .addNewMatchExpression()
                    .withKey("kubernetes.io/hostname")
                    .withOperator("In")
                    .withValues(localNode)
                    .endMatchExpression()
                    .endNodeSelectorTerm()
                    .endRequired()
                    .build());
      }
      client.persistentVolumes().resource(volume).create();
      events.info(namespace, name, "provisioned volume pvc-" + uid + " at " + dir);
    } catch (IOException e) {
      events.warn(namespace, name, "provisioning failed: " + e.getMessage());
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        events.warn(namespace, name, "provisioning failed: " + e.getMessage());
        provisioned.remove(uid);
      }
    }
  }

  private void reclaimIfReleased(PersistentVolume volume) {
    boolean ours =
        volume.getMetadata().getLabels() != null
            && "true".equals(volume.getMetadata().getLabels().get("strata.dev/kubelet-stand-in"));
    if (!ours
        || volume.getStatus() == null
        || !"Released".equals(volume.getStatus().getPhase())
        || volume.getMetadata().getDeletionTimestamp() != null) {
      return;
    }
    control.submit(
        () -> {
          String name = volume.getMetadata().getName();
          client.persistentVolumes().withName(name).delete();
          Path dir =
              Path.of(
                  volume.getSpec().getHostPath() != null
                      ? volume.getSpec().getHostPath().getPath()
                      : volume.getSpec().getLocal().getPath());
          if (dir.startsWith(volumesDir)) {
            deleteTree(dir);
          }
          events.info(null, "volume " + name, "released and deleted with " + dir);
        });
  }

  /**
   * The directory backing a bound claim's volume; waits up to {@code timeout} for the claim to be
   * Bound.
   */
  Path hostPathOf(String namespace, String claimName, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      PersistentVolumeClaim claim =
          client.persistentVolumeClaims().inNamespace(namespace).withName(claimName).get();
      Path path = claim == null ? null : boundPath(claim);
      if (path != null) {
        return path;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "PersistentVolumeClaim "
                + namespace
                + "/"
                + claimName
                + " is "
                + (claim == null
                    ? "absent"
                    : "not Bound ("
                        + (claim.getStatus() == null ? "no status" : claim.getStatus().getPhase())
                        + ")")
                + " after "
                + timeout.toSeconds()
                + "s");
      }
      sleep(200);
    }
  }

  /**
   * The host directory of a Bound claim's volume (hostPath or local), or null when not bound yet.
   */
  Path boundPath(PersistentVolumeClaim claim) {
    if (claim.getStatus() == null
        || !"Bound".equals(claim.getStatus().getPhase())
        || claim.getSpec().getVolumeName() == null) {
      return null;
    }
    PersistentVolume volume =
        client.persistentVolumes().withName(claim.getSpec().getVolumeName()).get();
    if (volume == null) {
      return null;
    }
    if (volume.getSpec().getHostPath() != null) {
      return Path.of(volume.getSpec().getHostPath().getPath());
    }
    if (volume.getSpec().getLocal() != null) {
      return Path.of(volume.getSpec().getLocal().getPath());
    }
    throw new IllegalStateException(
        "Volume "
            + volume.getMetadata().getName()
            + " is neither hostPath nor local: the stand-in cannot mount it");
  }

  PersistentVolume volumeOf(PersistentVolumeClaim claim) {
    String volumeName = claim.getSpec().getVolumeName();
    return volumeName == null || volumeName.isEmpty()
        ? null
        : client.persistentVolumes().withName(volumeName).get();
  }

  @Override
  public void close() {
    if (claims != null) {
      claims.close();
    }
    if (volumes != null) {
      volumes.close();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      paths
          .sorted(java.util.Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (IOException | UncheckedIOException e) {
      // Best effort: the stand-in's whole directory is removed on close anyway.
    }
  }
}
