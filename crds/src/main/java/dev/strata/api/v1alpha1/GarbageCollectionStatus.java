package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The last garbage collection of a store. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GarbageCollectionStatus(
    String time, String result, Long blobsDeleted, Long bytesDeleted, Long tombstonesDeleted, Long durationMs, String message) {}
