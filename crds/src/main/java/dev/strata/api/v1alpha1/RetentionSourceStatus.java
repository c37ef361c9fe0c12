package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/** What a retention policy keeps and expires for one source. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RetentionSourceStatus(
    @JsonPropertyDescription("The source: cluster:namespace/pvc/path.") String sourceId,
    @JsonPropertyDescription("Snapshots the policy keeps.") Integer kept,
    @JsonPropertyDescription("Snapshots it expired (deleted) so far.") Integer expired,
    @JsonPropertyDescription(
            "With dryRun, or before the next run: the snapshots (at most 20) it would expire.")
        List<String> wouldExpire) {}
