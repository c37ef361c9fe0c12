package dev.strata.engine;

import dev.strata.engine.index.DirIndex;
import dev.strata.engine.index.FileBlob;
import dev.strata.engine.index.FileIndex;
import dev.strata.engine.index.SnapshotIndex;
import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.Metadata;
import dev.strata.engine.store.ObjectInfo;
import dev.strata.engine.store.StoreException;
import dev.strata.engine.store.StoreLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Checks that a snapshot can be restored: every blob its index references exists with the right size, and with
 * {@code readData} also that its bytes hash to its id. Each blob is checked once however many files share it.
 */
public final class SnapshotVerifier {

  /** One blob that failed, and the first file that needs it. */
  public record Problem(String snapshotId, String path, String blobId, String what) {}

  public record Report(String snapshotId, long blobsChecked, long bytesChecked, List<Problem> problems) {
    public boolean ok() {
      return problems.isEmpty();
    }
  }

  /** The first file that references a blob, for messages. */
  private record BlobRef(String path, long size) {}

  private final BlobStoreManager store;
  private final int parallelism;

  public SnapshotVerifier(BlobStoreManager store, int parallelism) {
    this.store = store;
    this.parallelism = parallelism;
  }

  public Report verify(SnapshotIndex index, boolean readData) {
    Map<String, BlobRef> blobs = new LinkedHashMap<>();
    collect(index.root(), "", blobs);
    List<Problem> problems = Collections.synchronizedList(new ArrayList<>());
    List<CompletableFuture<Long>> work = new ArrayList<>();
    try (Workers workers = new Workers("strata-verify", parallelism)) {
      for (Map.Entry<String, BlobRef> e : blobs.entrySet()) {
        String id = e.getKey();
        String path = e.getValue().path();
        long size = e.getValue().size();
        work.add(workers.submit(() -> check(index, id, path, size, readData, problems)));
      }
      long bytes = 0;
      for (CompletableFuture<Long> f : work) {
        bytes += f.join();
      }
      List<Problem> sorted = new ArrayList<>(problems);
      sorted.sort((a, b) -> a.path().compareTo(b.path()));
      return new Report(index.snapshotId(), blobs.size(), bytes, sorted);
    }
  }

  private long check(SnapshotIndex index, String id, String path, long size, boolean readData, List<Problem> problems) {
    String key = StoreLayout.blobKey(id);
    Metadata md = new Metadata(index.metadata().sourceId(), path, size);
    try {
      if (readData) {
        byte[] data = store.get(key, md);
        if (data.length != size || !Hashing.hex(Hashing.sha256(data)).equals(id)) {
          problems.add(new Problem(index.snapshotId(), path, id, "content does not match its checksum"));
        }
        return data.length;
      }
      Optional<ObjectInfo> info = store.stat(key, md);
      if (info.isEmpty()) {
        problems.add(new Problem(index.snapshotId(), path, id, "missing"));
      } else if (info.get().size() != size) {
        problems.add(new Problem(index.snapshotId(), path, id, "has " + info.get().size() + " bytes, expected " + size));
      }
      return size;
    } catch (StoreException e) {
      if (e.kind() == StoreException.Kind.NOT_FOUND) {
        problems.add(new Problem(index.snapshotId(), path, id, "missing"));
        return 0;
      }
      throw e;
    }
  }

  private static void collect(DirIndex dir, String relPath, Map<String, BlobRef> blobs) {
    for (FileIndex f : dir.filesPresent()) {
      String path = relPath.isEmpty() ? f.name() : relPath + "/" + f.name();
      for (FileBlob b : f.blobs()) {
        blobs.putIfAbsent(b.id(), new BlobRef(path, b.size()));
      }
    }
    for (DirIndex d : dir.subDirsPresent()) {
      collect(d, relPath.isEmpty() ? d.name() : relPath + "/" + d.name(), blobs);
    }
  }
}
