package dev.strata.engine.pack;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Appends stored blobs of one type to packs of the store's target size and hands each full pack to
 * {@link PackUploads}. Blobs of data and of trees go to separate writers, so reading a snapshot's
 * tree fetches no file content. Thread-safe: workers add their blobs as they finish them.
 */
public final class PackWriter {

  private final PackUploads uploads;
  private final byte type;
  private final int target;
  private ByteBuffer buf;
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
  public synchronized void add(
      byte[] id, byte[] stored, int off, int len, int flags, int rawLength) {
    if (buf != null && (buf.position() + len > target || entries.size() == PackFile.MAX_ENTRIES)) {
      seal();
    }
    if (buf == null) {
      buf = uploads.buffer(type == PackEntry.DATA);
      packId = PackFile.newPackId();
      entries = new ArrayList<>();
    }
    int pos = buf.position();
    int need = pos + len + PackFile.tailCapacity(entries.size() + 1);
    if (need > buf.capacity()) {
      ByteBuffer bigger =
          ByteBuffer.allocate(
              Math.min(Math.max(need, buf.capacity() * 2), Math.max(need, uploads.bufferSize())));
      buf.flip();
      bigger.put(buf);
      buf = bigger;
    }
    buf.put(stored, off, len);
    entries.add(new PackEntry(type, (byte) flags, id.clone(), pos, len, rawLength));
    blobs++;
    if (buf.position() >= target) {
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
    buf.put(PackFile.tail(uploads.repository().sealer(), packId, entries));
    buf.flip();
    long now = System.currentTimeMillis();
    ByteBuffer b = buf;
    buf = null;
    packs++;
    uploads.submit(packId, now, b, IndexFile.Pack.of(packId, now, entries));
  }

  public synchronized long blobs() {
    return blobs;
  }

  public synchronized long packs() {
    return packs;
  }
}
