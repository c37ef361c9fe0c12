package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;

/** A group of snapshots (one per volume of a workload) to restore whole: by its name, or the newest whole one of a schedule. */
@ValidationRule(
    value = "has(self.name) != has(self.scheduleName)",
    message = "source.group needs exactly one of name (a group, the strata.dev/group label of its snapshots) or scheduleName (the"
        + " newest group of that schedule whose volumes all succeeded)")
public record GroupRef(
    @Pattern("^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$")
        @JsonPropertyDescription("The group: the value of its StateSnapshots' strata.dev/group label (kubectl get statesnapshots -L"
            + " strata.dev/group).")
        String name,
    @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
        @JsonPropertyDescription("The newest group of this SnapshotSchedule (in this cluster, or the one that took an imported group) whose"
            + " volumes all succeeded, as of source.asOf when given.")
        String scheduleName) {}
