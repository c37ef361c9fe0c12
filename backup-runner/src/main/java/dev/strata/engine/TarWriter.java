package dev.strata.engine;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a tar stream in the POSIX pax interchange format (ustar headers, with a pax extended
 * header before an entry whenever ustar cannot hold it exactly): names and link targets longer than
 * ustar's fields or not ASCII, sizes of 8 GiB and more, owners beyond seven octal digits, and
 * modification times with a fraction of a second (so that nanoseconds survive), as GNU tar writes
 * with --format=posix; the tests read it back with GNU tar. Owners are numeric only (no user or
 * group names). Streaming: a file's header is written first, then exactly its size in bytes;
 * nothing is held whole.
 */
public final class TarWriter {

  private static final int BLOCK = 512;
  private static final long MAX_OCTAL_11 = 077777777777L;
  private static final long MAX_OCTAL_7 = 07777777L;

  /**
   * One entry's metadata: mode holds the permission bits with setuid, setgid and sticky (07777).
   */
  public record Meta(int mode, long mtimeNanos, long uid, long gid) {}

  private final OutputStream out;
  private long remaining = -1; // bytes the current file still owes; -1 outside a file
  private long fileSize;
  private String filePath;
  private boolean finished;

  public TarWriter(OutputStream out) {
    this.out = out;
  }

  /** A directory (its name gets the trailing slash tar readers expect). */
  public void directory(String path, Meta meta) {
    header(path.endsWith("/") ? path : path + "/", '5', 0, meta, null);
  }

  /** A symlink, its target as written (never followed). */
  public void symlink(String path, String target, Meta meta) {
    header(path, '2', 0, meta, target);
  }

  /** A hard link to an earlier regular file of this archive. */
  public void hardLink(String path, String earlierPath, Meta meta) {
    header(path, '1', 0, meta, earlierPath);
  }

  /**
   * Starts a regular file of {@code size} bytes: write exactly that many with {@link #write}, then
   * call {@link #endFile}.
   */
  public void beginFile(String path, long size, Meta meta) {
    header(path, '0', size, meta, null);
    remaining = size;
    fileSize = size;
    filePath = path;
  }

  public void write(byte[] b, int off, int len) {
    if (remaining < len) {
      throw new IllegalStateException(
          "tar entry " + Names.safe(filePath) + " gets more than its " + fileSize + " bytes");
    }
    put(b, off, len);
    remaining -= len;
  }

  /** Ends the current file: it must have had all its bytes; pads it to a whole block. */
  public void endFile() {
    if (remaining != 0) {
      throw new IllegalStateException(
          "tar entry "
              + Names.safe(filePath)
              + " ended "
              + remaining
              + " bytes short of its "
              + fileSize);
    }
    pad(fileSize);
    remaining = -1;
  }

  /** The end-of-archive marker (two zero blocks), then a flush. */
  public void finish() {
    requireBetweenEntries();
    put(new byte[2 * BLOCK], 0, 2 * BLOCK);
    finished = true;
    try {
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the tar stream: " + e.getMessage(), e);
    }
  }

  /** The bytes of one file's content as an {@link OutputStream}, for code that copies into one. */
  public OutputStream content() {
    return new OutputStream() {
      @Override
      public void write(int b) {
        TarWriter.this.write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        TarWriter.this.write(b, off, len);
      }
    };
  }

  private void header(String path, char type, long size, Meta meta, String linkTarget) {
    requireBetweenEntries();
    if (path.isEmpty()
        || path.indexOf('\0') >= 0
        || (linkTarget != null && linkTarget.indexOf('\0') >= 0)) {
      throw new IllegalArgumentException(
          "a tar entry needs a name and a target without NUL: " + Names.safe(path));
    }
    Map<String, String> pax = new LinkedHashMap<>();
    byte[] name = path.getBytes(StandardCharsets.UTF_8);
    if (name.length > 100 || !ascii(path)) {
      pax.put("path", path);
    }
    if (linkTarget != null
        && (linkTarget.getBytes(StandardCharsets.UTF_8).length > 100 || !ascii(linkTarget))) {
      pax.put("linkpath", linkTarget);
    }
    if (size > MAX_OCTAL_11) {
      pax.put("size", Long.toString(size));
    }
    long seconds = Math.floorDiv(meta.mtimeNanos(), 1_000_000_000L);
    if (Math.floorMod(meta.mtimeNanos(), 1_000_000_000L) != 0
        || seconds < 0
        || seconds > MAX_OCTAL_11) {
      pax.put(
          "mtime", BigDecimal.valueOf(meta.mtimeNanos(), 9).stripTrailingZeros().toPlainString());
    }
    if (meta.uid() < 0 || meta.uid() > MAX_OCTAL_7) {
      pax.put("uid", Long.toString(meta.uid()));
    }
    if (meta.gid() < 0 || meta.gid() > MAX_OCTAL_7) {
      pax.put("gid", Long.toString(meta.gid()));
    }
    if (!pax.isEmpty()) {
      byte[] records = paxRecords(pax);
      String base = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
      String paxName = "PaxHeaders/" + base.substring(base.lastIndexOf('/') + 1);
      put(
          block(
              paxName,
              'x',
              records.length,
              new Meta(0644, Math.max(0, Math.min(seconds, MAX_OCTAL_11)) * 1_000_000_000L, 0, 0),
              null));
      put(records, 0, records.length);
      pad(records.length);
    }
    put(block(path, type, size, meta, linkTarget));
  }

