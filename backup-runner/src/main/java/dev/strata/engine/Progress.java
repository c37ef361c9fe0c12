package dev.strata.engine;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Live counters of a backup or restore, read by a reporter thread (the terminal line, the
 * operator's status). Totals grow while the tree is scanned; {@code totalsKnown} says when they
 * stop growing, and {@code done} turns true only after the work has committed, so nothing ever
 * reads 100% early.
 */
public final class Progress {

  /** A consistent-enough copy of the counters at one instant. */
  public record View(
      long filesDone,
      long filesTotal,
      long bytesDone,
      long bytesTotal,
      long transferredBytes,
      long reusedBytes,
      boolean totalsKnown,
      boolean done,
      long elapsedNanos) {

    public double bytesPerSecond() {
      return elapsedNanos <= 0 ? 0 : bytesDone * 1e9 / elapsedNanos;
    }

    /** Seconds left at the current rate, or -1 while unknown. */
    public long etaSeconds() {
      double rate = bytesPerSecond();
      if (!totalsKnown || rate <= 0) {
        return -1;
      }
      return (long) Math.ceil((bytesTotal - bytesDone) / rate);
    }
  }

  private final long startNanos = System.nanoTime();
  final AtomicLong filesDone = new AtomicLong();
  final AtomicLong filesTotal = new AtomicLong();
  final AtomicLong bytesDone = new AtomicLong();
  final AtomicLong bytesTotal = new AtomicLong();
  final AtomicLong transferredBytes = new AtomicLong();
  final AtomicLong reusedBytes = new AtomicLong();
  private volatile boolean totalsKnown;
  private volatile boolean done;

  public void addTotal(long files, long bytes) {
    filesTotal.addAndGet(files);
    bytesTotal.addAndGet(bytes);
  }

  public void fileDone() {
    filesDone.incrementAndGet();
  }

  public void bytesDone(long bytes) {
    bytesDone.addAndGet(bytes);
  }

  public void transferred(long bytes) {
    transferredBytes.addAndGet(bytes);
  }

  public void reused(long bytes) {
    reusedBytes.addAndGet(bytes);
  }

  public void totalsKnown() {
    totalsKnown = true;
  }

  public void done() {
    done = true;
  }

  public long transferredBytes() {
    return transferredBytes.get();
  }

  public long reusedBytes() {
    return reusedBytes.get();
  }

  public View view() {
    return new View(
        filesDone.get(),
        filesTotal.get(),
        bytesDone.get(),
        bytesTotal.get(),
        transferredBytes.get(),
        reusedBytes.get(),
        totalsKnown,
        done,
        System.nanoTime() - startNanos);
  }
}
