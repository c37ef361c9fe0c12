package dev.strata.engine.store;

import java.util.Optional;
import java.util.function.Consumer;

/**
 * A place snapshots live: blobs of file content and snapshot indexes, addressed by keys relative to
 * the store's root (the bucket prefix, or the local directory). Methods are blocking; the engine
 * supplies the parallelism through its own bounded executors. Every method takes {@link Metadata}
 * so implementations can route and trace requests.
 *
 * <p>Failures are {@link StoreException}s whose {@link StoreException.Kind} says whether a retry
 * can help; implementations classify their client's errors once, here, so callers never unwrap
 * exception chains.
 */
public interface BlobStoreManager extends AutoCloseable {

  /** Where this store is, for messages and for the SnapshotIndex; never contains credentials. */
  String location();

  /**
   * Fails with a {@link StoreException} that a person can act on when the store cannot be used:
   * unreachable, bad credentials, missing bucket or directory, no permission.
   */
  void checkAccess();

  /**
   * Makes the store ready to be written, where it can be made (a local store's directory), then
   * checks access. Only a backup calls it: commands that read never create a store, so a mistyped
   * store fails instead of looking empty.
   */
  default void initialize() {
    checkAccess();
  }

  /**
   * Writes {@code data[0..length)} as the object {@code key}, replacing any object of that name.
   *
   * @param sha256 the SHA-256 of the payload when the caller already has it (so the store can
   *     verify it on arrival without hashing again), or {@code null}
   */
  void put(String key, byte[] data, int length, byte[] sha256, Metadata metadata);

  /**
   * Reads the whole object; throws {@link StoreException} of kind NOT_FOUND when it does not exist.
   */
  byte[] get(String key, Metadata metadata);

  /**
   * Reads the whole object into {@code buf} from its start, so a caller that reads many blobs
   * reuses one buffer instead of allocating one per object. Returns the object's length, or -1 when
   * the object is larger than {@code buf} (its bytes past {@code buf.length} are not read). Throws
   * like {@link #get}.
   */
  default int getInto(String key, byte[] buf, Metadata metadata) {
    byte[] data = get(key, metadata);
    if (data.length > buf.length) {
      return -1;
    }
    System.arraycopy(data, 0, buf, 0, data.length);
    return data.length;
  }

  /**
   * Writes like {@link #put}, but the store checks the payload on arrival against its CRC32C (a
   * 4-byte checksum the caller computes at memory speed) instead of a SHA-256: for packs, whose
   * blobs carry their own ids and checks.
   */
  default void putWithCrc32c(String key, byte[] data, int length, int crc32c, Metadata metadata) {
    put(key, data, length, null, metadata);
  }

  /**
   * Writes like {@link #putWithCrc32c(String, byte[], int, int, Metadata)} the bytes from {@code
   * data}'s position to its limit (which stay as they are), for a buffer outside the heap (a pack
   * being uploaded). A store that cannot send such a buffer as it is copies it.
   */
  default void putWithCrc32c(String key, java.nio.ByteBuffer data, int crc32c, Metadata metadata) {
    byte[] copy = new byte[data.remaining()];
    data.duplicate().get(copy);
    putWithCrc32c(key, copy, copy.length, crc32c, metadata);
  }

  /**
   * Opens {@code length} bytes of the object from {@code offset} as a stream (one ranged GET on
   * S3); the caller closes it. Throws {@link StoreException} of kind NOT_FOUND when the object does
   * not exist, and INTEGRITY when it is shorter than the range; a stream that ends early or fails
   * while read throws {@link java.io.IOException} from its reads.
   */
  default java.io.InputStream openRange(String key, long offset, long length, Metadata metadata) {
    byte[] all = get(key, metadata);
    if (offset < 0 || length < 0 || offset + length > all.length) {
      throw new StoreException(
          StoreException.Kind.INTEGRITY,
          "range "
              + offset
              + "+"
              + length
              + " is outside the object "
              + key
              + " of "
              + all.length
              + " bytes: it is shorter than expected");
    }
    return new java.io.ByteArrayInputStream(all, (int) offset, (int) length);
  }

  /** The object's size and age, or empty when it does not exist. */
  Optional<ObjectInfo> stat(String key, Metadata metadata);

  /** Deletes the object; deleting a missing object is not an error. */
  void delete(String key, Metadata metadata);

  /**
   * Restarts the object's grace clock, so that garbage collection treats it as freshly written. The
   * engine calls it when a backup reuses a blob it found in the store that no snapshot it knows
   * references, so that a concurrent collector cannot delete the blob before the new snapshot's
   * index commits.
   */
  void removeTTL(String key, Metadata metadata);

  /** Calls {@code consumer} for every object whose key starts with {@code prefix}, in key order. */
  void list(String prefix, Consumer<ObjectInfo> consumer, Metadata metadata);

  /**
   * Deletes what writes that died left beside the objects and that was last written before {@code
   * before} (a local store's temporary files, which {@link #list} does not show; an S3 upload that
   * died leaves no object), or with {@code dryRun} only counts it; returns how many. Garbage
   * collection calls it with its cutoff: a live write is never that old.
   */
  default long deleteAbandonedWrites(java.time.Instant before, boolean dryRun) {
    return 0;
  }

  @Override
  void close();
}
