package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * How long snapshots live, per source. The keep rules mean what restic's {@code forget --keep-*}
 * means; see docs/retention.md for worked examples.
 */
public record RetentionPolicySpec(
    @Min(0) @JsonPropertyDescription("Keep the newest N successful snapshots.") Integer keepLast,
    @Min(0)
        @JsonPropertyDescription(
            "For the last N hours that have snapshots, keep the newest of each hour.")
        Integer keepHourly,
    @Min(0)
        @JsonPropertyDescription(
            "For the last N days that have snapshots, keep the newest of each day.")
        Integer keepDaily,
    @Min(0)
        @JsonPropertyDescription(
            "For the last N ISO weeks that have snapshots, keep the newest of each week.")
        Integer keepWeekly,
    @Min(0)
        @JsonPropertyDescription(
            "For the last N months that have snapshots, keep the newest of each month.")
        Integer keepMonthly,
    @Min(0)
        @JsonPropertyDescription(
            "For the last N years that have snapshots, keep the newest of each year.")
        Integer keepYearly,
    @Size(max = 64)
        @ValidationRule(value = Cel.DURATION, message = Cel.DURATION_MESSAGE)
        @JsonPropertyDescription(
            "Nothing older than this is kept by the keep rules (e.g. 30d, 12h, 1w2d); with no keep rule, everything younger is kept.")
        String maxAge,
    @Default("1")
        @Min(1)
        @JsonPropertyDescription("A floor: never fewer successful snapshots per source than this.")
        Integer minKeep,
    @Default("1")
        @Min(0)
        @JsonPropertyDescription("Keep the newest N failed snapshots per source, for diagnosis.")
        Integer keepFailed,
    @Default("false") @JsonPropertyDescription("Only report what would expire; delete nothing.")
        Boolean dryRun,
    @Default("UTC")
        @Size(max = 64)
        @ValidationRule(
            value = TimeZones.RULE,
            message = TimeZones.MESSAGE,
            messageExpression = TimeZones.MESSAGE_EXPRESSION)
        @JsonPropertyDescription(
            "IANA time zone that hours, days, weeks, months and years are counted in.")
        String timeZone) {}
