package dev.strata.engine;

import dev.strata.engine.index.DirIndex;
import dev.strata.engine.index.FileBlob;
import dev.strata.engine.index.FileIndex;
import dev.strata.engine.index.IndexCodec;
import dev.strata.engine.index.SnapshotIndex;
import dev.strata.engine.index.SnapshotMetadata;
import dev.strata.engine.index.SnapshotStats;
import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.Metadata;
import dev.strata.engine.store.StoreLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Writes snapshots the way Strata wrote store format 1 (before packs): one object per fixed-size
 * chunk under {@code blobs/}, and a gzip JSON index. For the tests that prove format-1 stores stay
 * readable after format 2.
 */
public final class FormatOne {

  private FormatOne() {}

  public static SnapshotIndex backup(
      BlobStoreManager store, Path source, String sourceId, int chunkSize, String previous)
      throws IOException {
    store.initialize();
    long[] counts = new long[4];
    DirIndex root = dir(store, source, "", chunkSize, counts);
    Instant now = Instant.now();
    String id = SnapshotIds.next(now);
    SnapshotIndex index =
        new SnapshotIndex(
            1,
            id,
            new SnapshotMetadata(sourceId, store.location(), now, "format-1 test writer"),
            previous,
            chunkSize,
            new SnapshotStats(counts[0], counts[1], counts[2], counts[3], counts[3], 0),
            root);
    byte[] bytes = IndexCodec.encode(index);
    String key = StoreLayout.indexKey(sourceId, id);
    store.put(key, bytes, bytes.length, null, Metadata.of(sourceId, key));
    return index;
  }

  private static DirIndex dir(
      BlobStoreManager store, Path dir, String name, int chunkSize, long[] counts)
      throws IOException {
    counts[1]++;
    List<FileIndex> files = new ArrayList<>();
    List<DirIndex> dirs = new ArrayList<>();
    List<Path> children;
    try (var s = Files.list(dir)) {
      children = new ArrayList<>(s.toList());
    }
    children.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
    for (Path p : children) {
      LocalEntry e = LocalEntry.stat(p);
      switch (e.type()) {
        case DIRECTORY -> dirs.add(dir(store, p, e.name(), chunkSize, counts));
        case SYMLINK -> {
          counts[2]++;
          files.add(FileIndex.symlink(e.name(), e.metadata(), e.linkTarget()));
        }
        case FILE -> {
          counts[0]++;
          byte[] content = Files.readAllBytes(p);
          counts[3] += content.length;
          List<FileBlob> blobs = new ArrayList<>();
          for (int off = 0; off < content.length; off += chunkSize) {
            byte[] chunk =
                Arrays.copyOfRange(content, off, Math.min(content.length, off + chunkSize));
            String id = Hashing.hex(Hashing.sha256(chunk));
            store.put(
                StoreLayout.blobKey(id),
                chunk,
                chunk.length,
                Hashing.sha256(chunk),
                Metadata.of(null, StoreLayout.blobKey(id)));
            blobs.add(new FileBlob(id, off, chunk.length));
          }
          files.add(FileIndex.file(e.name(), e.metadata(), blobs, BackupEngineChecksums.of(blobs)));
        }
        default -> {}
      }
    }
    return new DirIndex(name, LocalEntry.stat(dir).metadata(), files, List.of(), dirs, List.of());
  }

  /** SHA-256 over the concatenated blob digests, as format 1 recorded it. */
  static final class BackupEngineChecksums {
    static String of(List<FileBlob> blobs) {
      var md = Hashing.newSha256();
      for (FileBlob b : blobs) {
        md.update(Hashing.unhex(b.id()));
      }
      return Hashing.hex(md.digest());
    }
  }
}
