package dev.strata.engine;

/**
 * How a restore runs.
 *
 * @param mode what to do with what the target holds
 * @param parallelism blobs fetched, verified and written at once
 * @param fullCheck in sync mode, hash local files even when their size and mtime match the index
 * @param fsync flush every restored file and directory to disk before the restore reports done (the default; off only
 *     for scratch targets, where a crash right after a restore may leave files that are empty or short)
 */
public record RestoreOptions(RestoreMode mode, int parallelism, boolean fullCheck, boolean fsync) {

  public RestoreOptions {
    if (parallelism < 1 || parallelism > 256) {
      throw new IllegalArgumentException("--parallelism must be between 1 and 256, got " + parallelism);
    }
  }

  public RestoreOptions(RestoreMode mode, int parallelism, boolean fullCheck) {
    this(mode, parallelism, fullCheck, true);
  }

  public static RestoreOptions of(RestoreMode mode) {
    return new RestoreOptions(mode, BackupOptions.DEFAULT_PARALLELISM, false, true);
  }

  public RestoreOptions withFsync(boolean f) {
    return new RestoreOptions(mode, parallelism, fullCheck, f);
  }
}
