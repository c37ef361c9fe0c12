package dev.strata.api.v1alpha1;

/**
 * What a backup does with a file still changing after it was read again (the runner's
 * --on-file-change).
 */
public enum OnFileChange {
  /** The backup fails naming the file; nothing is committed. */
  Fail,
  /** The file's last read is committed, marked changed in the index and listed in the status. */
  Record
}
