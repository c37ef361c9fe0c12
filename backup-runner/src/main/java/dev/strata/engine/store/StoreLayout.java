package dev.strata.engine.store;

import dev.strata.engine.Hashing;
import java.nio.charset.StandardCharsets;

/**
 * Where things live inside a store (see docs/store-layout.md): content blobs under {@code blobs/<2
 * hex>/<sha256>}, and each snapshot's index under {@code snapshots/<source key>/<snapshot
 * id>.json.gz}, where the source key is the first 16 hex digits of the SHA-256 of the source
 * identity (identities hold slashes; keys must not). Snapshot ids sort by creation time, so the
 * newest index of a source is the last key under its folder. A forgotten snapshot's index moves to
 * a tombstone next to it, {@code <snapshot id>.json.gz.forgotten}, which keeps its blobs alive for
 * garbage collection's grace period (see docs/garbage-collection.md).
 */
public final class StoreLayout {

  /**
   * Format 1: one object per fixed-size chunk. Read (and collected) still; format 2 writes packs
   * instead.
   */
  public static final String BLOBS = "blobs/";

  /** Format 2: the store's config, written once. */
  public static final String CONFIG = "config";

  /**
   * Format 2: key slots of an encrypted store (each holds the master key wrapped under one user
   * key).
   */
  public static final String KEYS = "keys/";

  /** Format 2: packs of blobs. */
  public static final String PACKS = "packs/";

  /** Format 2: index files (blob to pack, offset, length). */
  public static final String INDEX = "index/";

  /**
   * Format 2: the packs a running backup relies on, rewritten while it runs (the collector keeps
   * them).
   */
  public static final String PENDING = "pending/";

  public static final String SNAPSHOTS = "snapshots/";
  public static final String INDEX_SUFFIX = ".json.gz";
  public static final String PROGRESS = "progress/";

  /**
   * Markers of blobs found missing or corrupt by `verify --repair`: the next backup that has the
   * content stores it.
   */
  public static final String DAMAGED = "damaged/";

  public static final String PROGRESS_SUFFIX = ".json";
  public static final String TOMBSTONE_SUFFIX = INDEX_SUFFIX + ".forgotten";

  private StoreLayout() {}

  public static String blobKey(String blobId) {
    return BLOBS + blobId.substring(0, 2) + "/" + blobId;
  }

  /**
   * The blob id of a key under {@code blobs/}, or null for anything else (stray objects are never
   * GC'd by mistake).
   */
  public static String blobIdOf(String key) {
    if (!key.startsWith(BLOBS)) {
      return null;
    }
    int slash = key.lastIndexOf('/');
    String id = key.substring(slash + 1);
    return id.length() == 64 && key.equals(blobKey(id)) ? id : null;
  }

  public static String keySlotKey(String slotId) {
    return KEYS + slotId;
  }

  public static String packKey(String packId) {
    return PACKS + packId.substring(0, 2) + "/" + packId;
  }

  /** The pack id of a key under {@code packs/}, or null for anything else. */
  public static String packIdOf(String key) {
    if (!key.startsWith(PACKS)) {
      return null;
    }
    String id = key.substring(key.lastIndexOf('/') + 1);
    return isHex64(id) && key.equals(packKey(id)) ? id : null;
  }

  public static String indexFileKey(String id) {
    return INDEX + id;
  }

  /** The id of an index file's key, or null for anything else. */
  public static String indexIdOf(String key) {
    if (!key.startsWith(INDEX)) {
      return null;
    }
    String id = key.substring(INDEX.length());
    return isHex64(id) ? id : null;
  }

  public static String pendingKey(String id) {
    return PENDING + id;
  }

  /** The id of a pending object's key, or null. */
  public static String pendingIdOf(String key) {
    if (!key.startsWith(PENDING)) {
      return null;
    }
    String id = key.substring(PENDING.length());
    return id.matches("[0-9a-f]{32}") ? id : null;
  }

  public static boolean isHex64(String s) {
    return s.length() == 64
        && s.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  }

  /** The marker of a blob `verify --repair` found missing or removed as corrupt. */
  public static String damagedKey(String blobId) {
    return DAMAGED + blobId;
  }

  /** The blob id of a damaged-blob marker, or null for anything else. */
  public static String damagedIdOf(String key) {
    if (!key.startsWith(DAMAGED)) {
      return null;
    }
    String id = key.substring(DAMAGED.length());
    return id.length() == 64
            && id.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))
        ? id
        : null;
  }

  public static String sourceKey(String sourceId) {
    return Hashing.hex(Hashing.sha256(sourceId.getBytes(StandardCharsets.UTF_8))).substring(0, 16);
  }

  public static String sourceFolder(String sourceId) {
    return SNAPSHOTS + sourceKey(sourceId) + "/";
  }

  public static String indexKey(String sourceId, String snapshotId) {
    return sourceFolder(sourceId) + snapshotId + INDEX_SUFFIX;
  }

  /** Live progress of a running backup or restore; advisory, deleted when the run ends. */
  public static String progressKey(String name) {
    if (!name.matches("[A-Za-z0-9._-]{1,200}")) {
      throw new IllegalArgumentException(
          "progress object name '" + name + "' must be 1-200 letters, digits, '.', '_' or '-'");
    }
    return PROGRESS + name + PROGRESS_SUFFIX;
  }

  /** The snapshot id of an index key, or null when the key is not an index. */
  public static String snapshotIdOf(String key) {
    if (!key.startsWith(SNAPSHOTS) || !key.endsWith(INDEX_SUFFIX)) {
      return null;
    }
    String name = key.substring(key.lastIndexOf('/') + 1);
    return name.substring(0, name.length() - INDEX_SUFFIX.length());
  }

  /** The tombstone a forgotten snapshot's index moves to. */
  public static String tombstoneKey(String sourceId, String snapshotId) {
    return tombstoneKeyOf(indexKey(sourceId, snapshotId));
  }

  /** The tombstone key for an index key. */
  public static String tombstoneKeyOf(String indexKey) {
    if (snapshotIdOf(indexKey) == null) {
      throw new IllegalArgumentException("'" + indexKey + "' is not an index key");
    }
    return indexKey.substring(0, indexKey.length() - INDEX_SUFFIX.length()) + TOMBSTONE_SUFFIX;
  }

  /** The index key a tombstone was moved from, or null when the key is not a tombstone. */
  public static String indexKeyOfTombstone(String key) {
    if (!key.startsWith(SNAPSHOTS) || !key.endsWith(TOMBSTONE_SUFFIX)) {
      return null;
    }
    return key.substring(0, key.length() - TOMBSTONE_SUFFIX.length()) + INDEX_SUFFIX;
  }

  /** The snapshot id of a tombstone key, or null when the key is not a tombstone. */
  public static String forgottenSnapshotIdOf(String key) {
    String indexKey = indexKeyOfTombstone(key);
    return indexKey == null ? null : snapshotIdOf(indexKey);
  }
}
