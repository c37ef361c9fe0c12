package dev.strata.engine;

/**
 * A file kept changing while a backup read it, and the policy is to fail; the message names the
 * file.
 */
public class FileChangedException extends IllegalStateException {
  public FileChangedException(String message) {
    super(message);
  }
}
