package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/** Whether the store can be used, and when that was last checked. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SnapshotStoreStatus(
    @JsonPropertyDescription(
            "Ready is True when the bucket is reachable with the referenced credentials; Healthy is False when the last"
                + " verification found damaged snapshots (Unknown before one ran); Reconciling and Stalled as kstatus reads them.")
        @SchemaFrom(type = ConditionSchema[].class)
        List<Condition> conditions,
    @JsonPropertyDescription("The generation of the spec these conditions describe.")
        Long observedGeneration,
    @JsonPropertyDescription("When the store was last checked (RFC 3339).") String lastCheckTime,
    @JsonPropertyDescription("The last garbage collection.")
        GarbageCollectionStatus lastGarbageCollection,
    @JsonPropertyDescription("The last reading of the bucket's snapshots (spec.catalog).")
        CatalogStatus catalog,
    @JsonPropertyDescription("The last scheduled verification (spec.verification).")
        VerificationStatus lastVerification) {

  public SnapshotStoreStatus(
      List<Condition> conditions,
      Long observedGeneration,
      String lastCheckTime,
      GarbageCollectionStatus lastGarbageCollection) {
    this(conditions, observedGeneration, lastCheckTime, lastGarbageCollection, null, null);
  }
}
