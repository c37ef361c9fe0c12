package dev.strata.engine;

import dev.strata.engine.index.IndexFormatException;
import dev.strata.engine.report.RunError;
import dev.strata.engine.report.RunError.Cause;
import dev.strata.engine.store.StoreException;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Turns what the engine throws into the {@link RunError} of the runner's contract: the one place
 * causes are decided.
 */
public final class RunErrors {

  private RunErrors() {}

  /**
   * The error for a failed run: {@code message} as the person should read it, the cause classified
   * from {@code e}.
   */
  public static RunError of(Throwable e, String message) {
    return new RunError(message, causeOf(e));
  }

  /**
   * The cause of a failure, from the types the engine throws (never from messages). The chain is
   * walked because worker pools and retries wrap what they caught; the first exception of a known
   * type decides.
   */
  public static Cause causeOf(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof StoreException s) {
        return of(s.reason());
      }
      if (t instanceof TargetNotEmptyException) {
        return Cause.NOT_EMPTY;
      }
      if (t instanceof FileChangedException) {
        return Cause.FILE_CHANGED;
      }
      if (t instanceof IntegrityException || t instanceof IndexFormatException) {
        return Cause.CORRUPT_DATA;
      }
      if (t instanceof SnapshotNotFoundException) {
        return Cause.SNAPSHOT_MISSING;
      }
      if (t instanceof UncheckedIOException || t instanceof IOException) {
        return Cause
            .VOLUME_ERROR; // the store's I/O errors arrive as StoreExceptions; these are local
        // files
      }
      if (t instanceof IllegalArgumentException) {
        return Cause.USAGE;
      }
    }
    return Cause.INTERNAL;
  }

  /** The cause of a store's failure (also what a store check reports). */
  public static Cause of(StoreException.Reason reason) {
    return switch (reason) {
      case UNREACHABLE -> Cause.STORE_UNREACHABLE;
      case ACCESS_DENIED -> Cause.ACCESS_DENIED;
      case INVALID_CREDENTIALS -> Cause.INVALID_CREDENTIALS;
      case UNTRUSTED_CERTIFICATE -> Cause.UNTRUSTED_CERTIFICATE;
      case BUCKET_MISSING -> Cause.BUCKET_MISSING;
      case REJECTED -> Cause.STORE_REJECTED;
      // An object a run needs is gone (an index names a blob the store lost): the store's data is
      // damaged.
      case NOT_FOUND, INTEGRITY -> Cause.CORRUPT_DATA;
    };
  }
}
