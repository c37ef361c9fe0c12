package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The last reading of a store's catalog. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CatalogStatus(
    @JsonPropertyDescription("When the bucket was last read (RFC 3339).") String lastSyncTime,
    @JsonPropertyDescription("The spec.catalog.requestedAt value that reading answered.")
        String handledRequest,
    @JsonPropertyDescription("Snapshots in the bucket.") Long snapshots,
    @JsonPropertyDescription(
            "Snapshots of the imported namespaces that this namespace shows as imported StateSnapshots.")
        Long imported,
    @JsonPropertyDescription(
            "Index objects that could not be read (damaged, or of a newer Strata); the message names some.")
        Long unreadable,
    @JsonPropertyDescription("What the last reading did, or why it failed.") String message) {}
