package dev.strata.api.v1alpha1;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The identity of what a snapshot was taken of, as Strata records it in the store: {@code
 * cluster:namespace/pvc/path}, or {@code namespace/pvc/path} for a snapshot made before Strata
 * named clusters (a <em>legacy</em> id, cluster null). It decides which earlier snapshot a new one
 * is diffed against and what "latest" means: two clusters that share a bucket never share a latest.
 * Neither a namespace nor a PVC name can hold ':' or '/', and neither can a cluster id, so the text
 * form parses back unambiguously (the path may hold anything).
 */
public record SourceId(String cluster, String namespace, String pvc, String path) {

  /**
   * What a cluster id may be (the operator's clusterId setting): a DNS label, such as a namespace
   * UID or prod-eu-1.
   */
  public static final Pattern CLUSTER = Pattern.compile("^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$");

  private static final Pattern NAME = Pattern.compile("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$");

  public SourceId {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(pvc, "pvc");
    path = path == null ? "" : path;
  }

  /** The identity of a PVC and path in a namespace of a cluster. */
  public static SourceId of(String cluster, String namespace, SnapshotSource source) {
    return new SourceId(cluster, namespace, source.pvcName(), source.normalizedPath());
  }

  /**
   * Reads an identity; empty for one that names no PVC (a snapshot made with the CLI of some
   * directory, say), which Kubernetes cannot restore by name.
   */
  public static Optional<SourceId> parse(String id) {
    if (id == null) {
      return Optional.empty();
    }
    String cluster = null;
    String rest = id;
    int colon = id.indexOf(':');
    int slash = id.indexOf('/');
    if (colon >= 0 && (slash < 0 || colon < slash)) {
      cluster = id.substring(0, colon);
      rest = id.substring(colon + 1);
      if (!CLUSTER.matcher(cluster).matches()) {
        return Optional.empty();
      }
    }
    String[] parts = rest.split("/", 3);
    if (parts.length < 3
        || !NAME.matcher(parts[0]).matches()
        || !NAME.matcher(parts[1]).matches()) {
      return Optional.empty();
    }
    return Optional.of(new SourceId(cluster, parts[0], parts[1], parts[2]));
  }

  /**
   * The same volume and path under the identity snapshots had before clusters were named: {@code
   * namespace/pvc/path}.
   */
  public SourceId legacy() {
    return new SourceId(null, namespace, pvc, path);
  }

  public boolean isLegacy() {
    return cluster == null;
  }

  /** Same namespace, PVC and path, whatever the cluster. */
  public boolean sameVolumeAs(SourceId other) {
    return namespace.equals(other.namespace) && pvc.equals(other.pvc) && path.equals(other.path);
  }

  /**
   * {@code namespace/pvc/path}: within one cluster, what tells sources apart (metrics, retention's
   * groups).
   */
  public String local() {
    return namespace + "/" + pvc + "/" + path;
  }

  @Override
  public String toString() {
    return (cluster == null ? "" : cluster + ":") + local();
  }
}
