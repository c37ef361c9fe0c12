package dev.strata.engine;

/**
 * A restore of a selection (include and exclude patterns) that matches nothing in the snapshot:
 * nothing was written. Most often a mistyped pattern, which would otherwise pass for a restore.
 */
public class NothingSelectedException extends IllegalArgumentException {
  public NothingSelectedException(String message) {
    super(message);
  }
}
