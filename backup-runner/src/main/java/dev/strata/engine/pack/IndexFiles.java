package dev.strata.engine.pack;

import dev.strata.engine.format.Repository;
import dev.strata.engine.store.Metadata;
import dev.strata.engine.store.StoreException;
import dev.strata.engine.store.StoreLayout;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writing, reading and merging index files. */
public final class IndexFiles {

  private static final Logger LOG = LoggerFactory.getLogger(IndexFiles.class);

  /**
   * A backup merges the index files when there are more than this many, so a store opens in a few
   * reads.
   */
  public static final int MERGE_ABOVE = 32;

  /** A merged index file holds at most this many blobs (about 60 MB in memory, 50 MB stored). */
  public static final int MAX_ENTRIES_PER_FILE = 1_000_000;

  private IndexFiles() {}

  /** Writes an index file for these packs; returns its key. */
  public static String write(Repository repo, List<IndexFile.Pack> packs, long nowMillis) {
    byte[] id = new byte[32];
    new SecureRandom().nextBytes(id);
    String key = StoreLayout.indexFileKey(HexFormat.of().formatHex(id));
    repo.putObject(key, IndexFile.encode(nowMillis, packs), Metadata.of(null, key));
    return key;
  }

  /** The packs an index file lists; empty when it is gone (merged away meanwhile). */
  public static List<IndexFile.Pack> read(Repository repo, String key) {
    byte[] plain;
    try {
      plain = repo.getObject(key, Metadata.of(null, key));
    } catch (StoreException e) {
      if (e.kind() == StoreException.Kind.NOT_FOUND) {
        return List.of();
      }
      throw e;
    }
    List<IndexFile.Pack> out = new ArrayList<>();
    java.nio.ByteBuffer[] cur = {null};
    String[] pid = {null};
    long[] time = {0};
    int[] count = {0};
    IndexFile.read(
        plain,
        "index file " + key,
        new IndexFile.Visitor() {
          @Override
          public void pack(String packId, long createdAtMillis, int entries) {
            flush();
            pid[0] = packId;
            time[0] = createdAtMillis;
            count[0] = entries;
            cur[0] = java.nio.ByteBuffer.allocate(entries * PackFile.ENTRY);
          }

          @Override
          public void entry(byte t, byte f, byte[] idBuf, int idOff, int off, int st, int rw) {
            cur[0].put(t).put(f).put(idBuf, idOff, 32).putInt(off).putInt(st).putInt(rw);
          }

          void flush() {
            if (pid[0] != null) {
              out.add(new IndexFile.Pack(pid[0], time[0], count[0], cur[0].array()));
            }
          }
        });
    if (pid[0] != null) {
      out.add(new IndexFile.Pack(pid[0], time[0], count[0], cur[0].array()));
    }
    return out;
  }

  /** Every index file's key. */
  public static List<String> list(Repository repo) {
    List<String> keys = new ArrayList<>();
    repo.store()
        .list(
            StoreLayout.INDEX,
            o -> {
              if (StoreLayout.indexIdOf(o.key()) != null) {
                keys.add(o.key());
              }
            },
            Metadata.of(null, StoreLayout.INDEX));
    return keys;
  }

  /**
   * Merges index files: writes what they list (each pack once, and only packs {@code keep} accepts)
   * into new files, then deletes the merged ones. Readers that listed the old files and find one
   * gone list again and find the new one, which was written first. Returns the keys written.
   */
  public static List<String> merge(
      Repository repo, Collection<String> keys, Predicate<String> keep, long nowMillis) {
    Map<String, IndexFile.Pack> packs = new LinkedHashMap<>();
    for (String key : keys) {
      for (IndexFile.Pack p : read(repo, key)) {
        if (keep.test(p.packId())) {
          packs.putIfAbsent(p.packId(), p);
        }
      }
    }
    List<String> written = new ArrayList<>();
    List<IndexFile.Pack> batch = new ArrayList<>();
    int entries = 0;
    for (IndexFile.Pack p : packs.values()) {
      if (entries + p.count() > MAX_ENTRIES_PER_FILE && !batch.isEmpty()) {
        written.add(write(repo, batch, nowMillis));
        batch = new ArrayList<>();
        entries = 0;
      }
      batch.add(p);
      entries += p.count();
    }
    if (!batch.isEmpty()) {
      written.add(write(repo, batch, nowMillis));
    }
    for (String key : keys) {
      repo.store().delete(key, Metadata.of(null, key));
    }
    LOG.info(
        "merged {} index files of {} into {} ({} packs)",
        keys.size(),
        repo.store().location(),
        written.size(),
        packs.size());
    return written;
  }
}
