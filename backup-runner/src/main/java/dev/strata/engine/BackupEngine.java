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
import dev.strata.engine.store.ObjectInfo;
import dev.strata.engine.store.StoreException;
import dev.strata.engine.store.StoreLayout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Backs up a directory tree as a snapshot of a source identity. It diffs the tree against the source's latest committed
 * snapshot (unchanged files are not read), splits new or changed files into fixed-size chunks stored as blobs named by
 * their SHA-256 (so equal content is stored once per store), uploads them on a bounded pool, and writes the
 * SnapshotIndex last: the snapshot exists once, and only once, its index does.
 */
public final class BackupEngine {

  private static final Logger LOG = LoggerFactory.getLogger(BackupEngine.class);

  private final BlobStoreManager store;
  private final BackupOptions options;
  private final Progress progress;

  public BackupEngine(BlobStoreManager store, BackupOptions options, Progress progress) {
    this.store = store;
    this.options = options;
    this.progress = progress;
  }

  public BackupResult backup(Path sourceDir, String sourceId) {
    long start = System.nanoTime();
    Instant createdAt = options.clock().instant();
    Path root = requireDirectory(sourceDir);
    store.checkAccess();

    Optional<SnapshotIndex> previous = new SnapshotCatalog(store).latest(sourceId);
    int chunkSize = previous.map(SnapshotIndex::chunkSize).orElse(options.chunkSize());
    Run run = new Run(sourceId, chunkSize, previous.map(BackupEngine::blobIds).orElse(Set.of()), createdAt);
    // With no previous snapshot every chunk is a question to the store: answer them by listing, not a HEAD each.
    run.storedBlobs = previous.isEmpty() ? new StoredBlobs(store, sourceId, StoredBlobs.MAX_LISTED) : null;
    DirIndex rootIndex;
    try (Workers workers = new Workers("strata-backup", options.parallelism())) {
      run.workers = workers;
      PlannedDir plan = run.scan(root, "", previous.map(SnapshotIndex::root).orElse(null), "");
      progress.totalsKnown();
      rootIndex = plan.resolve(workers);
      run.recheckRefreshed();
    }
    previous.ifPresent(run::requireBase);

    String snapshotId = SnapshotIds.next(createdAt);
    SnapshotStats stats =
        new SnapshotStats(
            run.files.get(),
            run.directories.get(),
            run.symlinks.get(),
            run.totalBytes.get(),
            run.uploadedBytes.get(),
            run.totalBytes.get() - run.uploadedBytes.get());
    SnapshotIndex index =
        new SnapshotIndex(
            SnapshotIndex.FORMAT_VERSION,
            snapshotId,
            new SnapshotMetadata(sourceId, store.location(), createdAt, options.createdBy()),
            previous.map(SnapshotIndex::snapshotId).orElse(null),
            chunkSize,
            stats,
            rootIndex);
    byte[] encoded = IndexCodec.encode(index);
    String key = StoreLayout.indexKey(sourceId, snapshotId);
    // The commit point: everything the index references is already in the store, and garbage collection keeps it (see
    // docs/garbage-collection.md: this holds while a backup lasts less than the collector's grace period minus 1h).
    store.put(key, encoded, encoded.length, Hashing.sha256(encoded), new Metadata(sourceId, key, encoded.length));
    progress.done();
    long ms = (System.nanoTime() - start) / 1_000_000;
    LOG.info(
        "committed snapshot {} of {}: {} files, {} bytes, {} uploaded, in {} ms",
        snapshotId, sourceId, stats.files(), stats.totalBytes(), stats.uploadedBytes(), ms);
    return new BackupResult(index, key, ms);
  }

