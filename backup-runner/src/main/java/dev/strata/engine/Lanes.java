package dev.strata.engine;

import dev.strata.engine.format.Sealer;
import dev.strata.engine.pack.BlobCodec;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;

/**
 * The working memory of a backup's readers: a read buffer and a codec (whose buffers grow to the
 * largest blob it encodes) per file being read. A file of at most {@link #SMALL} bytes is read in
 * its worker's own small lane; a larger one waits for one of a few big lanes (a buffer of the
 * largest chunk). Big files keep the processors busy with fewer readers than small ones, which wait
 * on the disk; so a backup holds {@code workers × SMALL + bigLanes × maxChunk} bytes of buffers
 * (plus the codecs'), not {@code workers × maxChunk}, and its heap stays small (docs/engine.md).
 */
final class Lanes {

  /** Files up to this size are read whole in a small lane. */
  static final int SMALL = 1 << 20;

  static final class Lane {
    final byte[] buf;
    final BlobCodec codec;
    final boolean big;

    Lane(byte[] buf, BlobCodec codec, boolean big) {
      this.buf = buf;
      this.codec = codec;
      this.big = big;
    }
  }

  private final Sealer sealer;
  private final int maxChunk;
  private final ThreadLocal<Lane> small;
  private final Semaphore bigPermits;
  private final ConcurrentLinkedQueue<Lane> bigFree = new ConcurrentLinkedQueue<>();

  Lanes(Sealer sealer, int maxChunk) {
    this(sealer, maxChunk, Math.max(2, Math.min(4, Runtime.getRuntime().availableProcessors())));
  }

  Lanes(Sealer sealer, int maxChunk, int bigLanes) {
    this.sealer = sealer;
    this.maxChunk = maxChunk;
    int smallSize = Math.min(SMALL, maxChunk);
    this.small =
        ThreadLocal.withInitial(() -> new Lane(new byte[smallSize], new BlobCodec(sealer), false));
    this.bigPermits = new Semaphore(bigLanes);
  }

  /**
   * A lane for a file of {@code size} bytes: the caller's small one, or a big one (waiting for it);
   * see {@link #give}.
   */
  Lane take(long size) {
    if (size <= SMALL || maxChunk <= SMALL) {
      return small.get();
    }
    try {
      bigPermits.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting to read a large file", e);
    }
    Lane l = bigFree.poll();
    return l != null ? l : new Lane(new byte[maxChunk], new BlobCodec(sealer), true);
  }

  void give(Lane lane) {
    if (lane.big) {
      bigFree.add(lane);
      bigPermits.release();
    }
  }
}
