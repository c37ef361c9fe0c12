package dev.strata.engine.store;

import java.time.Duration;
import java.util.Objects;

/**
 * Capped exponential backoff with jitter, bounded by a number of attempts and an overall deadline.
 *
 * <p>The delay before retry {@code n} (1-based) is {@code min(initialDelay * multiplier^(n-1),
 * maxDelay)}, less a random share of up to {@code jitter} of it: jitter 0 waits exactly the
 * backoff, 1 waits anywhere between 0 and the backoff ("full jitter"). Jitter spreads the retries
 * of many parallel uploads that failed together (a SlowDown burst) so they do not return together.
 *
 * @param initialDelay the delay before the first retry
 * @param multiplier how much each delay grows, at least 1
 * @param maxDelay the cap on any one delay
 * @param jitter the share of each delay that is random, in [0, 1]
 * @param maxAttempts attempts in all, including the first; 1 means no retry
 * @param deadline how long an operation may keep retrying, counted from its first attempt
 */
public record RetryPolicy(
    Duration initialDelay,
    double multiplier,
    Duration maxDelay,
    double jitter,
    int maxAttempts,
    Duration deadline) {

  public RetryPolicy {
    Objects.requireNonNull(initialDelay, "initialDelay");
    Objects.requireNonNull(maxDelay, "maxDelay");
    Objects.requireNonNull(deadline, "deadline");
    if (initialDelay.isNegative() || maxDelay.isNegative() || deadline.isNegative()) {
      throw new IllegalArgumentException("delays and deadline must not be negative");
    }
    if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
      throw new IllegalArgumentException(
          "multiplier must be a finite number of at least 1, not " + multiplier);
    }
    if (!(jitter >= 0.0 && jitter <= 1.0)) {
      throw new IllegalArgumentException("jitter must be between 0 and 1, not " + jitter);
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, not " + maxAttempts);
    }
  }

  /**
   * Samza's shape (100 ms, ×5) with a much lower cap, since a runner pod should hear from a live
   * store within seconds: 100 ms, 500 ms, 2.5 s, then every 10 s, half of each delay random, for at
   * most 5 minutes or 40 attempts.
   */
  public static RetryPolicy defaults() {
    return new RetryPolicy(
        Duration.ofMillis(100), 5.0, Duration.ofSeconds(10), 0.5, 40, Duration.ofMinutes(5));
  }

  /** One attempt, no retry: for tests and for callers that retry at a higher level. */
  public static RetryPolicy noRetry() {
    return new RetryPolicy(Duration.ZERO, 1.0, Duration.ZERO, 0.0, 1, Duration.ZERO);
  }

  public RetryPolicy withMaxAttempts(int maxAttempts) {
    return new RetryPolicy(initialDelay, multiplier, maxDelay, jitter, maxAttempts, deadline);
  }

  public RetryPolicy withDeadline(Duration deadline) {
    return new RetryPolicy(initialDelay, multiplier, maxDelay, jitter, maxAttempts, deadline);
  }

  /** The backoff before retry {@code retry} (1-based), before jitter. */
  public Duration backoff(int retry) {
    if (retry < 1) {
      throw new IllegalArgumentException("retry numbers start at 1, not " + retry);
    }
    double nanos = initialDelay.toNanos() * Math.pow(multiplier, retry - 1);
    long cap = maxDelay.toNanos();
    return Duration.ofNanos(nanos >= cap ? cap : (long) nanos);
  }

  /**
   * The delay before retry {@code retry}, given a uniform random number {@code random} in [0, 1):
   * between {@code backoff * (1 - jitter)} and {@code backoff}.
   */
  public Duration delay(int retry, double random) {
    long backoff = backoff(retry).toNanos();
    return Duration.ofNanos(backoff - (long) (backoff * jitter * random));
  }
}
