package dev.strata.engine;

/**
 * A restore failed after it had begun to change the target (while moving files into place): the
 * target is partly restored. Unlike a failure before that point, this one cannot be shrugged off
 * with {@code --on-failure continue}.
 */
public class RestoreCommitException extends IllegalStateException {
  public RestoreCommitException(String message, Throwable cause) {
    super(message, cause);
  }
}
