package dev.strata.engine;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * A fixed pool of worker threads with a bound on queued work: {@link #submit} blocks the producer
 * (the tree scan) when {@code 4 × threads} tasks wait, so a tree of millions of files never queues
 * millions of tasks. The first failure is kept and makes later submissions fail fast. {@link
 * #close} interrupts running tasks and waits for them to end, so no task touches a file after its
 * caller has moved on (a restore that failed removes its staging files only then).
 */
public final class Workers implements AutoCloseable {

  private final ExecutorService pool;
  private final Semaphore slots;
  private final AtomicReference<Throwable> firstFailure = new AtomicReference<>();

  public Workers(String name, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("parallelism must be at least 1, got " + threads);
    }
    AtomicInteger n = new AtomicInteger();
    this.pool =
        new ThreadPoolExecutor(
            threads,
            threads,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, name + "-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.slots = new Semaphore(threads * 4);
  }

  public <T> CompletableFuture<T> submit(Supplier<T> task) {
    failIfFailed();
    slots.acquireUninterruptibly();
    CompletableFuture<T> result = new CompletableFuture<>();
    try {
      pool.execute(
          () -> {
            try {
              if (firstFailure.get() != null) {
                result.cancel(false);
                return;
              }
              result.complete(task.get());
            } catch (Throwable t) {
              firstFailure.compareAndSet(null, t);
              result.completeExceptionally(t);
            } finally {
              slots.release();
            }
          });
    } catch (RuntimeException e) {
      slots.release();
      throw e;
    }
    return result;
  }

  /** Rethrows the first task failure, if any, as it was thrown. */
  public void failIfFailed() {
    rethrow(firstFailure.get());
  }

  /** Throws {@code t} as it is when unchecked (wrapped otherwise); nothing when null. */
  public static void rethrow(Throwable t) {
    if (t instanceof RuntimeException re) {
      throw re;
    }
    if (t instanceof Error err) {
      throw err;
    }
    if (t != null) {
      throw new IllegalStateException(t);
    }
  }

  /**
   * Runs {@code task} on a daemon thread of its own: for the few independent reads that open a
   * store (over a WAN each costs a round trip, so they overlap). {@link #join} gets the result.
   */
  public static <T> CompletableFuture<T> background(String name, Supplier<T> task) {
    CompletableFuture<T> f = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try {
                f.complete(task.get());
              } catch (Throwable e) {
                f.completeExceptionally(e);
              }
            },
            name);
    t.setDaemon(true);
    t.start();
    return f;
  }

  /** The result of {@code f}, rethrowing its failure as it was thrown. */
  public static <T> T join(CompletableFuture<T> f) {
    try {
      return f.join();
    } catch (java.util.concurrent.CompletionException e) {
      rethrow(e.getCause());
      throw e;
    }
  }

  /**
   * How long {@link #close} waits for interrupted tasks; store requests time out well within it.
   */
  static final Duration CLOSE_WAIT = Duration.ofMinutes(5);

  @Override
  public void close() {
    pool.shutdownNow();
    long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
    boolean interrupted = false;
    try {
      while (true) {
        try {
          if (!pool.awaitTermination(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
            throw new IllegalStateException(
                "worker threads did not stop within " + CLOSE_WAIT + " of being interrupted");
          }
          return;
        } catch (InterruptedException e) {
          interrupted = true; // keep waiting: the caller must not run while a worker still writes
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
