package dev.strata.engine.pack;

import dev.strata.engine.format.Repository;
import dev.strata.engine.store.Metadata;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * Uploads sealed packs in parallel, at most {@code inFlight} at once; a writer whose pack is full
 * waits for a free slot, so memory stays at {@code inFlight + writers} pack buffers, which are
 * reused. Data packs are filled outside the heap: a pack buffer lives as long as the run, and on
 * the heap each would cost a runner about two and a half times its size (the serial collector keeps
 * 40 % of the old generation free and a young generation half its size), several times 16 MiB. Each
 * finished pack is reported to {@code onUploaded} (its id, time and entries), from the uploading
 * thread. The first failure is kept and rethrown.
 */
public final class PackUploads implements AutoCloseable {

  private final Repository repo;
  private final ExecutorService pool;
  private final Semaphore slots;
  private final BlockingQueue<ByteBuffer> spare;
  private final int bufferSize;
  private final Consumer<IndexFile.Pack> onUploaded;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private final AtomicInteger running = new AtomicInteger();
  private final Object idle = new Object();
  private final int inFlight;

  public PackUploads(
      Repository repo, int inFlight, int maxStoredBlob, Consumer<IndexFile.Pack> onUploaded) {
    this.repo = repo;
    this.inFlight = inFlight;
    this.onUploaded = onUploaded;
    // A writer seals a pack before a blob would take it past the target size: a pack is at most
    // that, or one blob.
    this.bufferSize =
        Math.max(repo.packSize(), maxStoredBlob) + PackFile.tailCapacity(PackFile.MAX_ENTRIES);
    AtomicInteger n = new AtomicInteger();
    this.pool =
        Executors.newFixedThreadPool(
            inFlight,
            r -> {
              Thread t = new Thread(r, "strata-pack-upload-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.slots = new Semaphore(inFlight);
    this.spare = new ArrayBlockingQueue<>(inFlight + 1);
  }

  public Repository repository() {
    return repo;
  }

  /**
   * A pack buffer: a spare one, or a new one, whole (data packs fill it: growing it would copy and
   * discard tens of megabytes per pack) or small (tree packs are often small; the writer grows it).
   */
  ByteBuffer buffer(boolean whole) {
    ByteBuffer b = spare.poll();
    if (b != null) {
      return b.clear();
    }
    return whole ? ByteBuffer.allocateDirect(bufferSize) : ByteBuffer.allocate(1 << 20);
  }

  /** The largest a pack can get: the target size, one more blob, the header. */
  int bufferSize() {
    return bufferSize;
  }

  void recycle(ByteBuffer b) {
    if (b.isDirect()) {
      spare.offer(b);
    }
  }

  /**
   * Uploads the pack from {@code buf}'s position to its limit; waits while {@code inFlight} uploads
   * are running.
   */
  void submit(String packId, long createdAtMillis, ByteBuffer buf, IndexFile.Pack entries) {
    failIfFailed();
    slots.acquireUninterruptibly();
    running.incrementAndGet();
    try {
      pool.execute(
          () -> {
            try {
              if (failure.get() == null) {
                CRC32C crc = new CRC32C();
                crc.update(buf.duplicate());
                String key = PackFile.key(packId);
                repo.store()
                    .putWithCrc32c(
                        key, buf, (int) crc.getValue(), new Metadata(null, key, buf.remaining()));
                onUploaded.accept(entries);
              }
            } catch (Throwable t) {
              failure.compareAndSet(null, t);
            } finally {
              recycle(buf);
              slots.release();
              if (running.decrementAndGet() == 0) {
                synchronized (idle) {
                  idle.notifyAll();
                }
              }
            }
          });
    } catch (RuntimeException e) {
      slots.release();
      running.decrementAndGet();
      throw e;
    }
  }

  /** Waits for every upload submitted so far, then rethrows the first failure, if any. */
  public void awaitAll() {
    synchronized (idle) {
      while (running.get() > 0) {
        try {
          idle.wait(1000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for pack uploads", e);
        }
      }
    }
    failIfFailed();
  }

  public void failIfFailed() {
    dev.strata.engine.Workers.rethrow(failure.get());
  }

  public int inFlight() {
    return inFlight;
  }

  @Override
  public void close() {
    pool.shutdownNow();
    try {
      pool.awaitTermination(5, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
