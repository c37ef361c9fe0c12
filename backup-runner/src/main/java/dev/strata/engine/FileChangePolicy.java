package dev.strata.engine;

import java.util.Locale;

/**
 * What a backup does with a file that keeps changing while it is read (its size, mtime, ctime or
 * inode differ before and after the read, after the bounded number of re-reads). A file that
 * vanishes is always left out of the snapshot, with a warning.
 */
public enum FileChangePolicy {
  /**
   * Fail the backup, naming the file; nothing is committed (the default: back up a consistent
   * copy).
   */
  FAIL,
  /**
   * Commit the last read and mark the file in the index as changed ({@code "changed": true}, listed
   * in the result), for a live database whose log files are appended all the time: the snapshot
   * says which files may mix moments.
   */
  RECORD;

  public static FileChangePolicy parse(String s) {
    try {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown file-change policy '" + s + "': use fail or record");
    }
  }
}
