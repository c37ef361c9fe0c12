package dev.strata.operator.runner;

import dev.strata.api.v1alpha1.TransferProgress;
import dev.strata.engine.Sizes;

/**
 * A run's progress as people read it in {@code kubectl get}: "1.2 GiB / 3.4 GiB (35%)". Never 100%
 * before the run succeeded (the last bytes are followed by the index, and a run may still fail),
 * and nothing while the total is not known yet.
 */
public final class ProgressSummary {

  private ProgressSummary() {}

  /**
   * @return the summary, or null when there is nothing to say yet
   */
  public static String of(TransferProgress p, boolean succeeded) {
    if (p == null) {
      return null;
    }
    long total = p.bytesTotal() == null ? 0 : p.bytesTotal();
    long done = p.bytesDone() == null ? 0 : Math.min(p.bytesDone(), Math.max(total, 0));
    if (succeeded) {
      return Sizes.human(total) + " / " + Sizes.human(total) + " (100%)";
    }
    if (total <= 0) {
      return null;
    }
    long percent = Math.min(99, done * 100 / total);
    return Sizes.human(done) + " / " + Sizes.human(total) + " (" + percent + "%)";
  }
}
