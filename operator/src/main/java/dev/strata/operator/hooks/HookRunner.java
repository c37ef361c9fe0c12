package dev.strata.operator.hooks;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hooks in flight: each runs on a bounded pool of threads (an exec holds its thread until the
 * command exits or its timeout passes), never on a reconciler's thread. A reconcile starts a hook
 * and looks up how it is doing; when one ends, the listener wakes its resource. Outcomes are kept
 * an hour after the end, long enough for the status that records them to be written; a hook this
 * process does not know (the operator restarted while it ran) is {@link Polled#unknown()}.
 */
public final class HookRunner implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(HookRunner.class);
  static final Duration KEEP = Duration.ofHours(1);

  /**
   * One hook of one run: the resource (namespace, name, uid), the stage and the hook's place in it.
   */
  public record Key(String namespace, String name, String uid, String stage, int index) {}

  /** What is known of a hook: running, ended with its outcome, or unknown to this process. */
  public record Polled(boolean known, Optional<PodExec.Outcome> outcome) {
    static final Polled UNKNOWN = new Polled(false, Optional.empty());
    static final Polled RUNNING = new Polled(true, Optional.empty());

    public static Polled unknown() {
      return UNKNOWN;
    }

    public static Polled running() {
      return RUNNING;
    }

    public static Polled ended(PodExec.Outcome outcome) {
      return new Polled(true, Optional.of(outcome));
    }

    public boolean isRunning() {
      return known && outcome.isEmpty();
    }
  }

  private record Entry(Optional<PodExec.Outcome> outcome, Instant endedAt) {}

  private final PodExec exec;
  private final ExecutorService pool;
  private final Clock clock;
  private final Map<Key, Entry> entries = new ConcurrentHashMap<>();
  private volatile Consumer<Key> listener = k -> {};

  /**
   * @param threads how many hooks may run at once (more wait for a thread)
   */
  public HookRunner(PodExec exec, int threads, Clock clock) {
    this.exec = exec;
    this.clock = clock;
    AtomicInteger n = new AtomicInteger();
    this.pool =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "strata-hook-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /** Told of every hook that ends (from the hook's thread). */
  public void onEnded(Consumer<Key> wake) {
    this.listener = wake;
  }

  /**
   * Starts a hook, unless one with this key is known already (a reconcile that repeats itself
   * starts nothing).
   */
  public void start(Key key, String pod, String container, List<String> command, Duration timeout) {
    if (entries.putIfAbsent(key, new Entry(Optional.empty(), null)) != null) {
      return;
    }
    LOG.info(
        "{}/{}: {} hook {} started in pod {} (container {})",
        key.namespace(),
        key.name(),
        key.stage(),
        key.index() + 1,
        pod,
        container);
    pool.execute(
        () -> {
          PodExec.Outcome outcome;
          try {
            outcome = exec.exec(key.namespace(), pod, container, command, timeout);
          } catch (RuntimeException e) {
            outcome = PodExec.Outcome.notRun("the command could not be run: " + e.getMessage());
          }
          entries.put(key, new Entry(Optional.of(outcome), clock.instant()));
          LOG.info(
              "{}/{}: {} hook {} ended: {} {}",
              key.namespace(),
              key.name(),
              key.stage(),
              key.index() + 1,
              outcome.kind(),
              outcome.exitCode() == null ? "" : "exit " + outcome.exitCode());
          listener.accept(key);
        });
  }

  public Polled poll(Key key) {
    purge();
    Entry e = entries.get(key);
    if (e == null) {
      return Polled.unknown();
    }
    return e.outcome().map(Polled::ended).orElse(Polled.running());
  }

  private void purge() {
    Instant before = clock.instant().minus(KEEP);
    entries
        .entrySet()
        .removeIf(e -> e.getValue().endedAt() != null && e.getValue().endedAt().isBefore(before));
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
