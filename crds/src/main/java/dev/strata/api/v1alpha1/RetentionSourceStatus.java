package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** What a retention policy keeps and expires for one source. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RetentionSourceStatus(String sourceId, Integer kept, Integer expired, List<String> wouldExpire) {}
