package dev.strata.engine.format;

import dev.strata.engine.index.IndexFormatException;

/**
 * A store, or an object in it, of a format this Strata does not read (a newer release wrote it), or
 * malformed.
 */
public class UnsupportedFormatException extends IndexFormatException {
  public UnsupportedFormatException(String message) {
    super(message);
  }
}
