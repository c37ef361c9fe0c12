package dev.strata.engine.store;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Retries another store's TRANSIENT failures (and INTEGRITY failures of puts: the bytes were
 * damaged on the way and a resend carries the same bytes again) under a {@link RetryPolicy}.
 * PERMANENT and NOT_FOUND failures pass through at once. Every operation of the store contract is
 * idempotent, so a retry after an unknown outcome (a connection lost after the server acted) is
 * safe.
 *
 * <p>A retry is logged as one line naming the operation and key; the first retry of an operation at
 * DEBUG (single blips are routine with S3), later ones at INFO.
 */
public final class RetryingBlobStoreManager implements BlobStoreManager {

  private static final Logger log = LoggerFactory.getLogger(RetryingBlobStoreManager.class);

  /** Waits; tests pass one that only records. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  private final BlobStoreManager delegate;
  private final RetryPolicy policy;
  private final Sleeper sleeper;
  private final LongSupplier nanoClock;
  private final DoubleSupplier random;

  public RetryingBlobStoreManager(BlobStoreManager delegate, RetryPolicy policy) {
    this(
        delegate,
        policy,
        d -> Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000),
        System::nanoTime,
        () -> ThreadLocalRandom.current().nextDouble());
  }

  /**
   * @param nanoClock a monotonic clock in nanoseconds, like {@link System#nanoTime()}
   * @param random uniform numbers in [0, 1) for the jitter
   */
  public RetryingBlobStoreManager(
      BlobStoreManager delegate,
      RetryPolicy policy,
      Sleeper sleeper,
      LongSupplier nanoClock,
      DoubleSupplier random) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    this.random = Objects.requireNonNull(random, "random");
  }

  public BlobStoreManager delegate() {
    return delegate;
  }

  public RetryPolicy policy() {
    return policy;
  }

  @Override
  public String location() {
    return delegate.location();
  }

  @Override
  public void checkAccess() {
    run(
        "checkAccess",
        null,
        false,
        () -> {
          delegate.checkAccess();
          return null;
        });
  }

  @Override
  public void initialize() {
    run(
        "initialize",
        null,
        false,
        () -> {
          delegate.initialize();
          return null;
        });
  }

  @Override
  public void put(String key, byte[] data, int length, byte[] sha256, Metadata metadata) {
    run(
        "put",
        key,
        true,
        () -> {
          delegate.put(key, data, length, sha256, metadata);
          return null;
        });
  }

  @Override
  public void putWithCrc32c(String key, byte[] data, int length, int crc32c, Metadata metadata) {
    run(
        "put",
        key,
        true,
        () -> {
          delegate.putWithCrc32c(key, data, length, crc32c, metadata);
          return null;
        });
  }

  @Override
  public void putWithCrc32c(String key, java.nio.ByteBuffer data, int crc32c, Metadata metadata) {
    run(
        "put",
        key,
        true,
        () -> {
          delegate.putWithCrc32c(key, data.duplicate(), crc32c, metadata);
          return null;
        });
  }

  /**
   * Retries opening the range; a failure while the stream is read is the reader's to retry (from
   * where it got).
   */
  @Override
  public java.io.InputStream openRange(String key, long offset, long length, Metadata metadata) {
    return run("get", key, false, () -> delegate.openRange(key, offset, length, metadata));
  }

  @Override
  public byte[] get(String key, Metadata metadata) {
    return run("get", key, false, () -> delegate.get(key, metadata));
  }

  @Override
  public int getInto(String key, byte[] buf, Metadata metadata) {
    return run("get", key, false, () -> delegate.getInto(key, buf, metadata));
  }

  @Override
  public Optional<ObjectInfo> stat(String key, Metadata metadata) {
    return run("stat", key, false, () -> delegate.stat(key, metadata));
  }

  @Override
  public void delete(String key, Metadata metadata) {
    run(
        "delete",
        key,
        false,
        () -> {
          delegate.delete(key, metadata);
          return null;
        });
  }

  @Override
  public void removeTTL(String key, Metadata metadata) {
    run(
        "removeTTL",
        key,
        false,
        () -> {
          delegate.removeTTL(key, metadata);
          return null;
        });
  }

  /**
   * A listing that fails part-way is restarted from the beginning; entries already handed to {@code
   * consumer} are skipped (by key, since listings come in key order), so the consumer sees each key
   * once, in order.
   */
  @Override
  public void list(String prefix, Consumer<ObjectInfo> consumer, Metadata metadata) {
    byte[][] last = {null};
    run(
        "list",
        prefix,
        false,
        () -> {
          delegate.list(
              prefix,
              info -> {
                byte[] key = info.key().getBytes(StandardCharsets.UTF_8);
                // S3 lists in UTF-8 byte order; compare the same way.
                if (last[0] != null && Arrays.compareUnsigned(key, last[0]) <= 0) {
                  return;
                }
                consumer.accept(info);
                last[0] = key;
              },
              metadata);
          return null;
        });
  }

  @Override
  public long deleteAbandonedWrites(java.time.Instant before, boolean dryRun) {
    return delegate.deleteAbandonedWrites(before, dryRun);
  }

  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public String toString() {
    return "Retrying[" + delegate + "]";
  }

  static final int MAX_INTEGRITY_ATTEMPTS = 3;

  private <T> T run(String op, String key, boolean retryIntegrity, Supplier<T> call) {
    long start = nanoClock.getAsLong();
    long deadline = policy.deadline().toNanos();
    for (int attempt = 1; ; attempt++) {
      StoreException failure;
      try {
        return call.get();
      } catch (StoreException e) {
        failure = e;
      }
      // Bytes damaged on the way are worth resending a few times; a digest that never matches is
      // not transient.
      boolean retriable =
          failure.kind() == StoreException.Kind.TRANSIENT
              || retryIntegrity
                  && failure.kind() == StoreException.Kind.INTEGRITY
                  && attempt < MAX_INTEGRITY_ATTEMPTS;
      if (!retriable) {
        throw failure;
      }
      long elapsed = nanoClock.getAsLong() - start;
      Duration delay = policy.delay(attempt, random.getAsDouble());
      if (attempt >= policy.maxAttempts() || elapsed + delay.toNanos() > deadline) {
        if (policy.maxAttempts() == 1) {
          throw failure; // a policy without retries changes nothing, not even the message
        }
        String attempts = attempt + (attempt == 1 ? " attempt" : " attempts");
        throw new StoreException(
            failure.kind(),
            failure.reason(),
            "gave up after " + attempts + " over " + seconds(elapsed) + ": " + failure.getMessage(),
            failure);
      }
      if (attempt == 1) {
        log.debug(
            "retry {} of {} {} in {} ms after {}: {}",
            attempt,
            op,
            quoted(key),
            delay.toMillis(),
            failure.kind(),
            failure.getMessage());
      } else {
        log.info(
            "retry {} of {} {} in {} ms after {}: {}",
            attempt,
            op,
            quoted(key),
            delay.toMillis(),
            failure.kind(),
            failure.getMessage());
      }
      try {
        sleeper.sleep(delay);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        StoreException interrupted =
            new StoreException(
                StoreException.Kind.PERMANENT,
                op
                    + " "
                    + quoted(key)
                    + " was interrupted while waiting to retry after: "
                    + failure.getMessage(),
                e);
        interrupted.addSuppressed(failure);
        throw interrupted;
      }
    }
  }

  private static String quoted(String key) {
    return key == null ? "" : "'" + key + "'";
  }

  private static String seconds(long nanos) {
    return String.format(java.util.Locale.ROOT, "%.1f s", nanos / 1e9);
  }
}
