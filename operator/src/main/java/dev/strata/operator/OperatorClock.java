package dev.strata.operator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The operator's clock. In production the system clock; with {@code STRATA_CLOCK_FILE} set, the
 * instant written in that file (RFC 3339), re-read on every call, so tests move schedules forward
 * without waiting for real minutes.
 */
public final class OperatorClock extends Clock {

  private final Path file;

  private OperatorClock(Path file) {
    this.file = file;
  }

  public static Clock fromEnv(java.util.Map<String, String> env) {
    String path = env.get("STRATA_CLOCK_FILE");
    return path == null || path.isBlank() ? Clock.systemUTC() : new OperatorClock(Path.of(path));
  }

  @Override
  public Instant instant() {
    try {
      return Instant.parse(Files.readString(file).strip());
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException(
          "STRATA_CLOCK_FILE " + file + " does not hold an RFC 3339 instant: " + e.getMessage(), e);
    }
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
