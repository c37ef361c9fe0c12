package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * What to snapshot: a PVC of the resource's namespace and a path inside its volume. With the
 * cluster and the namespace, it is the source identity: {@code cluster:namespace/pvcName/path} (see
 * {@link SourceId}).
 */
@ValidationRule(
    value =
        "!has(self.path) || (!self.path.startsWith('/') && !self.path.matches('(^|/)\\\\.\\\\.(/|$)'))",
    message = "source.path must be relative to the volume's root and must not contain '..'")
public record SnapshotSource(
    @Size(max = Cel.NAME_MAX)
        @ValidationRule(value = Cel.OBJECT_NAME, message = Cel.OBJECT_NAME_MESSAGE)
        @JsonPropertyDescription(
            "Name of the PersistentVolumeClaim, in the same namespace (required, except in the template of a"
                + " SnapshotSchedule that selects its PVCs with statefulSet or pvcSelector).")
        String pvcName,
    @JsonPropertyDescription(
            "Directory inside the volume, relative to its root (default: the whole volume).")
        String path) {

  /** The source identity the engine diffs and lists by: {@code cluster:namespace/pvc/path}. */
  public String sourceId(String cluster, String namespace) {
    return SourceId.of(cluster, namespace, this).toString();
  }

  /**
   * {@code namespace/pvc/path}: the identity snapshots had before Strata named clusters, and within
   * one cluster what tells its sources apart (metrics, retention's groups).
   */
  public String legacySourceId(String namespace) {
    return SourceId.of(null, namespace, this).toString();
  }

  public String normalizedPath() {
    if (path == null) {
      return "";
    }
    String p = path.replaceAll("/+", "/");
    if (p.equals(".") || p.equals("./")) {
      return "";
    }
    return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
  }
}
