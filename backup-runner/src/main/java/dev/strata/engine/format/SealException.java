package dev.strata.engine.format;

/**
 * Bytes that fail authentication or their checksum: tampered with, damaged, moved to another name,
 * or sealed under another key.
 */
public class SealException extends RuntimeException {
  public SealException(String message) {
    super(message);
  }

  public SealException(String message, Throwable cause) {
    super(message, cause);
  }
}
