package dev.strata.engine;

import dev.strata.engine.format.Compression;
import dev.strata.engine.format.Repository;
import dev.strata.engine.format.SnapshotCodec;
import dev.strata.engine.format.UserKey;
import dev.strata.engine.index.SnapshotRecord;
import dev.strata.engine.pack.BlobCodec;
import dev.strata.engine.pack.IndexFile;
import dev.strata.engine.pack.IndexFiles;
import dev.strata.engine.pack.PackEntry;
import dev.strata.engine.pack.PackUploads;
import dev.strata.engine.pack.PackWriter;
import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.Metadata;
import dev.strata.engine.tree.TreeChunker;
import dev.strata.engine.tree.TreeEntry;
import dev.strata.engine.tree.TreeSource;
import dev.strata.engine.tree.TreeWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Rewrites a format-2 snapshot in the store as someone with write access to the bucket (and, for an
 * encrypted store, the key) could: its tree records changed by {@code edit}, stored as a new tree
 * blob in a new pack with its index file, and the snapshot object at its key pointing to it.
 * Nothing checks the records on the way in.
 */
public final class Tamper {

  private Tamper() {}

  public static void rewriteTree(
      BlobStoreManager store, UserKey key, Snapshot s, UnaryOperator<List<TreeEntry>> edit) {
    Repository repo = Repository.open(store, key);
    List<TreeEntry> records = new ArrayList<>();
    try (TreeSource t = new BlobSource(repo, null).tree(s)) {
      for (TreeEntry e = t.next(); e != null; e = t.next()) {
        records.add(e);
      }
    }
    List<TreeEntry> edited = edit.apply(records);
    List<IndexFile.Pack> packs = Collections.synchronizedList(new ArrayList<>());
    List<String> ids = new ArrayList<>();
    long[] bytes = {0};
    try (PackUploads up = new PackUploads(repo, 1, 16 << 20, packs::add)) {
      PackWriter trees = new PackWriter(up, PackEntry.TREE);
      BlobCodec codec = new BlobCodec(repo.sealer());
      TreeChunker chunker =
          new TreeChunker(
              (buf, len) -> {
                byte[] id = repo.sealer().blobId(buf, 0, len);
                ids.add(Hashing.hex(id));
                codec.encode(Compression.AUTO, id, buf, 0, len);
                trees.add(
                    id, codec.stored, codec.storedOffset, codec.storedLength, codec.flags, len);
                bytes[0] += len;
              });
      TreeWriter w = new TreeWriter(chunker);
      edited.forEach(w::write);
      w.finish();
      trees.flush();
      up.awaitAll();
    }
    IndexFiles.write(repo, packs, System.currentTimeMillis());
    SnapshotRecord r = s.record();
    SnapshotRecord forged =
        new SnapshotRecord(
            r.snapshotId(),
            r.metadata(),
            r.previousSnapshotId(),
            r.stats(),
            r.compression(),
            bytes[0],
            ids);
    byte[] encoded = SnapshotCodec.encode(repo, s.key(), forged);
    store.put(s.key(), encoded, encoded.length, null, Metadata.of(null, s.key()));
  }
}
