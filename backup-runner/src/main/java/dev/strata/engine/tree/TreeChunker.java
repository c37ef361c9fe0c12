package dev.strata.engine.tree;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * Cuts a tree's record stream into chunks that end at record boundaries, where the content decides:
 * after a record whose hash (chained with the previous record's, so that repeated records such as
 * directory ends do not all cut) has its low bits zero, once the chunk is {@link #MIN} long, or at
 * {@link #MAX}. A change to one record changes the chunk that holds it and leaves the others as
 * they were: an unchanged tree is stored once, and a slightly changed one adds a chunk or two. Each
 * chunk holds whole records, so it can be read on its own (garbage collection reads each distinct
 * chunk once).
 */
public final class TreeChunker extends OutputStream {

  public static final int MIN = 16 * 1024;
  public static final int MAX = 1024 * 1024;

  /** One record in 1024 may end a chunk: about 200 KiB of records. */
  static final long MASK = 1023;

  /** Receives each finished chunk: {@code buf[0, len)}, valid during the call only. */
  public interface Sink {
    void chunk(byte[] buf, int len);
  }

  private final Sink sink;
  private byte[] buf = new byte[64 * 1024];
  private int pos;
  private int lineStart;
  private long previous;
  private long total;

  public TreeChunker(Sink sink) {
    this.sink = sink;
  }

  @Override
  public void write(int b) {
    ensure(1);
    buf[pos++] = (byte) b;
  }

  @Override
  public void write(byte[] b, int off, int len) {
    ensure(len);
    System.arraycopy(b, off, buf, pos, len);
    pos += len;
  }

  private void ensure(int n) {
    if (pos + n > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(pos + n, buf.length * 2));
    }
  }

  /** The record written since the last call is complete (its newline included). */
  public void endRecord() {
    long h = 0xcbf29ce484222325L;
    for (int i = lineStart; i < pos; i++) {
      h = (h ^ (buf[i] & 0xff)) * 0x100000001b3L;
    }
    long chained = h ^ (previous * 0x9e3779b97f4a7c15L);
    previous = h;
    lineStart = pos;
    if ((pos >= MIN && (chained & MASK) == 0) || pos >= MAX) {
      emit();
    }
  }

  /** Emits what is left as the last chunk. */
  public void finish() {
    if (pos > lineStart) {
      throw new IllegalStateException("the tree ends inside a record");
    }
    if (pos > 0) {
      emit();
    }
  }

  private void emit() {
    total += pos;
    sink.chunk(buf, pos);
    pos = 0;
    lineStart = 0;
    if (buf.length > 4 * MAX) {
      buf = new byte[64 * 1024];
    }
  }

  /** Bytes of records emitted so far. */
  public long total() {
    return total;
  }
}
