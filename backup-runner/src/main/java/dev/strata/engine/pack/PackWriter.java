package dev.strata.engine.pack;

import java.util.ArrayList;
import java.util.List;

/**
 * Appends stored blobs of one type to packs of the store's target size and hands each full pack to
 * {@link PackUploads}. Blobs of data and of trees go to separate writers, so reading a snapshot's tree fetches no file
 * content. Thread-safe: workers add their blobs as they finish them.
 */
public final class PackWriter {

  private final PackUploads uploads;
  private final byte type;
  private final int target;
  private byte[] buf;
  private int pos;
  private String packId;
  private List<PackEntry> entries;
  private long blobs;
  private long packs;

  public PackWriter(PackUploads uploads, byte type) {
    this.uploads = uploads;
    this.type = type;
    this.target = uploads.repository().packSize();
  }

  /** Adds a blob: {@code stored[off, off+len)} as encoded by {@link BlobCodec}. */
  public synchronized void add(byte[] id, byte[] stored, int off, int len, int flags, int rawLength) {
    if (buf != null && (pos + len > target || entries.size() == PackFile.MAX_ENTRIES)) {
      seal();
    }
    if (buf == null) {
      buf = uploads.buffer(type == PackEntry.DATA);
      pos = 0;
      packId = PackFile.newPackId();
      entries = new ArrayList<>();
    }
    int need = pos + len + PackFile.tailCapacity(entries.size() + 1);
    if (need > buf.length) {
      buf = java.util.Arrays.copyOf(buf, Math.min(Math.max(need, buf.length * 2), Math.max(need, uploads.bufferSize())));
    }
    System.arraycopy(stored, off, buf, pos, len);
    entries.add(new PackEntry(type, (byte) flags, id.clone(), pos, len, rawLength));
    pos += len;
    blobs++;
    if (pos >= target) {
      seal();
    }
  }

  /** Seals and submits the pack being filled, if any. */
  public synchronized void flush() {
    if (buf != null) {
      seal();
    }
  }

  private void seal() {
    int total = PackFile.writeTail(uploads.repository().sealer(), packId, entries, buf, pos);
    long now = System.currentTimeMillis();
    byte[] b = buf;
    buf = null;
    packs++;
    uploads.submit(packId, now, b, total, IndexFile.Pack.of(packId, now, entries));
  }

  public synchronized long blobs() {
    return blobs;
  }

  public synchronized long packs() {
    return packs;
  }
}
