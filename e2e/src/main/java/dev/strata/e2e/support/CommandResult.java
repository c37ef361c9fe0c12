package dev.strata.e2e.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The outcome of a short command run to completion: exit code, stdout and stderr. */
public record CommandResult(List<String> command, int exitCode, String stdout, String stderr) {

  /** Runs {@code command} with extra {@code env}, killing it after {@code timeout}. */
  public static CommandResult run(List<String> command, Map<String, String> env, Duration timeout) {
    try {
      Path out = Files.createTempFile("strata-cmd", ".out");
      Path err = Files.createTempFile("strata-cmd", ".err");
      try {
        ProcessBuilder builder =
            new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().putAll(env);
        Process process = ProcessLauncher.start(builder);
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly();
          process.waitFor(5, TimeUnit.SECONDS);
          throw new IllegalStateException(
              "Timed out after "
                  + timeout.toSeconds()
                  + "s: "
                  + command.get(0)
                  + "; stderr: "
                  + Files.readString(err, StandardCharsets.UTF_8));
        }
        return new CommandResult(
            command,
            process.exitValue(),
            Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted running " + command.get(0), e);
    }
  }

  /** This result, or an exception with both streams when the exit code is not 0. */
  public CommandResult assertSuccess() {
    if (exitCode != 0) {
      throw new AssertionError(
          "Command "
              + String.join(" ", command)
              + " exited "
              + exitCode
              + "\nstdout:\n"
              + stdout
              + "\nstderr:\n"
              + stderr);
    }
    return this;
  }
}
