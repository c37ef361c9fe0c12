package dev.strata.engine.format;

/**
 * The key given does not open the store: none was given for an encrypted store, none of its key
 * slots matches, or one was given for a store without encryption. Raised before anything is
 * written.
 */
public class KeyException extends RuntimeException {
  public KeyException(String message) {
    super(message);
  }
}
