package dev.strata.engine;

/** Bytes that do not match the checksum the index holds for them. The message names the file. */
public class IntegrityException extends RuntimeException {
  public IntegrityException(String message) {
    super(message);
  }
}
