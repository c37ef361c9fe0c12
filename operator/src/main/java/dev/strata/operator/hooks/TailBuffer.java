package dev.strata.operator.hooks;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * An output stream that keeps only the last bytes written to it: a hook's output in a status stays
 * small.
 */
final class TailBuffer extends OutputStream {

  private final byte[] ring;
  private long written;

  TailBuffer(int capacity) {
    this.ring = new byte[capacity];
  }

  @Override
  public synchronized void write(int b) {
    ring[(int) (written++ % ring.length)] = (byte) b;
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) {
    for (int i = 0; i < len; i++) {
      write(b[off + i]);
    }
  }

  /** What was kept, as text; "..." in front when more was written than kept. */
  synchronized String text() {
    int n = (int) Math.min(written, ring.length);
    byte[] out = new byte[n];
    int start = (int) ((written - n) % ring.length);
    for (int i = 0; i < n; i++) {
      out[i] = ring[(start + i) % ring.length];
    }
    String s = new String(out, StandardCharsets.UTF_8);
    return written > ring.length ? "..." + s : s;
  }
}
