package dev.strata.engine.pack;

import dev.strata.engine.format.Repository;
import dev.strata.engine.format.SealException;
import dev.strata.engine.store.Metadata;
import dev.strata.engine.store.ObjectInfo;
import dev.strata.engine.store.StoreException;
import dev.strata.engine.store.StoreLayout;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every index file of a store, in memory: for each blob, where it is (pack, offset, stored length),
 * in about 60 bytes. A blob may be in more than one pack (stored again after damage, or copied by a
 * repack before the old pack went); {@link #locations} lists them newest first, skipping packs
 * known to be gone. Loaded once per run; index files merged away while it is read are found again
 * through a new listing (the merged file is written before they are deleted). Loading and adding
 * are synchronized; once loaded, lookups run from many threads without locks.
 */
public final class BlobIndex {

  private static final Logger LOG = LoggerFactory.getLogger(BlobIndex.class);

  private final IdTable ids = new IdTable();
  private int[] pack = new int[1024];
  private int[] offset = new int[1024];
  private int[] stored = new int[1024];
  private int[] raw = new int[1024];
  private byte[] flags = new byte[1024];
  private byte[] type = new byte[1024];

  private final List<String> packIds = new ArrayList<>();
  private long[] packTime = new long[64];
  private final Map<String, Integer> packNo = new HashMap<>();
  private final Set<Integer> absent = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final Map<Integer, Instant> modified = new java.util.concurrent.ConcurrentHashMap<>();
  private final Set<String> files = new LinkedHashSet<>();

  public static BlobIndex load(Repository repo) {
    BlobIndex index = new BlobIndex();
    index.refresh(repo);
    return index;
  }

  /** Reads the index files not read yet (all of them the first time). */
  public synchronized void refresh(Repository repo) {
    for (int round = 0; round < 5; round++) {
      List<String> keys = new ArrayList<>();
      repo.store()
          .list(
              StoreLayout.INDEX,
              o -> {
                if (StoreLayout.indexIdOf(o.key()) != null && !files.contains(o.key())) {
                  keys.add(o.key());
                }
              },
              Metadata.of(null, StoreLayout.INDEX));
      boolean vanished = false;
      for (String key : keys) {
        byte[] plain;
        try {
          plain = repo.getObject(key, Metadata.of(null, key));
          add(plain, "index file " + key);
        } catch (StoreException e) {
          if (e.kind() == StoreException.Kind.NOT_FOUND) {
            vanished = true; // merged into another index file meanwhile: list again
            continue;
          }
          throw e;
        } catch (SealException e) {
          throw damaged(e);
        }
        files.add(key);
      }
      if (!vanished) {
        return;
      }
    }
    LOG.warn(
        "index files of {} kept vanishing while they were read; some blobs may look absent",
        repo.store().location());
  }

  /**
   * A damaged index file, with what to do: its packs describe themselves, so a collection lists
   * them again once it is gone (an index file of a newer format is not damaged: it is left alone).
   */
  private static SealException damaged(SealException e) {
    if (e instanceof IndexFile.UnknownVersion) {
      return e;
    }
    return new SealException(
        e.getMessage()
            + ": the index file is damaged: move it out of the store (keep a copy), then run `strata"
            + " gc`, which lists the packs it listed again from their own headers once they are"
            + " older than the grace period",
        e);
  }

  /** The index files this index holds, by key. */
  public synchronized Set<String> files() {
    return new LinkedHashSet<>(files);
  }

  /** Adds the content of one index file. */
  public synchronized void add(byte[] plain, String what) {
    int[] current = {-1};
    IndexFile.read(
        plain,
        what,
        new IndexFile.Visitor() {
          @Override
          public void pack(String packId, long createdAtMillis, int entries) {
            current[0] = packNumber(packId, createdAtMillis);
          }

          @Override
          public void entry(byte t, byte f, byte[] idBuf, int idOff, int off, int st, int rw) {
            addEntry(current[0], t, f, idBuf, idOff, off, st, rw);
          }
        });
  }

  /** Adds one pack's entries (a pack this run wrote, or a repack's). */
  public synchronized void addPack(String packId, long createdAtMillis, List<PackEntry> entries) {
    int p = packNumber(packId, createdAtMillis);
    for (PackEntry e : entries) {
      addEntry(p, e.type(), e.flags(), e.id(), 0, e.offset(), e.storedLength(), e.rawLength());
    }
  }

  private int packNumber(String packId, long time) {
    Integer p = packNo.get(packId);
    if (p != null) {
      return p;
    }
    int n = packIds.size();
    packIds.add(packId);
    if (n == packTime.length) {
      packTime = Arrays.copyOf(packTime, n * 2);
    }
    packTime[n] = time;
    packNo.put(packId, n);
    return n;
  }

  private void addEntry(int p, byte t, byte f, byte[] idBuf, int idOff, int off, int st, int rw) {
    for (int x = ids.find(idBuf, idOff); x >= 0; x = ids.next(x)) {
      if (pack[x] == p) {
        return; // the same pack listed by two index files (one merged from the other, or put back):
        // one entry
      }
    }
    int e = ids.add(idBuf, idOff);
    if (e == pack.length) {
      int n = e * 2;
      pack = Arrays.copyOf(pack, n);
      offset = Arrays.copyOf(offset, n);
      stored = Arrays.copyOf(stored, n);
      raw = Arrays.copyOf(raw, n);
      flags = Arrays.copyOf(flags, n);
      type = Arrays.copyOf(type, n);
    }
    pack[e] = p;
    offset[e] = off;
    stored[e] = st;
    raw[e] = rw;
    flags[e] = f;
    type[e] = t;
  }

  /**
   * Takes a listing of {@code packs/}: packs the index names but the store lacks are skipped from
   * now on.
   */
  public synchronized void retainListed(Map<String, ObjectInfo> listed) {
    for (int p = 0; p < packIds.size(); p++) {
      ObjectInfo o = listed.get(packIds.get(p));
      if (o == null) {
        absent.add(p);
      } else {
        modified.put(p, o.lastModified());
      }
    }
  }

  public void markAbsent(String packId) {
    Integer p = packNo.get(packId);
    if (p != null) {
      absent.add(p);
    }
  }

  /**
   * The entries of a blob in packs not known to be gone, newest pack first; empty when the store
   * lacks it.
   */
  public int[] locations(byte[] id) {
    int e = ids.find(id, 0);
    if (e < 0) {
      return new int[0];
    }
    List<Integer> found = new ArrayList<>(2);
    for (; e >= 0; e = ids.next(e)) {
      if (!absent.contains(pack[e])) {
        found.add(e);
      }
    }
    found.sort((a, b) -> Long.compare(packTime[pack[b]], packTime[pack[a]]));
    Set<Integer> seenPacks = new HashSet<>();
    return found.stream().filter(x -> seenPacks.add(pack[x])).mapToInt(Integer::intValue).toArray();
  }

  /** Whether some pack not known to be gone holds the blob; allocates nothing. */
  public boolean contains(byte[] id) {
    for (int e = ids.find(id, 0); e >= 0; e = ids.next(e)) {
      if (!absent.contains(pack[e])) {
        return true;
      }
    }
    return false;
  }

  /** The first eight bytes of an entry's id. */
  public long idPrefix(int entry) {
    byte[] b = new byte[32];
    ids.copyId(entry, b, 0);
    return LongSet.prefix(b);
  }

  /**
   * Whether the entry is where readers take its blob from: the newest copy in a pack not known to
   * be gone.
   */
  public boolean isNewest(int entry) {
    int[] l = locations(ids.id(entry));
    return l.length > 0 && l[0] == entry;
  }

  /** Every entry in pack {@code p} (slow: it looks at all entries; for rare paths). */
  public int[] entriesOfPack(int p) {
    int n = ids.size();
    return java.util.stream.IntStream.range(0, n).filter(e -> pack[e] == p).toArray();
  }

  /** The newest entry of the blob in a pack not known to be gone, or -1. */
  public int find(byte[] id) {
    int[] l = locations(id);
    return l.length == 0 ? -1 : l[0];
  }

  public int size() {
    return ids.size();
  }

  public String packId(int entry) {
    return packIds.get(pack[entry]);
  }

  public int packNumber(int entry) {
    return pack[entry];
  }

  public String packIdOfNumber(int p) {
    return packIds.get(p);
  }

  public int packCount() {
    return packIds.size();
  }

  public long packTime(int p) {
    return packTime[p];
  }

  /** When the pack was last written (or refreshed), from the listing; null when not listed. */
  public Instant packModified(int p) {
    return modified.get(p);
  }

  public boolean packAbsent(int p) {
    return absent.contains(p);
  }

  public int offset(int entry) {
    return offset[entry];
  }

  public int storedLength(int entry) {
    return stored[entry];
  }

  public int rawLength(int entry) {
    return raw[entry];
  }

  public byte flags(int entry) {
    return flags[entry];
  }

  public byte type(int entry) {
    return type[entry];
  }

  public byte[] id(int entry) {
    return ids.id(entry);
  }

  /** A view of one entry, for code that is not on a hot path. */
  public record Location(
      String packId, int offset, int storedLength, int rawLength, byte flags, byte type) {}

  public Location location(int entry) {
    return new Location(
        packIds.get(pack[entry]),
        offset[entry],
        stored[entry],
        raw[entry],
        flags[entry],
        type[entry]);
  }
}
