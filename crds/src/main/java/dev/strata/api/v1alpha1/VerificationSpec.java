package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Scheduled verification of every snapshot in a store (`strata verify --all`), by a runner Job. */
public record VerificationSpec(
    @Required
        @Size(max = Cel.CRON_MAX)
        @ValidationRule(
            value = Cel.CRON,
            message = Cel.CRON_MESSAGE,
            messageExpression = Cel.CRON_MESSAGE_EXPRESSION)
        @JsonPropertyDescription(
            "Cron schedule (UTC) of the verification, e.g. \"0 4 * * 0\" (Sundays at 04:00).")
        String schedule,
    @Default("true")
        @JsonPropertyDescription(
            "Download every blob and check its checksum (verify --read-data); false only checks that every blob exists"
                + " with its size, which reads no data.")
        Boolean readData,
    @Default("false")
        @JsonPropertyDescription(
            "Mark missing or corrupt blobs damaged (verify --repair) so that the next backup of a source that still"
                + " holds their content stores them again and the damaged snapshots become whole.")
        Boolean repair,
    @Default("8") @Min(1) @Max(64) @JsonPropertyDescription("Blobs checked at once.")
        Integer parallelism,
    @Default("21600")
        @Min(60)
        @Max(604800)
        @JsonPropertyDescription("Seconds the runner may take before it is stopped.")
        Long activeDeadlineSeconds,
    @Default("false") @JsonPropertyDescription("Do not verify.") Boolean suspend) {}
