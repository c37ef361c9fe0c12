package dev.strata.engine;

/**
 * How a restore runs.
 *
 * @param mode what to do with what the target holds
 * @param parallelism blobs fetched, verified and written at once
 * @param fullCheck in sync mode, hash local files even when their size and mtime match the index
 */
public record RestoreOptions(RestoreMode mode, int parallelism, boolean fullCheck) {

  public RestoreOptions {
    if (parallelism < 1 || parallelism > 256) {
      throw new IllegalArgumentException("--parallelism must be between 1 and 256, got " + parallelism);
    }
  }

  public static RestoreOptions of(RestoreMode mode) {
    return new RestoreOptions(mode, BackupOptions.DEFAULT_PARALLELISM, false);
  }
}
