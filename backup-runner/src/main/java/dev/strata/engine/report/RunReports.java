package dev.strata.engine.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.Optional;

/**
 * The JSON of the runner's contract, for both sides: the runner writes reports and errors with it,
 * the operator reads them with it, into the same types. Readers ignore fields they do not know, so
 * a newer runner can add some.
 */
public final class RunReports {

  private static final ObjectMapper JSON =
      JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  private RunReports() {}

  public static String toJson(Object report) {
    try {
      return JSON.writeValueAsString(report);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "cannot write " + report.getClass().getSimpleName() + " as JSON", e);
    }
  }

  public static byte[] toJsonBytes(Object report) {
    try {
      return JSON.writeValueAsBytes(report);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "cannot write " + report.getClass().getSimpleName() + " as JSON", e);
    }
  }

  /**
   * What a result file holds: the error when it has one, else the report of {@code type}.
   *
   * @throws IllegalArgumentException when the text is not such JSON (a runner killed before it
   *     wrote its result)
   */
  public static <T> Result<T> read(String json, Class<T> type) {
    try {
      JsonNode node = JSON.readTree(json);
      if (node == null || !node.isObject()) {
        throw new IllegalArgumentException("not a JSON object");
      }
      if (node.hasNonNull("error")) {
        return new Result<>(Optional.empty(), Optional.of(JSON.treeToValue(node, RunError.class)));
      }
      return new Result<>(Optional.of(JSON.treeToValue(node, type)), Optional.empty());
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "not a " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
    }
  }

  public static <T> T readValue(byte[] json, Class<T> type) {
    try {
      return JSON.readValue(json, type);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(
          "not a " + type.getSimpleName() + ": " + e.getMessage(), e);
    }
  }

  /** A result file's content: exactly one of report and error is present. */
  public record Result<T>(Optional<T> report, Optional<RunError> error) {}
}
