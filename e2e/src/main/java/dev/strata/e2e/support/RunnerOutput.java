package dev.strata.e2e.support;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Optional;

/**
 * Reads the JSON object that {@code strata ... --json} prints at the end of its output, from a
 * container log or stdout where log lines may come before it (pretty-printed or on one line).
 */
public final class RunnerOutput {

  private static final ObjectMapper JSON = new ObjectMapper();

  private RunnerOutput() {}

  /**
   * The last JSON object that starts at the beginning of a line and runs to the end of {@code
   * output}.
   */
  public static Optional<JsonNode> lastJson(String output) {
    int from = output.length();
    while (from > 0) {
      int start = output.lastIndexOf('{', from - 1);
      if (start < 0) {
        return Optional.empty();
      }
      if (start == 0 || output.charAt(start - 1) == '\n') {
        try {
          JsonNode node = JSON.readTree(output.substring(start));
          if (node != null && node.isObject()) {
            return Optional.of(node);
          }
        } catch (JsonProcessingException e) {
          // Not the start of the final object; keep looking further up.
        }
      }
      from = start;
    }
    return Optional.empty();
  }

  /** Like {@link #lastJson} but fails with the output when there is none. */
  public static JsonNode requireJson(String output) {
    return lastJson(output)
        .orElseThrow(() -> new AssertionError("No JSON result in strata output:\n" + output));
  }
}
