package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * How a store's snapshots become visible in the cluster: the operator reads the bucket
 * (periodically, and when {@code requestedAt} changes) and creates a StateSnapshot, marked imported
 * and Retain, for each snapshot that has none here, such as those a lost cluster left behind.
 */
public record CatalogSpec(
    @Default("true")
        @JsonPropertyDescription(
            "Read the bucket and import the snapshots that have no StateSnapshot in this namespace. false: no import"
                + " (StateRestores with source.fromStore still read the bucket).")
        Boolean enabled,
    @Default("10m")
        @Size(max = 64)
        @ValidationRule(value = Cel.DURATION, message = Cel.DURATION_MESSAGE)
        @JsonPropertyDescription("How often the bucket is read, e.g. 10m or 1h.")
        String interval,
    @JsonPropertyDescription(
            "The namespaces whose snapshots (by the namespace of the PVC they were taken of) are imported here; default:"
                + " this store's namespace only. \"*\" imports every namespace's. At most 64; a name that is no namespace's matches nothing.")
        @Size(max = 64)
        List<String> namespaces,
    @JsonPropertyDescription(
            "Change to any new value (e.g. the current time) to have the bucket read now; status.catalog.handledRequest"
                + " says when it was.")
        String requestedAt) {

  public boolean enabledOrDefault() {
    return !Boolean.FALSE.equals(enabled);
  }

  /**
   * Whether snapshots of a source in {@code namespace} are imported into a store of {@code
   * storeNamespace}.
   */
  public static boolean imports(CatalogSpec catalog, String storeNamespace, String namespace) {
    List<String> wanted =
        catalog == null || catalog.namespaces() == null || catalog.namespaces().isEmpty()
            ? List.of(storeNamespace)
            : catalog.namespaces();
    return wanted.contains("*") || wanted.contains(namespace);
  }
}
