package dev.strata.engine;

import dev.strata.engine.format.UserKey;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * How garbage collection runs.
 *
 * @param grace an unreferenced blob or pack is deleted only when it is older than this, and a
 *     tombstone keeps a forgotten snapshot's blobs for this long. It must exceed the backups'
 *     refresh age (1 h) plus any clock skew: a backup restarts the age of an old pack it relies on
 *     only when it is older than the refresh age
 * @param dryRun delete nothing; report what would be deleted
 * @param parallelism indexes read, and objects deleted, at once
 * @param clock what "now" is; the ages of objects are measured against it
 * @param allowShortGrace accept a grace below {@link #MIN_GRACE}; only for tests, whose backups
 *     last milliseconds and use a short refresh age
 * @param key the store's key, when it is encrypted (the collector reads every snapshot)
 * @param repackBelow a pack older than the grace period whose referenced blobs take less than this
 *     fraction of it is repacked: those blobs are copied into new packs and the old pack deleted
 * @param maxRepackBytes at most this many bytes are copied by one collection (the rest waits for
 *     the next)
 */
public record GcOptions(
    Duration grace,
    boolean dryRun,
    int parallelism,
    Clock clock,
    boolean allowShortGrace,
    UserKey key,
    double repackBelow,
    long maxRepackBytes) {

  public static final Duration DEFAULT_GRACE = Duration.ofHours(6);
  public static final Duration MIN_GRACE = BackupOptions.DEFAULT_REFRESH_AGE;
  public static final int DEFAULT_PARALLELISM = 8;
  public static final double DEFAULT_REPACK_BELOW = 0.5;
  public static final long DEFAULT_MAX_REPACK_BYTES = 1L << 30;

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
      throw new IllegalArgumentException(
          "--parallelism must be between 1 and 256, got " + parallelism);
    }
    if (!(repackBelow >= 0 && repackBelow <= 1)) {
      throw new IllegalArgumentException(
          "--repack-below must be between 0 and 1, got " + repackBelow);
    }
    if (maxRepackBytes < 0) {
      throw new IllegalArgumentException(
          "--max-repack must not be negative, got " + maxRepackBytes);
    }
  }

  public GcOptions(
      Duration grace, boolean dryRun, int parallelism, Clock clock, boolean allowShortGrace) {
    this(
        grace,
        dryRun,
        parallelism,
        clock,
        allowShortGrace,
        null,
        DEFAULT_REPACK_BELOW,
        DEFAULT_MAX_REPACK_BYTES);
  }

  public GcOptions(Duration grace, boolean dryRun, int parallelism, Clock clock) {
    this(grace, dryRun, parallelism, clock, false);
  }

  public static GcOptions defaults() {
    return new GcOptions(DEFAULT_GRACE, false, DEFAULT_PARALLELISM, Clock.systemUTC());
  }

  public GcOptions withGrace(Duration g) {
    return new GcOptions(
        g, dryRun, parallelism, clock, allowShortGrace, key, repackBelow, maxRepackBytes);
  }

  public GcOptions withDryRun(boolean d) {
    return new GcOptions(
        grace, d, parallelism, clock, allowShortGrace, key, repackBelow, maxRepackBytes);
  }

  public GcOptions withParallelism(int n) {
    return new GcOptions(
        grace, dryRun, n, clock, allowShortGrace, key, repackBelow, maxRepackBytes);
  }

  public GcOptions withClock(Clock c) {
    return new GcOptions(
        grace, dryRun, parallelism, c, allowShortGrace, key, repackBelow, maxRepackBytes);
  }

  public GcOptions withKey(UserKey k) {
    return new GcOptions(
        grace, dryRun, parallelism, clock, allowShortGrace, k, repackBelow, maxRepackBytes);
  }

  public GcOptions withRepack(double below, long maxBytes) {
    return new GcOptions(grace, dryRun, parallelism, clock, allowShortGrace, key, below, maxBytes);
  }

  /**
   * A short grace for tests: {@code
   * GcOptions.defaults().allowingShortGrace().withGrace(Duration.ofSeconds(2))}.
   */
  public GcOptions allowingShortGrace() {
    return new GcOptions(grace, dryRun, parallelism, clock, true, key, repackBelow, maxRepackBytes);
  }
}
