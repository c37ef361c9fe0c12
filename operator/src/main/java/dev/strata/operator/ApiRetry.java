package dev.strata.operator;

import dev.strata.engine.store.RetryPolicy;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes API calls that one hiccup must not fail: a store's check reading its Secret, a runner
 * Job's creation. A transient failure (a 5xx or 429 that the client's own retries did not get past,
 * a reset connection, a timeout) is tried again with a short capped, jittered backoff, a few
 * seconds in all; anything else (403, 404, 409, 422...) and the last transient failure are thrown
 * as they are, for the caller to report. The client's own retry does not cover a request that timed
 * out (its request timeout bounds its retries too), which is what an API server does while it comes
 * up, or an operator while its connections are new.
 */
public final class ApiRetry {

  private static final Logger LOG = LoggerFactory.getLogger(ApiRetry.class);

  /**
   * 250 ms, 500 ms, 1 s, 2 s: five attempts, at most 4 s of waiting and 10 s in all (besides the
   * calls' own time).
   */
  public static final ApiRetry DEFAULT =
      new ApiRetry(
          new RetryPolicy(
              Duration.ofMillis(250), 2.0, Duration.ofSeconds(2), 0.5, 5, Duration.ofSeconds(10)));

  private final RetryPolicy policy;

  public ApiRetry(RetryPolicy policy) {
    this.policy = policy;
  }

  /**
   * @param what the call, for the log ("read Secret ns/minio-credentials")
   */
  public <T> T call(String what, Supplier<T> call) {
    long start = System.nanoTime();
    for (int attempt = 1; ; attempt++) {
      try {
        return call.get();
      } catch (KubernetesClientException e) {
        Duration delay =
            attempt < policy.maxAttempts() && isTransient(e)
                ? policy.delay(attempt, ThreadLocalRandom.current().nextDouble())
                : null;
        if (delay == null
            || Duration.ofNanos(System.nanoTime() - start).plus(delay).compareTo(policy.deadline())
                > 0) {
          throw e;
        }
        LOG.info(
            "{}: {} (attempt {}), trying again in {} ms",
            what,
            describe(e),
            attempt,
            delay.toMillis());
        try {
          Thread.sleep(delay.toMillis());
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  /**
   * A 5xx or 429, or no answer at all (a reset, a refused connection, a timeout); never a 4xx the
   * server decided.
   */
  public static boolean isTransient(KubernetesClientException e) {
    int code = e.getCode();
    if (code >= 500 || code == 429) {
      return true;
    }
    if (code >= 400) {
      return false;
    }
    for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
      if (t instanceof IOException || t instanceof TimeoutException) {
        return true;
      }
    }
    return false;
  }

  private static String describe(KubernetesClientException e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return e.getCode() > 0
        ? "HTTP " + e.getCode() + (e.getStatus() == null ? "" : " " + e.getStatus().getMessage())
        : root.getClass().getSimpleName()
            + (root.getMessage() == null ? "" : ": " + root.getMessage());
  }
}
