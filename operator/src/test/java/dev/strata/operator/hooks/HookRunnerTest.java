package dev.strata.operator.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.strata.operator.OperatorClock;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hooks in flight: off the caller's thread, on a bounded pool, started once per key, outcomes
 * kept for a while.
 */
class HookRunnerTest {

  static HookRunner.Key key(int index) {
    return new HookRunner.Key("ns", "snap", "uid", "pre", index);
  }

  @Test
  void aHookRunsOnceOffTheCallersThreadAndWakesItsResourceWhenItEnds() throws InterruptedException {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger calls = new AtomicInteger();
    PodExec exec =
        (ns, pod, container, command, timeout) -> {
          calls.incrementAndGet();
          try {
            release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return PodExec.Outcome.exited(0, "done in " + pod + "/" + container);
        };
    ConcurrentLinkedQueue<HookRunner.Key> woken = new ConcurrentLinkedQueue<>();
    try (HookRunner runner = new HookRunner(exec, 2, Clock.systemUTC())) {
      runner.onEnded(woken::add);
      assertThat(runner.poll(key(0)).known()).as("unknown before it starts").isFalse();
      runner.start(key(0), "app-0", "app", List.of("true"), Duration.ofSeconds(5));
      runner.start(
          key(0), "app-0", "app", List.of("true"), Duration.ofSeconds(5)); // a repeated reconcile
      assertThat(runner.poll(key(0)).isRunning()).isTrue();
      release.countDown();
      await().atMost(Duration.ofSeconds(10)).until(() -> !woken.isEmpty());
      assertThat(woken).containsExactly(key(0));
      assertThat(runner.poll(key(0)).outcome())
          .hasValueSatisfying(
              o -> {
                assertThat(o.kind()).isEqualTo(PodExec.Outcome.Kind.EXITED);
                assertThat(o.output()).isEqualTo("done in app-0/app");
              });
      assertThat(calls).hasValue(1);
    }
  }

  @Test
  void atMostThePoolsThreadsRunAtOnceAndAnExecThatThrowsFailsTheHook() throws InterruptedException {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger running = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    PodExec exec =
        (ns, pod, container, command, timeout) -> {
          if (command.contains("throw")) {
            throw new KubernetesClientException("connection reset");
          }
          most.accumulateAndGet(running.incrementAndGet(), Math::max);
          try {
            release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          running.decrementAndGet();
          return PodExec.Outcome.exited(1, "");
        };
    try (HookRunner runner = new HookRunner(exec, 2, Clock.systemUTC())) {
      for (int i = 0; i < 4; i++) {
        runner.start(key(i), "app-0", "app", List.of("sleep"), Duration.ofSeconds(5));
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> running.get() == 2);
      assertThat(runner.poll(key(3)).isRunning())
          .as("waiting for a thread is running, for the reconciler")
          .isTrue();
      release.countDown();
      await().atMost(Duration.ofSeconds(10)).until(() -> runner.poll(key(3)).outcome().isPresent());
      assertThat(most).hasValue(2);

      runner.start(key(9), "app-0", "app", List.of("throw"), Duration.ofSeconds(5));
      await().atMost(Duration.ofSeconds(10)).until(() -> runner.poll(key(9)).outcome().isPresent());
      assertThat(runner.poll(key(9)).outcome().get().kind())
          .isEqualTo(PodExec.Outcome.Kind.NOT_RUN);
      assertThat(runner.poll(key(9)).outcome().get().error()).contains("connection reset");
    }
  }

  @Test
  void anOutcomeIsForgottenAnHourAfterItsEnd(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("clock");
    Instant now = Instant.parse("2026-12-07T10:00:00Z");
    Files.writeString(file, now.toString());
    Clock clock =
        OperatorClock.fromEnv(
            Map.of("STRATA_CLOCK_FILE", file.toString())); // the clock the e2e tests move
    try (HookRunner runner =
        new HookRunner((ns, pod, c, cmd, t) -> PodExec.Outcome.exited(0, ""), 1, clock)) {
      runner.start(key(0), "app-0", "app", List.of("true"), Duration.ofSeconds(5));
      await().atMost(Duration.ofSeconds(10)).until(() -> runner.poll(key(0)).outcome().isPresent());
      Files.writeString(file, now.plus(HookRunner.KEEP).minusSeconds(1).toString());
      assertThat(runner.poll(key(0)).known()).isTrue();
      Files.writeString(file, now.plus(HookRunner.KEEP).plusSeconds(1).toString());
      assertThat(runner.poll(key(0)).known()).isFalse();
    }
  }
}
