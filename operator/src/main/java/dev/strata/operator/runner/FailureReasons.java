package dev.strata.operator.runner;

import dev.strata.engine.report.RunError.Cause;
import java.util.EnumMap;
import java.util.Map;

/**
 * The one place a runner's failure cause becomes a condition reason, for every kind of run and for
 * store checks: stable words people filter and alert on. docs/snapshots.md lists them; a test holds
 * the table to this mapping.
 */
public final class FailureReasons {

  private FailureReasons() {}

  public static String reason(Cause cause) {
    return switch (cause == null ? Cause.INTERNAL : cause) {
      case STORE_UNREACHABLE -> "Unreachable";
      case ACCESS_DENIED -> "AccessDenied";
      case INVALID_CREDENTIALS -> "InvalidCredentials";
      case UNTRUSTED_CERTIFICATE -> "UntrustedCertificate";
      case BUCKET_MISSING -> "BucketNotFound";
      case STORE_REJECTED -> "StoreError";
      case SNAPSHOT_MISSING -> "SnapshotNotFound";
      case NOT_EMPTY -> "TargetNotEmpty";
      case CORRUPT_DATA -> "Corrupt";
      case FILE_CHANGED -> "SourceChanged";
      case VOLUME_ERROR -> "VolumeError";
      case USAGE -> "InvalidArguments";
      case INTERNAL -> "RunnerFailed";
    };
  }

  /** Every cause with its reason. */
  public static Map<Cause, String> all() {
    Map<Cause, String> all = new EnumMap<>(Cause.class);
    for (Cause c : Cause.values()) {
      all.put(c, reason(c));
    }
    return all;
  }
}
