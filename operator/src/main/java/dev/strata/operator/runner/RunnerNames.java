package dev.strata.operator.runner;

import dev.strata.engine.Hashing;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.charset.StandardCharsets;

/**
 * Deterministic names of what a runner run creates, so a retry or a restarted operator finds what
 * exists.
 */
public final class RunnerNames {

  private RunnerNames() {}

  /**
   * A Job name of at most 63 characters: the object's name plus a suffix, shortened with a hash
   * when too long.
   */
  public static String jobName(String objectName, String suffix) {
    String plain = objectName + "-" + suffix;
    if (plain.length() <= 63) {
      return plain;
    }
    String hash =
        Hashing.hex(Hashing.sha256(objectName.getBytes(StandardCharsets.UTF_8))).substring(0, 8);
    String head = objectName.substring(0, 63 - suffix.length() - hash.length() - 2);
    return head.replaceAll("[-.]+$", "") + "-" + hash + "-" + suffix;
  }

  /**
   * Who made a snapshot, recorded in its index so the operator can find it even without a status.
   */
  public static String createdBy(HasMetadata owner) {
    return owner.getKind().toLowerCase()
        + "/"
        + owner.getMetadata().getNamespace()
        + "/"
        + owner.getMetadata().getName()
        + "/"
        + owner.getMetadata().getUid();
  }

  /** The name of a run's live progress object in the store. */
  public static String progressObject(HasMetadata owner) {
    // The uid alone is unique and short enough for any name length.
    return owner.getKind().toLowerCase() + "-" + owner.getMetadata().getUid();
  }
}
