package dev.strata.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.engine.store.RetryPolicy;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Which API failures are worth another try, and that the tries are bounded. */
class ApiRetryTest {

  static final ApiRetry FAST =
      new ApiRetry(
          new RetryPolicy(
              Duration.ofMillis(1), 2.0, Duration.ofMillis(4), 0.0, 3, Duration.ofSeconds(5)));

  static KubernetesClientException http(int code, String message) {
    return new KubernetesClientException(
        new StatusBuilder().withCode(code).withMessage(message).build());
  }

  /** Fails with {@code failure} the first {@code times} calls, then answers "ok". */
  static final class Flaky {
    final AtomicInteger calls = new AtomicInteger();

    String call(int times, KubernetesClientException failure) {
      if (calls.incrementAndGet() <= times) {
        throw failure;
      }
      return "ok";
    }
  }

  @Test
  void oneServerErrorResetOrTimeoutIsRetried() {
    for (KubernetesClientException hiccup :
        new KubernetesClientException[] {
          http(500, "etcdserver: leader changed"),
          http(503, "unavailable"),
          http(429, "too many requests"),
          new KubernetesClientException(
              "An error has occurred.", new SocketException("Connection reset")),
          new KubernetesClientException(
              "An error has occurred.", new IOException("closed", new TimeoutException()))
        }) {
      Flaky flaky = new Flaky();
      assertThat(FAST.call("read Secret ns/s", () -> flaky.call(1, hiccup)))
          .as(hiccup.toString())
          .isEqualTo("ok");
      assertThat(flaky.calls).as(hiccup.toString()).hasValue(2);
      assertThat(ApiRetry.isTransient(hiccup)).isTrue();
    }
  }

  @Test
  void whatTheServerDecidedIsNotRetried() {
    for (int code : new int[] {400, 401, 403, 404, 409, 422}) {
      Flaky flaky = new Flaky();
      KubernetesClientException refusal = http(code, "no");
      assertThatThrownBy(() -> FAST.call("create Job ns/j", () -> flaky.call(1, refusal)))
          .isSameAs(refusal);
      assertThat(flaky.calls).as("HTTP " + code).hasValue(1);
    }
    assertThat(ApiRetry.isTransient(new KubernetesClientException("bad input"))).isFalse();
  }

  @Test
  void aFailureThatLastsIsThrownAfterTheLastAttempt() {
    Flaky flaky = new Flaky();
    KubernetesClientException down = http(503, "unavailable");
    assertThatThrownBy(() -> FAST.call("read Secret ns/s", () -> flaky.call(100, down)))
        .isSameAs(down);
    assertThat(flaky.calls).hasValue(3);
  }

  @Test
  void theDeadlineBoundsTheRetries() {
    ApiRetry slow =
        new ApiRetry(
            new RetryPolicy(
                Duration.ofSeconds(30),
                2.0,
                Duration.ofSeconds(30),
                0.0,
                10,
                Duration.ofSeconds(1)));
    Flaky flaky = new Flaky();
    long start = System.nanoTime();
    assertThatThrownBy(() -> slow.call("read Secret ns/s", () -> flaky.call(100, http(500, "x"))))
        .isInstanceOf(KubernetesClientException.class);
    assertThat(flaky.calls).as("no wait that would end past the deadline").hasValue(1);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void theDefaultWaitsAFewSecondsAtMost() {
    RetryPolicy p =
        new RetryPolicy(
            Duration.ofMillis(250), 2.0, Duration.ofSeconds(2), 0.5, 5, Duration.ofSeconds(10));
    long total = 0;
    for (int retry = 1; retry < p.maxAttempts(); retry++) {
      total += p.backoff(retry).toMillis();
    }
    assertThat(total).isEqualTo(250 + 500 + 1000 + 2000);
  }
}