  private static Path requireDirectory(Path dir) {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(dir)) {
      throw new IllegalArgumentException("the source " + dir + " is not a directory: check --source");
    }
    try {
      return dir.toRealPath();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot resolve the source " + dir, e);
    }
  }

  static Set<String> blobIds(SnapshotIndex index) {
    Set<String> ids = ConcurrentHashMap.newKeySet();
    collect(index.root(), ids);
    return ids;
  }

  private static void collect(DirIndex dir, Set<String> ids) {
    for (FileIndex f : dir.filesPresent()) {
      for (FileBlob b : f.blobs()) {
        ids.add(b.id());
      }
    }
    dir.subDirsPresent().forEach(d -> collect(d, ids));
  }

  /** One directory as scanned: what it keeps, and files whose index entries are still being computed. */
  private record PlannedDir(
      String name,
      LocalEntry self,
      List<FileIndex> ready,
      List<CompletableFuture<FileIndex>> pending,
      List<String> filesRemoved,
      List<PlannedDir> subDirs,
      List<String> subDirsRemoved) {

    DirIndex resolve(Workers workers) {
      List<FileIndex> files = new ArrayList<>(ready);
      for (CompletableFuture<FileIndex> f : pending) {
        files.add(join(f, workers));
      }
      files.sort(Comparator.comparing(FileIndex::name));
      List<DirIndex> dirs = new ArrayList<>();
      for (PlannedDir d : subDirs) {
        dirs.add(d.resolve(workers));
      }
      return new DirIndex(name, self.metadata(), files, filesRemoved, dirs, subDirsRemoved);
    }

    private static FileIndex join(CompletableFuture<FileIndex> f, Workers workers) {
      try {
        return f.join();
      } catch (RuntimeException e) {
        workers.failIfFailed();
        throw e;
      }
    }
  }

  /** Where a chunk of a source file is, to read it again. */
  private record ChunkRef(Path path, String relPath, long offset, int length) {}

  /** The state of one backup run; its counters are the only state worker threads share. */
  private final class Run {
    final String sourceId;
    final int chunkSize;
    final Set<String> knownBlobs;
    final Set<String> claimedBlobs = ConcurrentHashMap.newKeySet();
    /** Blobs found in the store, not through the previous snapshot, whose age this run restarted (removeTTL). */
    final Map<String, ChunkRef> refreshed = new ConcurrentHashMap<>();
    final Instant createdAt;
    final AtomicLong files = new AtomicLong();
    final AtomicLong directories = new AtomicLong();
    final AtomicLong symlinks = new AtomicLong();
    final AtomicLong totalBytes = new AtomicLong();
    final AtomicLong uploadedBytes = new AtomicLong();
    final ThreadLocal<byte[]> buffers;
    Workers workers;
    /** Set for a source's first backup (see {@link StoredBlobs}); null: a HEAD per chunk the previous snapshot lacks. */
    StoredBlobs storedBlobs;

    Run(String sourceId, int chunkSize, Set<String> knownBlobs, Instant createdAt) {
      this.sourceId = sourceId;
      this.chunkSize = chunkSize;
      this.knownBlobs = knownBlobs;
      this.createdAt = createdAt;
      this.buffers = ThreadLocal.withInitial(() -> new byte[chunkSize]);
    }

    PlannedDir scan(Path dir, String relPath, DirIndex remote, String name) {
      LocalEntry self;
      List<LocalEntry> entries;
      try {
        self = LocalEntry.stat(dir);
        entries = LocalEntry.list(dir);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read directory " + display(relPath) + ": " + e.getMessage(), e);
      }
      directories.incrementAndGet();
      DirDiff diff = DirDiff.compute(entries, remote, options.fullCheck());
      for (LocalEntry skipped : diff.skipped()) {
        LOG.warn("skipped {}: sockets, FIFOs and devices cannot be snapshotted", display(join(relPath, skipped.name())));
      }
      List<FileIndex> ready = new ArrayList<>();
      for (FileIndex kept : diff.filesRetained()) {
        ready.add(kept);
        count(kept.isSymlink(), kept.metadata().size());
        progress.addTotal(1, kept.metadata().size());
        progress.bytesDone(kept.metadata().size());
        progress.reused(kept.metadata().size());
        progress.fileDone();
      }
      List<CompletableFuture<FileIndex>> pending = new ArrayList<>();
      for (LocalEntry added : diff.filesAdded()) {
        if (added.type() == LocalEntry.Type.SYMLINK) {
          ready.add(FileIndex.symlink(added.name(), added.metadata(), added.linkTarget()));
          count(true, 0);
        } else {
          count(false, added.metadata().size());
          progress.addTotal(1, added.metadata().size());
          pending.add(readFile(dir.resolve(added.name()), join(relPath, added.name()), added));
        }
      }
      List<PlannedDir> subDirs = new ArrayList<>();
      for (LocalEntry d : diff.subDirsAdded()) {
        subDirs.add(scan(dir.resolve(d.name()), join(relPath, d.name()), null, d.name()));
      }
      for (DirDiff.RetainedDir d : diff.subDirsRetained()) {
        subDirs.add(scan(dir.resolve(d.local().name()), join(relPath, d.local().name()), d.remote(), d.local().name()));
      }
      subDirs.sort(Comparator.comparing(PlannedDir::name));
      return new PlannedDir(name, self, ready, pending, diff.filesRemoved(), subDirs, diff.subDirsRemoved());
    }

    private void count(boolean symlink, long size) {
      if (symlink) {
        symlinks.incrementAndGet();
      } else {
        files.incrementAndGet();
        totalBytes.addAndGet(size);
      }
    }

    /** Splits a file into chunks, each read, hashed and stored by a worker; completes with the file's index entry. */
    private CompletableFuture<FileIndex> readFile(Path path, String relPath, LocalEntry entry) {
      long size = entry.metadata().size();
      int chunks = (int) ((size + chunkSize - 1) / chunkSize);
      if (chunks == 0) {
        progress.fileDone();
        return CompletableFuture.completedFuture(FileIndex.file(entry.name(), entry.metadata(), List.of(), checksum(List.of())));
      }
      List<CompletableFuture<FileBlob>> parts = new ArrayList<>(chunks);
      for (int i = 0; i < chunks; i++) {
        long offset = (long) i * chunkSize;
        int length = (int) Math.min(chunkSize, size - offset);
        parts.add(workers.submit(() -> storeChunk(path, relPath, offset, length)));
      }
      return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
          .thenApply(
              ignored -> {
                List<FileBlob> blobs = parts.stream().map(CompletableFuture::join).toList();
                warnIfChanged(path, relPath, entry);
                progress.fileDone();
                return FileIndex.file(entry.name(), entry.metadata(), blobs, checksum(blobs));
              });
    }

    private FileBlob storeChunk(Path path, String relPath, long offset, int length) {
      byte[] buf = buffers.get();
      readFully(path, relPath, offset, buf, length);
      byte[] digest = Hashing.sha256(buf, 0, length);
      String id = Hashing.hex(digest);
      if (knownBlobs.contains(id) || !claimedBlobs.add(id)) {
        progress.reused(length);
      } else {
        String key = StoreLayout.blobKey(id);
        Metadata md = new Metadata(sourceId, relPath, length);
        Optional<ObjectInfo> existing = storedBlobs != null ? storedBlobs.find(id, md) : store.stat(key, md);
        boolean reuse =
            existing.isPresent()
                && existing.get().size() == length
                // Found in the store but in no snapshot we know of: restart its grace clock when it is old, so a
                // collector running now cannot delete it before our index commits.
                && (!existing.get().lastModified().isBefore(createdAt.minus(options.refreshAge()))
                    || refresh(id, key, md, new ChunkRef(path, relPath, offset, length)));
        if (reuse) {
          progress.reused(length);
        } else {
          store.put(key, buf, length, digest, md);
          uploadedBytes.addAndGet(length);
          progress.transferred(length);
        }
      }
      progress.bytesDone(length);
      return new FileBlob(id, offset, length);
    }

    /** Restarts a blob's age; false when a collector deleted it since it was found (then it is uploaded again). */
    private boolean refresh(String id, String key, Metadata md, ChunkRef ref) {
      try {
        store.removeTTL(key, md);
      } catch (StoreException e) {
        if (e.kind() != StoreException.Kind.NOT_FOUND) {
          throw e;
        }
        LOG.info("blob {} of {} was deleted by garbage collection as it was found; uploading it", id, display(ref.relPath()));
        return false;
      }
      refreshed.put(id, ref);
      return true;
    }

    /**
     * Before the commit, checks that every blob this run refreshed still exists. A collector that listed such a blob as
     * old and unreferenced looks at it again right before deleting it and then keeps it, but S3 has no conditional
     * delete, so a refresh that lands between that look and the delete loses the blob: this catches it, and the chunk
     * is read and uploaded again.
     */
    void recheckRefreshed() {
      List<CompletableFuture<Void>> checks = new ArrayList<>();
      for (Map.Entry<String, ChunkRef> e : refreshed.entrySet()) {
        checks.add(workers.submit(() -> {
          recheck(e.getKey(), e.getValue());
          return null;
        }));
      }
      for (CompletableFuture<Void> c : checks) {
        try {
          c.join();
        } catch (RuntimeException e) {
          workers.failIfFailed();
          throw e;
        }
      }
    }

    private void recheck(String id, ChunkRef ref) {
      String key = StoreLayout.blobKey(id);
      Metadata md = new Metadata(sourceId, ref.relPath(), ref.length());
      if (store.stat(key, md).isPresent()) {
        return;
      }
      byte[] buf = buffers.get();
      readFully(ref.path(), ref.relPath(), ref.offset(), buf, ref.length());
      byte[] digest = Hashing.sha256(buf, 0, ref.length());
      if (!Hashing.hex(digest).equals(id)) {
        throw new SourceChangedException(
            "file " + display(ref.relPath()) + " changed while it was backed up: back up a consistent copy "
                + "(for RocksDB, a checkpoint) or run the backup again");
      }
      LOG.warn("blob {} of {} was deleted by garbage collection while this backup ran; uploaded it again", id, display(ref.relPath()));
      store.put(key, buf, ref.length(), digest, md);
      uploadedBytes.addAndGet(ref.length());
      progress.transferred(ref.length());
    }

    /**
     * Fails unless the snapshot this backup is based on still exists, as an index or as a tombstone. Its blobs were
     * reused without looking at the store, and only its index or tombstone keeps them from garbage collection; both are
     * gone only when this backup took longer than the collector's grace period, or when the index was deleted without
     * {@link SnapshotCatalog#forget}.
     */
    void requireBase(SnapshotIndex base) {
      String indexKey = StoreLayout.indexKey(sourceId, base.snapshotId());
      if (store.stat(indexKey, Metadata.of(sourceId, indexKey)).isPresent()) {
        return;
      }
      String tombstone = StoreLayout.tombstoneKeyOf(indexKey);
      if (store.stat(tombstone, Metadata.of(sourceId, tombstone)).isPresent()) {
        LOG.info("snapshot {}, which this backup is based on, was forgotten meanwhile; its tombstone keeps the blobs reused from it", base.snapshotId());
        return;
      }
      throw new IllegalStateException(
          "snapshot " + base.snapshotId() + ", which this backup is based on, no longer exists, not even as a tombstone"
              + " (it was forgotten longer ago than the garbage collector's grace period, or deleted without `forget`):"
              + " blobs reused from it may be gone, so nothing was committed. Run the backup again, and keep backups"
              + " shorter than the grace period minus 1h");
    }

    private void readFully(Path path, String relPath, long offset, byte[] buf, int length) {
      try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
        if (!ChunkIO.read(ch, offset, buf, length)) {
          throw new SourceChangedException(
              "file " + display(relPath) + " shrank while it was read: back up a consistent copy "
                  + "(for RocksDB, a checkpoint) or run the backup again");
        }
      } catch (NoSuchFileException e) {
        throw new SourceChangedException(
            "file " + display(relPath) + " was deleted while it was backed up: run the backup again", e);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + display(relPath) + ": " + e.getMessage(), e);
      }
    }

    private void warnIfChanged(Path path, String relPath, LocalEntry before) {
      try {
        LocalEntry after = LocalEntry.stat(path);
        if (after.metadata().mtimeNanos() != before.metadata().mtimeNanos()
            || after.metadata().size() != before.metadata().size()) {
          // The index keeps the mtime seen before reading, so the next backup reads the file again.
          LOG.warn("file {} changed while it was read; the snapshot holds its first {} bytes", display(relPath), before.metadata().size());
        }
      } catch (IOException e) {
        LOG.warn("file {} vanished after it was read", display(relPath));
      }
    }
  }

  /** SHA-256 over the concatenated blob digests: equal for equal content, computed without reading the file again. */
  static String checksum(List<FileBlob> blobs) {
    MessageDigest md = Hashing.newSha256();
    for (FileBlob b : blobs) {
      md.update(Hashing.unhex(b.id()));
    }
    return Hashing.hex(md.digest());
  }

  private static String join(String parent, String name) {
    return parent.isEmpty() ? name : parent + "/" + name;
  }

  private static String display(String relPath) {
    return relPath.isEmpty() ? "." : relPath;
  }
}
