package dev.strata.engine;

import dev.strata.engine.format.Compression;
import dev.strata.engine.format.Repository;
import dev.strata.engine.format.StoreConfig;
import dev.strata.engine.format.UserKey;
import java.time.Clock;
import java.time.Duration;

/**
 * How a backup runs.
 *
 * @param parallelism blobs read, hashed and uploaded at once (each holds one chunk buffer)
 * @param fullCheck hash every file instead of trusting name, size and mtime
 * @param chunkSize the size files are split into for a source's first snapshot (later ones keep the
 *     previous index's, so content stays deduplicated)
 * @param createdBy the job or workload that makes the snapshot, recorded in its metadata
 * @param refreshAge a blob found in the store but in no snapshot this backup knows is touched (its
 *     grace clock restarted) when it is older than this, so garbage collection cannot take it
 *     before the index commits; at the commit, every blob the snapshot relies on that was written,
 *     found or touched more than half of this ago is touched again, so the collector's grace period
 *     protects it however long the backup ran
 * @param clock what "now" is for the snapshot's creation time and the ages above
 * @param changeRetries how many times a file that changed while it was read is read again before
 *     {@code onFileChange} decides (0 to 100)
 * @param onFileChange what to do with a file still changing after those re-reads
 * @param compression how new blobs are compressed
 * @param key the user's key of an encrypted store (or of a store this backup creates encrypted);
 *     null for none
 * @param init how a store is created when this backup finds none (format 2: encryption, pack size,
 *     chunker)
 */
public record BackupOptions(
    int parallelism,
    boolean fullCheck,
    int chunkSize,
    String createdBy,
    Duration refreshAge,
    Clock clock,
    int changeRetries,
    FileChangePolicy onFileChange,
    Compression compression,
    UserKey key,
    Repository.Init init) {

  public static final int DEFAULT_CHANGE_RETRIES = 3;

  public BackupOptions(
      int parallelism,
      boolean fullCheck,
      int chunkSize,
      String createdBy,
      Duration refreshAge,
      Clock clock) {
    this(
        parallelism,
        fullCheck,
        chunkSize,
        createdBy,
        refreshAge,
        clock,
        DEFAULT_CHANGE_RETRIES,
        FileChangePolicy.FAIL,
        Compression.AUTO,
        null,
        Repository.Init.DEFAULT);
  }

  public static final int DEFAULT_PARALLELISM = 8;
  public static final int DEFAULT_CHUNK_SIZE = 4 * 1024 * 1024;

  /**
   * Garbage collection's grace period must exceed this (see {@link GcOptions}); backups may last
   * longer than it.
   */
  public static final Duration DEFAULT_REFRESH_AGE = Duration.ofHours(1);

  public BackupOptions {
    if (parallelism < 1 || parallelism > 256) {
      throw new IllegalArgumentException(
          "--parallelism must be between 1 and 256, got " + parallelism);
    }
    if (chunkSize < 4 * 1024 || chunkSize > 64 * 1024 * 1024) {
      throw new IllegalArgumentException(
          "chunk size must be between 4 KiB and 64 MiB, got " + chunkSize);
    }
    if (refreshAge == null || refreshAge.isNegative()) {
      throw new IllegalArgumentException("refreshAge must not be negative, got " + refreshAge);
    }
    if (changeRetries < 0 || changeRetries > 100) {
      throw new IllegalArgumentException(
          "--file-change-retries must be between 0 and 100, got " + changeRetries);
    }
    if (onFileChange == null) {
      onFileChange = FileChangePolicy.FAIL;
    }
    if (compression == null) {
      compression = Compression.AUTO;
    }
    if (init == null) {
      init = Repository.Init.DEFAULT;
    }
  }

  public static BackupOptions defaults() {
    return new BackupOptions(
        DEFAULT_PARALLELISM,
        false,
        DEFAULT_CHUNK_SIZE,
        null,
        DEFAULT_REFRESH_AGE,
        Clock.systemUTC());
  }

  public BackupOptions withParallelism(int n) {
    return new BackupOptions(
        n,
        fullCheck,
        chunkSize,
        createdBy,
        refreshAge,
        clock,
        changeRetries,
        onFileChange,
        compression,
        key,
        init);
  }

  public BackupOptions withFullCheck(boolean b) {
    return new BackupOptions(
        parallelism,
        b,
        chunkSize,
        createdBy,
        refreshAge,
        clock,
        changeRetries,
        onFileChange,
        compression,
        key,
        init);
  }

  /**
   * The chunk size of a format-1 source's first snapshot; for a store this backup creates in format
   * 2, the average of its content-defined chunks (a power of two; the bounds are a quarter and four
   * times it). Tests use small ones.
   */
  public BackupOptions withChunkSize(int size) {
    Repository.Init i = init;
    if (Integer.bitCount(size) == 1) {
      i = init.withChunker(new StoreConfig.ChunkerParams("fastcdc", size / 4, size, size * 4));
    }
    return new BackupOptions(
        parallelism,
        fullCheck,
        size,
        createdBy,
        refreshAge,
        clock,
        changeRetries,
        onFileChange,
        compression,
        key,
        i);
  }

  public BackupOptions withCompression(Compression c) {
    return new BackupOptions(
        parallelism,
        fullCheck,
        chunkSize,
        createdBy,
        refreshAge,
        clock,
        changeRetries,
        onFileChange,
        c,
        key,
        init);
  }

  public BackupOptions withKey(UserKey k) {
    return new BackupOptions(
        parallelism,
        fullCheck,
        chunkSize,
        createdBy,
        refreshAge,
        clock,
        changeRetries,
        onFileChange,
        compression,
        k,
        init);
  }

  public BackupOptions withInit(Repository.Init i) {
    return new BackupOptions(
        parallelism,
        fullCheck,
        chunkSize,
        createdBy,
        refreshAge,
        clock,
        changeRetries,
        onFileChange,
        compression,
        key,
        i);
  }

  public BackupOptions withCreatedBy(String who) {
    return new BackupOptions(
        parallelism,
        fullCheck,
        chunkSize,
        who,
        refreshAge,
        clock,
        changeRetries,
        onFileChange,
        compression,
        key,
        init);
  }

  /**
   * Tests with a garbage collector of a short grace period shorten this too (the grace must exceed
   * it).
   */
  public BackupOptions withRefreshAge(Duration age) {
    return new BackupOptions(
        parallelism,
        fullCheck,
        chunkSize,
        createdBy,
        age,
        clock,
        changeRetries,
        onFileChange,
        compression,
        key,
        init);
  }

  public BackupOptions withClock(Clock c) {
    return new BackupOptions(
        parallelism,
        fullCheck,
        chunkSize,
        createdBy,
        refreshAge,
        c,
        changeRetries,
        onFileChange,
        compression,
        key,
        init);
  }

  public BackupOptions withChangeRetries(int n) {
    return new BackupOptions(
        parallelism,
        fullCheck,
        chunkSize,
        createdBy,
        refreshAge,
        clock,
        n,
        onFileChange,
        compression,
        key,
        init);
  }

  public BackupOptions withOnFileChange(FileChangePolicy p) {
    return new BackupOptions(
        parallelism,
        fullCheck,
        chunkSize,
        createdBy,
        refreshAge,
        clock,
        changeRetries,
        p,
        compression,
        key,
        init);
  }
}
