package dev.strata.engine;

/** A file changed, shrank or vanished while a backup read it; nothing was committed. The message names the file. */
public class SourceChangedException extends IllegalStateException {
  public SourceChangedException(String message) {
    super(message);
  }

  public SourceChangedException(String message, Throwable cause) {
    super(message, cause);
  }
}
