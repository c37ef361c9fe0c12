package dev.strata.engine;

import dev.strata.engine.format.UserKey;

/**
 * How a restore runs.
 *
 * @param mode what to do with what the target holds
 * @param parallelism blobs fetched, verified and written at once
 * @param fullCheck in sync mode, hash local files even when their size and mtime match the index
 * @param fsync flush what the restore wrote to disk before it reports done (the default; off only
 *     for scratch targets, where a crash right after a restore may leave files that are empty or
 *     short)
 * @param key the store's key, when it is encrypted
 * @param rangeGap two blobs of one pack are fetched with one ranged request when at most this many
 *     bytes lie between them (those bytes are read and dropped); further apart, with two. A request
 *     costs about as much as this many bytes: on loopback about a megabyte, on a WAN link more
 * @param selection the paths to restore, null for the whole snapshot: only they are written, and in
 *     sync mode only they are removed when the snapshot lacks them
 */
public record RestoreOptions(
    RestoreMode mode,
    int parallelism,
    boolean fullCheck,
    boolean fsync,
    UserKey key,
    int rangeGap,
    PathSelection selection) {

  public static final int DEFAULT_RANGE_GAP = 1 << 20;

  public RestoreOptions {
    if (parallelism < 1 || parallelism > 256) {
      throw new IllegalArgumentException(
          "--parallelism must be between 1 and 256, got " + parallelism);
    }
    if (rangeGap < 0) {
      throw new IllegalArgumentException("the range gap must not be negative, got " + rangeGap);
    }
  }

  public RestoreOptions(
      RestoreMode mode,
      int parallelism,
      boolean fullCheck,
      boolean fsync,
      UserKey key,
      int rangeGap) {
    this(mode, parallelism, fullCheck, fsync, key, rangeGap, null);
  }

  public RestoreOptions(RestoreMode mode, int parallelism, boolean fullCheck, boolean fsync) {
    this(mode, parallelism, fullCheck, fsync, null, DEFAULT_RANGE_GAP);
  }

  public RestoreOptions(RestoreMode mode, int parallelism, boolean fullCheck) {
    this(mode, parallelism, fullCheck, true);
  }

  public static RestoreOptions of(RestoreMode mode) {
    return new RestoreOptions(mode, BackupOptions.DEFAULT_PARALLELISM, false, true);
  }

  public RestoreOptions withFsync(boolean f) {
    return new RestoreOptions(mode, parallelism, fullCheck, f, key, rangeGap, selection);
  }

  public RestoreOptions withKey(UserKey k) {
    return new RestoreOptions(mode, parallelism, fullCheck, fsync, k, rangeGap, selection);
  }

  public RestoreOptions withRangeGap(int gap) {
    return new RestoreOptions(mode, parallelism, fullCheck, fsync, key, gap, selection);
  }

  public RestoreOptions withSelection(PathSelection s) {
    return new RestoreOptions(mode, parallelism, fullCheck, fsync, key, rangeGap, s);
  }
}
