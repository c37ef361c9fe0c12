package dev.strata.engine.index;

/**
 * An index that cannot be read or must not be trusted: unknown format version, malformed JSON,
 * unsafe names.
 */
public class IndexFormatException extends RuntimeException {
  public IndexFormatException(String message) {
    super(message);
  }

  public IndexFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
