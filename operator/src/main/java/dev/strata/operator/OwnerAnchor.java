package dev.strata.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An object of the Helm release (the operator's Deployment, the webhook's Service) that the
 * operator makes the owner of an object it creates itself in the same namespace (the
 * leader-election Lease, the webhook's TLS Secret), so that Kubernetes' garbage collector deletes
 * it when Helm deletes the anchor: {@code helm uninstall} leaves nothing behind, and an object
 * re-created after the anchor went (a replica still terminating) is collected too, as its owner's
 * uid no longer exists. The reference is not a controller's and does not block the owner's deletion
 * (no finalizers permission needed). The anchor is read again each time: its uid changes when it is
 * re-created.
 */
public final class OwnerAnchor {

  private static final Logger LOG = LoggerFactory.getLogger(OwnerAnchor.class);

  private final String apiVersion;
  private final String kind;
  private final String namespace;
  private final String name;
  private final Supplier<HasMetadata> read;
  private volatile String lastRefusal;

  private OwnerAnchor(
      String apiVersion, String kind, String namespace, String name, Supplier<HasMetadata> read) {
    this.apiVersion = apiVersion;
    this.kind = kind;
    this.namespace = namespace;
    this.name = name;
    this.read = read;
  }

  /** The operator's Deployment (STRATA_LEASE_OWNER). */
  public static OwnerAnchor deployment(KubernetesClient client, String namespace, String name) {
    return new OwnerAnchor(
        "apps/v1",
        "Deployment",
        namespace,
        name,
        () -> client.apps().deployments().inNamespace(namespace).withName(name).get());
  }

  /** The webhook's Service. */
  public static OwnerAnchor service(KubernetesClient client, String namespace, String name) {
    return new OwnerAnchor(
        "v1",
        "Service",
        namespace,
        name,
        () -> client.services().inNamespace(namespace).withName(name).get());
  }

  /** The reference to the anchor as it is now; empty when it does not exist. */
  public Optional<OwnerReference> reference() {
    HasMetadata anchor = read.get();
    if (anchor == null || anchor.getMetadata().getDeletionTimestamp() != null) {
      return Optional.empty();
    }
    return Optional.of(
        new OwnerReferenceBuilder()
            .withApiVersion(apiVersion)
            .withKind(kind)
            .withName(name)
            .withUid(anchor.getMetadata().getUid())
            .build());
  }

  /** Whether {@code object} names {@code ref} among its owners (same uid). */
  public static boolean owns(OwnerReference ref, HasMetadata object) {
    List<OwnerReference> owners = object.getMetadata().getOwnerReferences();
    return owners != null && owners.stream().anyMatch(o -> ref.getUid().equals(o.getUid()));
  }

  /**
   * {@code object}'s owner references with {@code ref} in place of any earlier reference to the
   * same anchor (by kind and name: a re-created anchor has a new uid); other owners are kept.
   */
  public static List<OwnerReference> withOwner(HasMetadata object, OwnerReference ref) {
    List<OwnerReference> owners = new ArrayList<>();
    if (object.getMetadata().getOwnerReferences() != null) {
      object.getMetadata().getOwnerReferences().stream()
          .filter(o -> !(ref.getKind().equals(o.getKind()) && ref.getName().equals(o.getName())))
          .forEach(owners::add);
    }
    owners.add(ref);
    return owners;
  }

  /**
   * Makes the anchor an owner of {@code object} (read just before: the update is guarded by its
   * resourceVersion) unless it is one already; returns whether it wrote. Nothing happens while the
   * anchor does not exist.
   */
  public boolean adopt(KubernetesClient client, HasMetadata object) {
    Optional<OwnerReference> ref = reference();
    if (ref.isEmpty() || owns(ref.get(), object)) {
      return false;
    }
    object.getMetadata().setOwnerReferences(withOwner(object, ref.get()));
    client.resource(object).update();
    return true;
  }

  /**
   * {@link #adopt}, but a refusal is logged (once until it changes) instead of thrown: the object
   * works without its owner, it is only not deleted with the release. Where the
   * OwnerReferencesPermissionEnforcement admission plugin is on, changing an object's owners needs
   * the right to delete it (the chart grants it on these objects by name).
   */
  public boolean adoptOrWarn(KubernetesClient client, HasMetadata object) {
    try {
      boolean wrote = adopt(client, object);
      lastRefusal = null;
      return wrote;
    } catch (KubernetesClientException e) {
      String refusal = e.getMessage();
      if (!refusal.equals(lastRefusal)) {
        LOG.warn(
            "{}/{}: cannot make {} its owner, so it is not deleted with it (tried again at every check): {}",
            object.getMetadata().getNamespace(),
            object.getMetadata().getName(),
            describe(),
            refusal);
      }
      lastRefusal = refusal;
      return false;
    }
  }

  /**
   * Makes the anchor an owner of the Lease {@code leaseName} in the anchor's namespace unless it is
   * already, with a merge patch of the Lease's owner references only (the leader's renewals patch
   * its spec and never touch them). Returns whether it wrote; nothing happens while the Lease or
   * the anchor does not exist.
   */
  public boolean adoptLease(KubernetesClient client, String leaseName) {
    var lease = client.leases().inNamespace(namespace).withName(leaseName).get();
    if (lease == null) {
      return false;
    }
    Optional<OwnerReference> ref = reference();
    if (ref.isEmpty() || owns(ref.get(), lease)) {
      return false;
    }
    Map<String, Object> patch =
        Map.of("metadata", Map.of("ownerReferences", withOwner(lease, ref.get())));
    client
        .leases()
        .inNamespace(namespace)
        .withName(leaseName)
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            client.getKubernetesSerialization().asJson(patch));
    return true;
  }

  public String describe() {
    return kind + " " + namespace + "/" + name;
  }
}
