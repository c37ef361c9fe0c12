package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;

/** When and how a store's unreferenced blobs are deleted. */
public record GarbageCollectionSpec(
    @Default("17 3 * * *")
        @Pattern("^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|\\S+\\s+\\S+\\s+\\S+\\s+\\S+\\s+\\S+)$")
        @JsonPropertyDescription("Cron schedule (UTC) of the collector; it also runs after a retention policy expires snapshots.")
        String schedule,
    @Default("6h")
        @Pattern("^([0-9]+(s|m|h|d|w))+$")
        @JsonPropertyDescription("Unreferenced blobs younger than this are kept: a running backup may be about to reference them. Must exceed the longest backup plus one hour.")
        String gracePeriod,
    @Default("false")
        @JsonPropertyDescription("Allow a grace period under one hour. For tests only: a short grace risks deleting blobs a running backup is about to reference.")
        Boolean allowShortGracePeriod,
    @Default("false") @JsonPropertyDescription("Do not collect.") Boolean suspend) {}
