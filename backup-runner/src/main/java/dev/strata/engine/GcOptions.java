package dev.strata.engine;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * How garbage collection runs.
 *
 * @param grace an unreferenced blob is deleted only when it is older than this, and a tombstone keeps a forgotten
 *     snapshot's blobs for this long. It must exceed the backups' refresh age (1 h) plus any clock skew: a backup
 *     restarts the age of a blob it reuses from the store only when the blob is older than the refresh age
 * @param dryRun delete nothing; report what would be deleted
 * @param parallelism indexes read, and objects deleted, at once
 * @param clock what "now" is; the ages of objects are measured against it
 * @param allowShortGrace accept a grace below {@link #MIN_GRACE}; only for tests, whose backups last milliseconds and
 *     use a short refresh age
 */
public record GcOptions(Duration grace, boolean dryRun, int parallelism, Clock clock, boolean allowShortGrace) {

  public static final Duration DEFAULT_GRACE = Duration.ofHours(6);
  public static final Duration MIN_GRACE = BackupOptions.DEFAULT_REFRESH_AGE;
  public static final int DEFAULT_PARALLELISM = 8;

  public GcOptions {
    Objects.requireNonNull(clock, "clock");
    if (grace == null || grace.isNegative()) {
      throw new IllegalArgumentException("the grace period must not be negative, got " + grace);
    }
    if (grace.compareTo(MIN_GRACE) < 0 && !allowShortGrace) {
      throw new IllegalArgumentException(
          "a grace period of "
              + Durations.format(grace)
              + " is too short: it must be at least "
              + Durations.format(MIN_GRACE)
              + " (plus any clock skew between this host and the store), because a backup restarts the age of a blob it"
              + " reuses only when the blob is older than 1h; how long backups run does not matter (default "
              + Durations.format(DEFAULT_GRACE)
              + ")");
    }
    if (parallelism < 1 || parallelism > 256) {
      throw new IllegalArgumentException("--parallelism must be between 1 and 256, got " + parallelism);
    }
  }

  public GcOptions(Duration grace, boolean dryRun, int parallelism, Clock clock) {
    this(grace, dryRun, parallelism, clock, false);
  }

  public static GcOptions defaults() {
    return new GcOptions(DEFAULT_GRACE, false, DEFAULT_PARALLELISM, Clock.systemUTC());
  }

  public GcOptions withGrace(Duration g) {
    return new GcOptions(g, dryRun, parallelism, clock, allowShortGrace);
  }

  public GcOptions withDryRun(boolean d) {
    return new GcOptions(grace, d, parallelism, clock, allowShortGrace);
  }

  public GcOptions withParallelism(int n) {
    return new GcOptions(grace, dryRun, n, clock, allowShortGrace);
  }

  public GcOptions withClock(Clock c) {
    return new GcOptions(grace, dryRun, parallelism, c, allowShortGrace);
  }

  /** A short grace for tests: {@code GcOptions.defaults().allowingShortGrace().withGrace(Duration.ofSeconds(2))}. */
  public GcOptions allowingShortGrace() {
    return new GcOptions(grace, dryRun, parallelism, clock, true);
  }
}
