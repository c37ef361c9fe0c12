package dev.strata.engine;

import java.util.Locale;

/** What a restore does with what the target already holds. */
public enum RestoreMode {
  /** Refuse a target that holds anything. */
  EMPTY,
  /** Write every file of the snapshot over whatever is there; leave other files alone. */
  OVERWRITE,
  /**
   * Make the target equal the snapshot: keep what matches, fetch only what differs, remove what the
   * snapshot lacks.
   */
  SYNC;

  public static RestoreMode parse(String s) {
    try {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown restore mode '" + s + "': use empty, overwrite or sync");
    }
  }
}
