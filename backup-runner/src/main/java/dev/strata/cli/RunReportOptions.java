package dev.strata.cli;

import dev.strata.engine.Progress;
import dev.strata.engine.ProgressPublisher;
import dev.strata.engine.RunErrors;
import dev.strata.engine.report.RunError;
import dev.strata.engine.report.RunReports;
import dev.strata.engine.store.BlobStoreManager;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * How a run reports to whoever started it, without any access to Kubernetes: a result file (the
 * pod's termination message) with the JSON result or the error, and live progress in the store.
 */
public final class RunReportOptions {

  /** Kubernetes keeps at most 4096 bytes of a termination message. */
  static final int MAX_RESULT_BYTES = 4096;

  @Option(
      names = "--result-file",
      paramLabel = "FILE",
      description =
          "Also write the JSON result, or {\"error\": …} on failure, to this file (e.g. /dev/termination-log).")
  Path resultFile;

  @Option(
      names = "--progress-object",
      paramLabel = "NAME",
      description = "Publish live progress to progress/NAME.json in the store while running.")
  String progressObject;

  @Option(
      names = "--progress-interval",
      paramLabel = "SECONDS",
      defaultValue = "2",
      description = "Seconds between progress updates (default: ${DEFAULT-VALUE}).")
  int progressIntervalSeconds;

  /**
   * A publisher to close when the run ends, or null (a valid try-with-resources resource) when not
   * asked for.
   */
  ProgressPublisher startProgress(BlobStoreManager store, Progress progress) {
    if (progressObject == null) {
      return null;
    }
    return new ProgressPublisher(
        store,
        progressObject,
        progress,
        Duration.ofSeconds(progressIntervalSeconds),
        Clock.systemUTC());
  }

  /**
   * Writes the run's report (a record of {@code dev.strata.engine.report}, or the collector's
   * GcReport).
   */
  void writeResult(Object report) {
    if (resultFile != null) {
      try {
        write(RunReports.toJson(report));
      } catch (IOException e) {
        throw new IllegalStateException(
            "cannot write the result file " + resultFile + ": " + e.getMessage(), e);
      }
    }
  }

  /** Runs a command's body; when it throws, its error goes to the result file first. */
  int reporting(java.util.function.IntSupplier body) {
    try {
      return body.getAsInt();
    } catch (RuntimeException e) {
      writeError(e);
      throw e;
    }
  }

  /** Writes why the run failed: its one-line message and its cause. */
  void writeError(Throwable failure) {
    if (resultFile != null) {
      String message = StrataCli.message(failure);
      String shortened = message.length() > 3000 ? message.substring(0, 3000) + "…" : message;
      RunError error =
          failure instanceof UsageException
              ? new RunError(shortened, RunError.Cause.USAGE)
              : RunErrors.of(failure, shortened);
      try {
        write(RunReports.toJson(error));
      } catch (IOException ignored) {
        // the error itself still reaches stderr and the exit code
      }
    }
  }

  private void write(String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > MAX_RESULT_BYTES) {
      throw new IOException(
          "the result is " + bytes.length + " bytes, more than a termination message holds");
    }
    Files.write(resultFile, bytes);
  }
}
