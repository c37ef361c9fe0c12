package dev.strata.engine.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.minio.credentials.Credentials;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RefreshingCredentialsTest {

  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  /** A clock the test moves. */
  static final class TestClock implements InstantSource {
    volatile Instant now = T0;

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  /**
   * Hands out the sessions queued, or throws the failures queued; counts the calls and remembers
   * "renewing".
   */
  static final class ScriptedSource implements RefreshingCredentials.Source {
    final Deque<Object> script = new ArrayDeque<>();
    final AtomicInteger calls = new AtomicInteger();
    final Deque<Boolean> renewing = new ArrayDeque<>();
    final TestClock clock;

    ScriptedSource(TestClock clock) {
      this.clock = clock;
    }

    ScriptedSource session(String key, Duration lifetime) {
      script.add(lifetime == null ? new Object[] {key} : new Object[] {key, lifetime});
      return this;
    }

    ScriptedSource failure(StoreException e) {
      script.add(e);
      return this;
    }

    @Override
    public synchronized RefreshingCredentials.Session fetch(boolean renewing) {
      calls.incrementAndGet();
      this.renewing.add(renewing);
      Object next = script.poll();
      if (next instanceof StoreException e) {
        throw e;
      }
      Object[] s = (Object[]) next;
      Instant expiration = s.length == 1 ? null : clock.instant().plus((Duration) s[1]);
      return new RefreshingCredentials.Session(
          new Credentials((String) s[0], "secret", "token", null), expiration);
    }
  }

  final TestClock clock = new TestClock();
  final ScriptedSource source = new ScriptedSource(clock);
  final RefreshingCredentials credentials = new RefreshingCredentials(source, clock);

  @Test
  void anHourLongSessionIsRefreshedFiveMinutesBeforeItExpires() {
    source.session("k1", Duration.ofHours(1)).session("k2", Duration.ofHours(1));
    assertThat(credentials.fetch().accessKey()).isEqualTo("k1");
    clock.advance(Duration.ofMinutes(54).plusSeconds(59));
    assertThat(credentials.fetch().accessKey()).isEqualTo("k1");
    assertThat(source.calls).hasValue(1);
    clock.advance(Duration.ofSeconds(1));
    assertThat(credentials.fetch().accessKey()).isEqualTo("k2");
    assertThat(source.renewing).containsExactly(false, true);
  }

  @Test
  void aShortSessionIsRefreshedAtAQuarterOfItsLifetimeBeforeExpiry() {
    source.session("k1", Duration.ofMinutes(2)).session("k2", Duration.ofMinutes(2));
    credentials.fetch();
    clock.advance(Duration.ofSeconds(89));
    assertThat(credentials.fetch().accessKey()).isEqualTo("k1");
    clock.advance(Duration.ofSeconds(1));
    assertThat(credentials.fetch().accessKey()).isEqualTo("k2");
  }

  @Test
  void theRefreshComesNoLaterThanTheLastMomentTheKeysMayBeUsed() {
    RefreshingCredentials.Held held =
        RefreshingCredentials.hold(
            new RefreshingCredentials.Session(
                new Credentials("k", "s", "t", null), T0.plusSeconds(40)),
            T0);
    assertThat(held.refreshAt()).isEqualTo(T0.plusSeconds(25)).isEqualTo(held.lastUse());
  }

  @Test
  void credentialsWithoutExpiryAreFetchedOnce() {
    source.session("k1", null);
    credentials.fetch();
    clock.advance(Duration.ofDays(365));
    assertThat(credentials.fetch().accessKey()).isEqualTo("k1");
    assertThat(source.calls).hasValue(1);
  }

  @Test
  void aFailedRefreshKeepsTheCurrentKeysWhileTheyAreGoodAndRetriesAfterAFewSeconds() {
    StoreException blip = new StoreException(StoreException.Kind.TRANSIENT, "sts 503");
    source.session("k1", Duration.ofHours(1)).failure(blip).session("k2", Duration.ofHours(1));
    credentials.fetch();
    clock.advance(Duration.ofMinutes(56));
    assertThat(credentials.fetch().accessKey()).isEqualTo("k1");
    assertThat(source.calls).hasValue(2);
    clock.advance(RefreshingCredentials.RETRY_AFTER.minusMillis(1));
    assertThat(credentials.fetch().accessKey()).as("no new try before RETRY_AFTER").isEqualTo("k1");
    assertThat(source.calls).hasValue(2);
    clock.advance(Duration.ofMillis(1));
    assertThat(credentials.fetch().accessKey()).isEqualTo("k2");
  }

  @Test
  void aFailedRefreshFailsOnceTheKeysHeldAreTooCloseToExpiry() {
    StoreException refused =
        new StoreException(
            StoreException.Kind.PERMANENT, StoreException.Reason.ACCESS_DENIED, "trust", null);
    source.session("k1", Duration.ofHours(1)).failure(refused);
    credentials.fetch();
    clock.advance(Duration.ofHours(1).minus(RefreshingCredentials.LAST_USE));
    assertThatThrownBy(credentials::fetch).isSameAs(refused);
  }

  @Test
  void aFirstFetchThatFailsThrowsAndTheNextCallTriesAgain() {
    StoreException missing = new StoreException(StoreException.Kind.PERMANENT, "no token file");
    source.failure(missing).session("k1", Duration.ofHours(1));
    assertThatThrownBy(credentials::fetch).isSameAs(missing);
    assertThat(credentials.fetch().accessKey()).isEqualTo("k1");
    assertThat(source.renewing).containsExactly(false, false);
  }

  @Test
  void manyThreadsAtRefreshTimeCauseOneFetch() throws Exception {
    source.session("k1", Duration.ofHours(1)).session("k2", Duration.ofHours(1));
    credentials.fetch();
    clock.advance(Duration.ofMinutes(58));
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      Future<?>[] futures = new Future<?>[64];
      for (int i = 0; i < futures.length; i++) {
        futures[i] = pool.submit(() -> assertThat(credentials.fetch().accessKey()).isEqualTo("k2"));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(source.calls).hasValue(2);
  }
}
