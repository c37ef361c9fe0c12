package dev.strata.e2e.support;

import java.time.Duration;
import java.util.function.Supplier;

/** Polling until a condition holds, for code that cannot depend on Awaitility (it is main code). */
public final class Waits {

  private Waits() {}

  /**
   * Polls {@code check} until it returns true; throws with {@code what} and the last failure on
   * timeout.
   */
  public static void until(
      String what, Duration timeout, Duration interval, Supplier<Boolean> check) {
    long deadline = System.nanoTime() + timeout.toNanos();
    RuntimeException last = null;
    while (true) {
      try {
        if (Boolean.TRUE.equals(check.get())) {
          return;
        }
        last = null;
      } catch (RuntimeException e) {
        last = e;
      }
      if (System.nanoTime() > deadline) {
        String cause = last == null ? "" : " (last error: " + last.getMessage() + ")";
        throw new IllegalStateException(
            "Timed out after " + timeout.toSeconds() + "s waiting for " + what + cause, last);
      }
      sleep(interval);
    }
  }

  public static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted", e);
    }
  }
}