  /**
   * One ustar header block; fields that do not fit are cut, the pax header before it holds them
   * whole.
   */
  private static byte[] block(String path, char type, long size, Meta meta, String linkTarget) {
    byte[] h = new byte[BLOCK];
    text(h, 0, 100, path);
    octal(h, 100, 8, meta.mode() & 07777);
    octal(h, 108, 8, clamp(meta.uid(), MAX_OCTAL_7));
    octal(h, 116, 8, clamp(meta.gid(), MAX_OCTAL_7));
    octal(h, 124, 12, clamp(size, MAX_OCTAL_11));
    octal(h, 136, 12, clamp(Math.floorDiv(meta.mtimeNanos(), 1_000_000_000L), MAX_OCTAL_11));
    h[156] = (byte) type;
    if (linkTarget != null) {
      text(h, 157, 100, linkTarget);
    }
    System.arraycopy("ustar\0".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 6);
    h[263] = '0';
    h[264] = '0';
    octal(h, 329, 8, 0);
    octal(h, 337, 8, 0);
    java.util.Arrays.fill(h, 148, 156, (byte) ' ');
    long sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    octal(h, 148, 7, sum); // six digits and a NUL, then the space already there
    return h;
  }

  /** Records "LEN key=value\n", LEN counting the whole record, its own digits included. */
  static byte[] paxRecords(Map<String, String> pax) {
    StringBuilder all = new StringBuilder();
    for (Map.Entry<String, String> e : pax.entrySet()) {
      int body =
          (" " + e.getKey() + "=" + e.getValue() + "\n").getBytes(StandardCharsets.UTF_8).length;
      int len = body + Integer.toString(body).length();
      if (Integer.toString(len).length() > Integer.toString(body).length()) {
        len++;
      }
      all.append(len).append(' ').append(e.getKey()).append('=').append(e.getValue()).append('\n');
    }
    return all.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static boolean ascii(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c >= 0x7f) {
        return false;
      }
    }
    return true;
  }

  private static long clamp(long v, long max) {
    return v < 0 ? 0 : Math.min(v, max);
  }

  /**
   * ASCII text cut to the field (non-ASCII characters as '_': the pax record holds the real name).
   */
  private static void text(byte[] h, int at, int width, String s) {
    for (int i = 0; i < Math.min(width, s.length()); i++) {
      char c = s.charAt(i);
      h[at + i] = (byte) (c >= 0x20 && c < 0x7f ? c : '_');
    }
  }

  /** {@code width - 1} octal digits, zero-padded, then NUL. */
  private static void octal(byte[] h, int at, int width, long v) {
    String s = Long.toOctalString(v);
    String padded = "0".repeat(width - 1 - s.length()) + s;
    System.arraycopy(padded.getBytes(StandardCharsets.US_ASCII), 0, h, at, width - 1);
    h[at + width - 1] = 0;
  }

  private void pad(long size) {
    int rest = (int) (size % BLOCK);
    if (rest != 0) {
      put(new byte[BLOCK - rest], 0, BLOCK - rest);
    }
  }

  private void requireBetweenEntries() {
    if (finished) {
      throw new IllegalStateException("the tar stream is finished");
    }
    if (remaining >= 0) {
      throw new IllegalStateException("tar entry " + Names.safe(filePath) + " is not ended");
    }
  }

  private void put(byte[] b) {
    put(b, 0, b.length);
  }

  private void put(byte[] b, int off, int len) {
    try {
      out.write(b, off, len);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the tar stream: " + e.getMessage(), e);
    }
  }
}
