package dev.strata.engine.store;

import static dev.strata.engine.store.StoreException.Kind.INTEGRITY;
import static dev.strata.engine.store.StoreException.Kind.NOT_FOUND;
import static dev.strata.engine.store.StoreException.Kind.PERMANENT;
import static dev.strata.engine.store.StoreException.Kind.TRANSIENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RetryingBlobStoreManagerTest {

  static final Metadata META = Metadata.of("src", "path");

  /** 100 ms, ×2, capped at 400 ms, jitter 0.5, 10 attempts, 2 s deadline. */
  static final RetryPolicy POLICY =
      new RetryPolicy(
          Duration.ofMillis(100), 2.0, Duration.ofMillis(400), 0.5, 10, Duration.ofSeconds(2));

  final FakeStore fake = new FakeStore();
  final List<Duration> sleeps = new ArrayList<>();
  long now = 1_000_000_000L;
  double nextRandom = 0.5;

  /** Sleeping moves the fake clock; nothing really waits. */
  RetryingBlobStoreManager retrying(RetryPolicy policy) {
    return new RetryingBlobStoreManager(
        fake,
        policy,
        d -> {
          sleeps.add(d);
          now += d.toNanos();
        },
        () -> now,
        () -> nextRandom);
  }

  @AfterEach
  void clearInterrupt() {
    Thread.interrupted();
  }

  @Test
  void transientFailuresAreRetriedUntilSuccess() {
    fake.failures.add(new StoreException(TRANSIENT, "503 SlowDown"));
    fake.failures.add(new StoreException(TRANSIENT, "connection reset"));
    fake.failures.add(new StoreException(TRANSIENT, "timeout"));
    byte[] result = retrying(POLICY).get("k", META);
    assertThat(result).containsExactly(42);
    assertThat(fake.calls).isEqualTo(4);
    // random 0.5 with jitter 0.5: three quarters of 100, 200, 400 ms
    assertThat(sleeps)
        .containsExactly(Duration.ofMillis(75), Duration.ofMillis(150), Duration.ofMillis(300));
  }

  @Test
  void permanentAndNotFoundFailAtOnce() {
    for (StoreException.Kind kind : List.of(PERMANENT, NOT_FOUND)) {
      fake.calls = 0;
      StoreException original = new StoreException(kind, "no");
      fake.failures.add(original);
      fake.failures.add(new StoreException(TRANSIENT, "never reached"));
      StoreException thrown =
          catchThrowableOfType(() -> retrying(POLICY).get("k", META), StoreException.class);
      assertThat(thrown).isSameAs(original);
      assertThat(fake.calls).isEqualTo(1);
      assertThat(sleeps).isEmpty();
      fake.failures.clear();
    }
  }

  @Test
  void integrityFailuresAreRetriedForPutsOnly() {
    fake.failures.add(new StoreException(INTEGRITY, "BadDigest"));
    retrying(POLICY).put("k", new byte[] {1}, 1, null, META);
    assertThat(fake.calls).isEqualTo(2);
    assertThat(fake.puts).isEqualTo(1);

    fake.calls = 0;
    StoreException corrupt = new StoreException(INTEGRITY, "bad bytes");
    fake.failures.add(corrupt);
    assertThat(catchThrowableOfType(() -> retrying(POLICY).get("k", META), StoreException.class))
        .isSameAs(corrupt);
    assertThat(fake.calls).isEqualTo(1);
  }

  @Test
  void aDigestThatNeverMatchesIsResentOnlyAFewTimes() {
    StoreException mismatch = new StoreException(INTEGRITY, "XAmzContentSHA256Mismatch");
    fake.alwaysFail = mismatch;
    StoreException e =
        catchThrowableOfType(
            () -> retrying(POLICY.withMaxAttempts(1000)).put("k", new byte[] {1}, 1, null, META),
            StoreException.class);
    assertThat(fake.calls).isEqualTo(RetryingBlobStoreManager.MAX_INTEGRITY_ATTEMPTS);
    assertThat(e).isSameAs(mismatch);
    fake.alwaysFail = null;
  }

  @Test
  void givesUpAtTheDeadlineSayingHowManyAttemptsOverHowLong() {
    fake.alwaysFail = new StoreException(TRANSIENT, "put 'k' failed: HTTP 503 SlowDown");
    StoreException e =
        catchThrowableOfType(
            () -> retrying(POLICY.withMaxAttempts(1000)).put("k", new byte[0], 0, null, META),
            StoreException.class);
    // sleeps 75, 150, 300, 300, 300, 300, 300 = 1725 ms; the next 300 would pass the 2 s deadline
    assertThat(fake.calls).isEqualTo(8);
    assertThat(sleeps.stream().mapToLong(Duration::toMillis).sum())
        .isEqualTo(1725)
        .isLessThanOrEqualTo(2000);
    assertThat(e.kind()).isEqualTo(TRANSIENT);
    assertThat(e.getMessage())
        .isEqualTo("gave up after 8 attempts over 1.7 s: put 'k' failed: HTTP 503 SlowDown");
    assertThat(e.getCause()).isSameAs(fake.alwaysFail);
  }

  @Test
  void givesUpAtMaxAttempts() {
    fake.alwaysFail = new StoreException(TRANSIENT, "reset");
    StoreException e =
        catchThrowableOfType(
            () -> retrying(POLICY.withMaxAttempts(3)).delete("k", META), StoreException.class);
    assertThat(fake.calls).isEqualTo(3);
    assertThat(sleeps).hasSize(2);
    assertThat(e.getMessage()).startsWith("gave up after 3 attempts over 0.2 s: reset");
  }

  @Test
  void aDeadlineReachedAfterTheFirstAttemptStillSaysSo() {
    fake.alwaysFail = new StoreException(TRANSIENT, "slow");
    RetryingBlobStoreManager store =
        new RetryingBlobStoreManager(
            fake,
            POLICY,
            d -> {
              throw new AssertionError("must not sleep past the deadline");
            },
            () -> {
              now += 3_000_000_000L; // every look at the clock: 3 s later, more than the whole
              // deadline
              return now;
            },
            () -> 0.5);
    StoreException e = catchThrowableOfType(() -> store.get("k", META), StoreException.class);
    assertThat(e.getMessage()).startsWith("gave up after 1 attempt over 3.0 s: slow");
    assertThat(fake.calls).isEqualTo(1);
  }

  @Test
  void noRetryPolicyMakesOneAttemptAndThrowsTheOriginal() {
    StoreException original = new StoreException(TRANSIENT, "reset");
    fake.alwaysFail = original;
    StoreException e =
        catchThrowableOfType(
            () -> retrying(RetryPolicy.noRetry()).stat("k", META), StoreException.class);
    assertThat(e).isSameAs(original);
    assertThat(fake.calls).isEqualTo(1);
    assertThat(sleeps).isEmpty();
  }

  @Test
  void backoffIsCappedAndJitteredWithinBounds() {
    RetryPolicy policy = RetryPolicy.defaults();
    Random random = new Random(7);
    for (int retry = 1; retry <= 30; retry++) {
      Duration backoff = policy.backoff(retry);
      assertThat(backoff).isLessThanOrEqualTo(policy.maxDelay());
      for (int i = 0; i < 200; i++) {
        Duration delay = policy.delay(retry, random.nextDouble());
        assertThat(delay)
            .isLessThanOrEqualTo(backoff)
            .isGreaterThanOrEqualTo(
                Duration.ofNanos((long) (backoff.toNanos() * (1 - policy.jitter())) - 1));
      }
    }
    assertThat(policy.backoff(1)).isEqualTo(Duration.ofMillis(100));
    assertThat(policy.backoff(2)).isEqualTo(Duration.ofMillis(500));
    assertThat(policy.backoff(3)).isEqualTo(Duration.ofMillis(2500));
    assertThat(policy.backoff(4)).isEqualTo(Duration.ofSeconds(10));
    assertThat(policy.backoff(100)).isEqualTo(Duration.ofSeconds(10));
    assertThat(policy.deadline()).isEqualTo(Duration.ofMinutes(5));
    // jitter really varies the delay: full jitter spans 0 to the backoff
    RetryPolicy full =
        new RetryPolicy(
            Duration.ofSeconds(1), 2, Duration.ofSeconds(8), 1.0, 5, Duration.ofMinutes(1));
    assertThat(full.delay(1, 0.0)).isEqualTo(Duration.ofSeconds(1));
    assertThat(full.delay(1, 0.999)).isLessThan(Duration.ofMillis(2));
  }

  @Test
  void theSleepsOfARetryingCallStayWithinTheJitterBounds() {
    fake.alwaysFail = new StoreException(TRANSIENT, "busy");
    Random random = new Random(3);
    RetryingBlobStoreManager store =
        new RetryingBlobStoreManager(
            fake,
            POLICY.withMaxAttempts(9).withDeadline(Duration.ofMinutes(1)),
            d -> {
              sleeps.add(d);
              now += d.toNanos();
            },
            () -> now,
            random::nextDouble);
    assertThatThrownBy(() -> store.get("k", META)).isInstanceOf(StoreException.class);
    assertThat(sleeps).hasSize(8);
    for (int i = 0; i < sleeps.size(); i++) {
      Duration backoff = POLICY.backoff(i + 1);
      assertThat(sleeps.get(i)).isBetween(backoff.dividedBy(2), backoff);
    }
    assertThat(sleeps).doesNotHaveDuplicates();
  }

  @Test
  void aListingThatFailsPartWayResumesWithoutRepeatingKeys() {
    fake.listFailsAfter.add(2); // first listing: a, b, then a reset
    fake.listFailsAfter.add(1); // second: a (skipped), then a reset
    List<String> seen = new ArrayList<>();
    retrying(POLICY).list("", info -> seen.add(info.key()), META);
    assertThat(seen).containsExactly("a", "b", "c", "d");
    assertThat(fake.calls).isEqualTo(3);
  }

  @Test
  void interruptionWhileWaitingStopsWithAPermanentFailure() {
    fake.alwaysFail = new StoreException(TRANSIENT, "busy");
    RetryingBlobStoreManager store =
        new RetryingBlobStoreManager(
            fake,
            POLICY,
            d -> {
              throw new InterruptedException();
            },
            () -> now,
            () -> 0.5);
    StoreException e = catchThrowableOfType(() -> store.get("k", META), StoreException.class);
    assertThat(e.kind()).isEqualTo(PERMANENT);
    assertThat(e.getMessage()).contains("interrupted").contains("get 'k'");
    assertThat(Thread.currentThread().isInterrupted()).isTrue();
  }

  @Test
  void realSleeperWaitsRoughlyTheDelay() {
    fake.failures.add(new StoreException(TRANSIENT, "busy"));
    RetryingBlobStoreManager store =
        new RetryingBlobStoreManager(
            fake,
            new RetryPolicy(
                Duration.ofMillis(50), 2, Duration.ofMillis(50), 0, 3, Duration.ofSeconds(5)));
    long start = System.nanoTime();
    store.get("k", META);
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(50));
  }

  @Test
  void policyRejectsNonsense() {
    assertThatThrownBy(
            () ->
                new RetryPolicy(
                    Duration.ofMillis(1), 0.5, Duration.ofSeconds(1), 0.1, 3, Duration.ZERO))
        .hasMessageContaining("multiplier");
    assertThatThrownBy(
            () ->
                new RetryPolicy(
                    Duration.ofMillis(1), 2, Duration.ofSeconds(1), 1.5, 3, Duration.ZERO))
        .hasMessageContaining("jitter");
    assertThatThrownBy(
            () ->
                new RetryPolicy(
                    Duration.ofMillis(1), 2, Duration.ofSeconds(1), 0.1, 0, Duration.ZERO))
        .hasMessageContaining("maxAttempts");
    assertThatThrownBy(
            () ->
                new RetryPolicy(
                    Duration.ofMillis(-1), 2, Duration.ofSeconds(1), 0.1, 1, Duration.ZERO))
        .hasMessageContaining("negative");
  }

  /** Fails as told, then answers. */
  static final class FakeStore implements BlobStoreManager {
    final Deque<StoreException> failures = new ArrayDeque<>();
    final Deque<Integer> listFailsAfter = new ArrayDeque<>();
    StoreException alwaysFail;
    int calls;
    int puts;

    private void maybeFail() {
      calls++;
      if (alwaysFail != null) {
        throw alwaysFail;
      }
      StoreException next = failures.poll();
      if (next != null) {
        throw next;
      }
    }

    @Override
    public String location() {
      return "fake";
    }

    @Override
    public void checkAccess() {
      maybeFail();
    }

    @Override
    public void put(String key, byte[] data, int length, byte[] sha256, Metadata metadata) {
      maybeFail();
      puts++;
    }

    @Override
    public byte[] get(String key, Metadata metadata) {
      maybeFail();
      return new byte[] {42};
    }

    @Override
    public Optional<ObjectInfo> stat(String key, Metadata metadata) {
      maybeFail();
      return Optional.empty();
    }

    @Override
    public void delete(String key, Metadata metadata) {
      maybeFail();
    }

    @Override
    public void removeTTL(String key, Metadata metadata) {
      maybeFail();
    }

    @Override
    public void list(String prefix, Consumer<ObjectInfo> consumer, Metadata metadata) {
      maybeFail();
      Integer failAfter = listFailsAfter.poll();
      int delivered = 0;
      for (String key : List.of("a", "b", "c", "d")) {
        if (failAfter != null && delivered == failAfter) {
          throw new StoreException(TRANSIENT, "connection reset while listing");
        }
        consumer.accept(new ObjectInfo(key, 1, Instant.EPOCH));
        delivered++;
      }
    }

    @Override
    public void close() {}
  }
}
