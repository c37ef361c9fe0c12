package dev.strata.engine.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.strata.testing.FaultyProxy;
import dev.strata.testing.S3ProxyExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The S3 store with retries, through a proxy that breaks requests: everything still arrives
 * byte-identical.
 */
class FaultInjectionTest {

  @RegisterExtension static final S3ProxyExtension s3 = new S3ProxyExtension();

  static final Metadata META = Metadata.of("faulty", "payload");

  /** Fast backoff so the test does not wait: 5 ms, ×2, capped at 100 ms, 25 attempts, 60 s. */
  static final RetryPolicy FAST =
      new RetryPolicy(
          Duration.ofMillis(5), 2.0, Duration.ofMillis(100), 0.5, 25, Duration.ofSeconds(60));

  FaultyProxy proxy;
  S3BlobStoreManager s3Store;
  CountingStore counting;
  RetryingBlobStoreManager store;

  @BeforeEach
  void open() {
    proxy = FaultyProxy.start(s3.host(), s3.port(), 0.3, 20261126L);
    s3Store = new S3BlobStoreManager(s3.config("faulty", proxy.endpoint()));
    counting = new CountingStore(s3Store);
    store = new RetryingBlobStoreManager(counting, FAST);
  }

  @AfterEach
  void close() {
    store.close();
    proxy.close();
  }

  @Test
  void threeHundredPutsAndGetsAtThirtyPercentFaultsAllSucceedByteIdentical() throws Exception {
    int objects = 300;
    byte[][] payloads = new byte[objects][];
    Random random = new Random(1);
    for (int i = 0; i < objects; i++) {
      payloads[i] = new byte[random.nextInt(256 * 1024) + 1];
      random.nextBytes(payloads[i]);
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < objects; i++) {
        int n = i;
        futures.add(
            pool.submit(
                () -> {
                  byte[] data = payloads[n];
                  store.put(
                      key(n),
                      data,
                      data.length,
                      S3BlobStoreManagerTest.sha256(data, data.length),
                      META);
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
      futures.clear();
      for (int i = 0; i < objects; i++) {
        int n = i;
        futures.add(
            pool.submit(
                () -> {
                  assertThat(Arrays.equals(store.get(key(n), META), payloads[n]))
                      .as("object %d", n)
                      .isTrue();
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }

    // The listing, a stat and a removeTTL survive faults too.
    List<String> keys = new ArrayList<>();
    store.list("", info -> keys.add(info.key()), META);
    assertThat(keys).hasSize(objects).isSorted().first().isEqualTo(key(0));
    assertThat(store.stat(key(7), META)).map(ObjectInfo::size).contains((long) payloads[7].length);
    store.removeTTL(key(8), META);

    // Faults really happened, of every kind, and the retrying layer (not luck) got past them.
    assertThat(proxy.requests()).isGreaterThan(600);
    assertThat(proxy.faultsInjected()).isGreaterThan(150);
    for (FaultyProxy.Fault fault : FaultyProxy.Fault.values()) {
      assertThat(proxy.faultsInjected(fault)).as("%s injected", fault).isPositive();
    }
    assertThat(counting.transientFailures.get()).isGreaterThan(100);
    assertThat(counting.otherFailures.get()).isZero();

    // Behind a clean proxy, the server has exactly what was put.
    proxy.setFaultRate(0);
    for (int i = 0; i < objects; i += 37) {
      assertThat(s3Store.get(key(i), META)).isEqualTo(payloads[i]);
    }
  }

  @Test
  void withoutRetriesTheSameFaultsSurfaceAsTransientFailures() {
    proxy.setFaultRate(1.0);
    proxy.setFaults(EnumSet.of(FaultyProxy.Fault.SLOW_DOWN_503));
    StoreException e =
        catchThrowableOfType(
            () -> s3Store.put("k", new byte[] {1}, 1, null, META), StoreException.class);
    assertThat(e.kind()).isEqualTo(StoreException.Kind.TRANSIENT);
    assertThat(e.getMessage()).contains("put 'k'").contains("SlowDown");

    proxy.setFaults(EnumSet.of(FaultyProxy.Fault.UNAVAILABLE_HTML_503));
    e = catchThrowableOfType(() -> s3Store.get("k", META), StoreException.class);
    assertThat(e.kind()).isEqualTo(StoreException.Kind.TRANSIENT);
    assertThat(e.getMessage()).contains("HTTP 503");

    proxy.setFaults(EnumSet.of(FaultyProxy.Fault.RESET_DURING_RESPONSE));
    e = catchThrowableOfType(() -> s3Store.stat("k", META), StoreException.class);
    assertThat(e.kind()).isEqualTo(StoreException.Kind.TRANSIENT);
  }

  @Test
  void aStoreThatStaysDownFailsAfterTheDeadlineWithTheAttemptCount() {
    s3Store.checkAccess(); // connect and learn the region first, so the deadline below is spent on
    // retries alone
    proxy.setFaultRate(1.0);
    proxy.setFaults(EnumSet.of(FaultyProxy.Fault.INTERNAL_ERROR_500));
    RetryingBlobStoreManager shortDeadline =
        new RetryingBlobStoreManager(s3Store, FAST.withDeadline(Duration.ofSeconds(1)));
    long start = System.nanoTime();
    StoreException e =
        catchThrowableOfType(
            () -> shortDeadline.put("down", new byte[] {1}, 1, null, META), StoreException.class);
    assertThat(e.kind()).isEqualTo(StoreException.Kind.TRANSIENT);
    assertThat(e.getMessage())
        .matches("gave up after \\d+ attempts? over \\d+\\.\\d s: put 'down' .*InternalError.*");
    assertThat(proxy.faultsInjected()).isGreaterThan(1);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }

  static String key(int n) {
    return String.format("blobs/%04d", n);
  }

  /** Counts the failures the retrying layer sees from the real store. */
  static final class CountingStore implements BlobStoreManager {
    final BlobStoreManager delegate;
    final AtomicInteger transientFailures = new AtomicInteger();
    final AtomicInteger otherFailures = new AtomicInteger();

    CountingStore(BlobStoreManager delegate) {
      this.delegate = delegate;
    }

    private <T> T count(java.util.function.Supplier<T> call) {
      try {
        return call.get();
      } catch (StoreException e) {
        (e.kind() == StoreException.Kind.TRANSIENT ? transientFailures : otherFailures)
            .incrementAndGet();
        throw e;
      }
    }

    @Override
    public String location() {
      return delegate.location();
    }

    @Override
    public void checkAccess() {
      count(
          () -> {
            delegate.checkAccess();
            return null;
          });
    }

    @Override
    public void put(String key, byte[] data, int length, byte[] sha256, Metadata metadata) {
      count(
          () -> {
            delegate.put(key, data, length, sha256, metadata);
            return null;
          });
    }

    @Override
    public byte[] get(String key, Metadata metadata) {
      return count(() -> delegate.get(key, metadata));
    }

    @Override
    public Optional<ObjectInfo> stat(String key, Metadata metadata) {
      return count(() -> delegate.stat(key, metadata));
    }

    @Override
    public void delete(String key, Metadata metadata) {
      count(
          () -> {
            delegate.delete(key, metadata);
            return null;
          });
    }

    @Override
    public void removeTTL(String key, Metadata metadata) {
      count(
          () -> {
            delegate.removeTTL(key, metadata);
            return null;
          });
    }

    @Override
    public void list(String prefix, Consumer<ObjectInfo> consumer, Metadata metadata) {
      count(
          () -> {
            delegate.list(prefix, consumer, metadata);
            return null;
          });
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
