package dev.strata.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** What one hook did, as the operator recorded it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HookResult(
    @JsonPropertyDescription("pre or post.") String stage,
    @JsonPropertyDescription("The hook's name.") String name,
    @JsonPropertyDescription("The pod it ran in.") String pod,
    @JsonPropertyDescription("The container it ran in.") String container,
    @JsonPropertyDescription("Running, Succeeded, Failed or TimedOut.") String result,
    @JsonPropertyDescription("The command's exit code, when it exited.") Integer exitCode,
    @JsonPropertyDescription("When it started (RFC 3339).") String startTime,
    @JsonPropertyDescription("When it ended (RFC 3339).") String completionTime,
    @JsonPropertyDescription(
            "The end of what the command wrote (stdout, then stderr), at most 1 KiB.")
        String output,
    @JsonPropertyDescription("Why it failed, or what its onError made of it.") String message) {

  public static final String RUNNING = "Running";
  public static final String SUCCEEDED = "Succeeded";
  public static final String FAILED = "Failed";
  public static final String TIMED_OUT = "TimedOut";

  public boolean ended() {
    return result != null && !RUNNING.equals(result);
  }

  public boolean succeeded() {
    return SUCCEEDED.equals(result);
  }
}
