package dev.strata.engine.format;

import java.util.Locale;

/**
 * How a backup compresses the blobs it stores (zstd, per blob). {@code AUTO} tries a small sample
 * of each chunk first and stores what does not shrink as it is, so random data (most SST files)
 * costs one cheap test per chunk; {@code MAX} spends much more CPU for somewhat smaller text;
 * {@code OFF} stores every chunk as it is. The choice is per backup: a store may hold blobs of
 * every kind, and readers handle them all.
 */
public enum Compression {
  AUTO(3),
  OFF(0),
  MAX(12);

  /** The zstd level used for chunks that are compressed. */
  public final int level;

  Compression(int level) {
    this.level = level;
  }

  public static Compression parse(String s) {
    try {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException("unknown compression '" + s + "': use auto, off or max");
    }
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
