package dev.strata.engine;

import java.time.Clock;
import java.time.Duration;

/**
 * How a backup runs.
 *
 * @param parallelism blobs read, hashed and uploaded at once (each holds one chunk buffer)
 * @param fullCheck hash every file instead of trusting name, size and mtime
 * @param chunkSize the size files are split into for a source's first snapshot (later ones keep the previous index's,
 *     so content stays deduplicated)
 * @param createdBy the job or workload that makes the snapshot, recorded in its metadata
 * @param refreshAge a blob found in the store but in no snapshot this backup knows is touched (its grace clock restarted)
 *     when it is older than this, so garbage collection cannot take it before the index commits
 */
public record BackupOptions(int parallelism, boolean fullCheck, int chunkSize, String createdBy, Duration refreshAge, Clock clock) {

  public static final int DEFAULT_PARALLELISM = 8;
  public static final int DEFAULT_CHUNK_SIZE = 4 * 1024 * 1024;
  /** Garbage collection's grace period must exceed this plus the longest backup (see {@link GcOptions}). */
  public static final Duration DEFAULT_REFRESH_AGE = Duration.ofHours(1);

  public BackupOptions {
    if (parallelism < 1 || parallelism > 256) {
      throw new IllegalArgumentException("--parallelism must be between 1 and 256, got " + parallelism);
    }
    if (chunkSize < 64 * 1024 || chunkSize > 64 * 1024 * 1024) {
      throw new IllegalArgumentException("chunk size must be between 64 KiB and 64 MiB, got " + chunkSize);
    }
    if (refreshAge == null || refreshAge.isNegative()) {
      throw new IllegalArgumentException("refreshAge must not be negative, got " + refreshAge);
    }
  }

  public static BackupOptions defaults() {
    return new BackupOptions(DEFAULT_PARALLELISM, false, DEFAULT_CHUNK_SIZE, null, DEFAULT_REFRESH_AGE, Clock.systemUTC());
  }

  public BackupOptions withParallelism(int n) {
    return new BackupOptions(n, fullCheck, chunkSize, createdBy, refreshAge, clock);
  }

  public BackupOptions withFullCheck(boolean b) {
    return new BackupOptions(parallelism, b, chunkSize, createdBy, refreshAge, clock);
  }

  public BackupOptions withChunkSize(int size) {
    return new BackupOptions(parallelism, fullCheck, size, createdBy, refreshAge, clock);
  }

  public BackupOptions withCreatedBy(String who) {
    return new BackupOptions(parallelism, fullCheck, chunkSize, who, refreshAge, clock);
  }

  /** Tests with a garbage collector of a short grace period shorten this too (the grace must exceed it). */
  public BackupOptions withRefreshAge(Duration age) {
    return new BackupOptions(parallelism, fullCheck, chunkSize, createdBy, age, clock);
  }

  public BackupOptions withClock(Clock c) {
    return new BackupOptions(parallelism, fullCheck, chunkSize, createdBy, refreshAge, c);
  }
}
