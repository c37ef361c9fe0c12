package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

/**
 * Files that changed or vanished while a backup read them (onFileChange: Record), as the runner
 * reported them.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record FileChanges(
    @JsonPropertyDescription(
            "Files committed as last read although they kept changing (at most 20 names).")
        List<String> changed,
    @JsonPropertyDescription("How many files changed.") Integer changedCount,
    @JsonPropertyDescription(
            "Files that vanished while the backup ran, left out (at most 20 names).")
        List<String> vanished,
    @JsonPropertyDescription("How many files vanished.") Integer vanishedCount) {}
