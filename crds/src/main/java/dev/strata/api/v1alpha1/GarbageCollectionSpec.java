package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** When and how a store's unreferenced blobs are deleted. */
public record GarbageCollectionSpec(
    @Default("17 3 * * *")
        @Size(max = Cel.CRON_MAX)
        @ValidationRule(
            value = Cel.CRON,
            message = Cel.CRON_MESSAGE,
            messageExpression = Cel.CRON_MESSAGE_EXPRESSION)
        @JsonPropertyDescription(
            "Cron schedule (UTC) of the collector; it also runs after a retention policy expires snapshots.")
        String schedule,
    @Default("6h")
        @Size(max = 64)
        @ValidationRule(value = Cel.DURATION, message = Cel.DURATION_MESSAGE)
        @JsonPropertyDescription(
            "Unreferenced blobs younger than this are kept: a running backup may be about to reference them. Must exceed the longest backup plus one hour.")
        String gracePeriod,
    @Default("false")
        @JsonPropertyDescription(
            "Allow a grace period under one hour. For tests only: a short grace risks deleting blobs a running backup is about to reference.")
        Boolean allowShortGracePeriod,
    @Default("21600")
        @Min(60)
        @Max(604800)
        @JsonPropertyDescription("Seconds the collector may take before it is stopped.")
        Long activeDeadlineSeconds,
    @Default("false") @JsonPropertyDescription("Do not collect.") Boolean suspend) {}
