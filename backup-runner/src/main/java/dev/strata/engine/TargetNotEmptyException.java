package dev.strata.engine;

/** A restore in mode empty found something in its target; nothing was written. */
public class TargetNotEmptyException extends IllegalArgumentException {
  public TargetNotEmptyException(String message) {
    super(message);
  }
}
