package dev.strata.cli;

/**
 * A command line that cannot work as written: exit code 2, with a message that says what to change.
 */
public class UsageException extends RuntimeException {
  public UsageException(String message) {
    super(message);
  }
}
