package dev.strata.engine;

import dev.strata.engine.fs.DirHandle;
import dev.strata.engine.fs.FileHandle;
import dev.strata.engine.fs.PosixException;
import dev.strata.engine.fs.Stat;
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
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Backs up a directory tree as a snapshot of a source identity. It diffs the tree against the source's latest committed
 * snapshot (unchanged files are not read), splits new or changed files into fixed-size chunks stored as blobs named by
 * their SHA-256 (so equal content is stored once per store), uploads them on a bounded pool, and writes the
 * SnapshotIndex last: the snapshot exists once, and only once, its index does.
 *
 * <p>The tree is walked through directory handles (openat with O_NOFOLLOW at every level), so no symlink is ever
 * followed, whatever the workload changes meanwhile. Each file is opened once for all its chunks, and its identity
 * (device, inode, size, mtime, ctime) is compared before and after the read: a file that changed is read again, a
 * bounded number of times, then handled by the {@link FileChangePolicy}; a file that vanished is left out with a warning.
 */
public final class BackupEngine {

  private static final Logger LOG = LoggerFactory.getLogger(BackupEngine.class);

  /** A ctime this close to now may still change within the same clock tick without the ctime moving: wait it out. */
  static final long RACY_CTIME_NANOS = 20_000_000L;

  /** Test seam: called before a sub-directory is opened, with its path from the source root. */
  interface Hooks {
    default void beforeOpenDir(String relPath) {}

    default void afterChunkRead(String relPath, long offset) {}
  }

  private final BlobStoreManager store;
  private final BackupOptions options;
  private final Progress progress;
  private Hooks hooks = new Hooks() {};
  private List<String> formerSourceIds = List.of();
  private Map<String, String> labels = Map.of();

  public BackupEngine(BlobStoreManager store, BackupOptions options, Progress progress) {
    this.store = store;
    this.options = options;
    this.progress = progress;
  }

  BackupEngine withHooks(Hooks h) {
    this.hooks = h;
    return this;
  }

  /**
   * Identities the source had before (for Kubernetes, {@code namespace/pvc/path} from before cluster identities): while
   * the source has no snapshot under its own identity, the newest under these is the one it is diffed against.
   */
  public BackupEngine withFormerSourceIds(List<String> ids) {
    this.formerSourceIds = List.copyOf(ids);
    return this;
  }

  /** Labels recorded in the snapshot's metadata (see {@link SnapshotMetadata}). */
  public BackupEngine withLabels(Map<String, String> labels) {
    this.labels = Map.copyOf(labels);
    return this;
  }

  public BackupResult backup(Path sourceDir, String sourceId) {
    long start = System.nanoTime();
    Instant createdAt = options.clock().instant();
    try (DirHandle root = openSource(sourceDir)) {
      store.initialize();
      Optional<SnapshotIndex> previous = new SnapshotCatalog(store).latest(sourceId, formerSourceIds);
      int chunkSize = previous.map(SnapshotIndex::chunkSize).orElse(options.chunkSize());
      Set<String> damaged = damagedBlobs();
      Set<String> known = previous.map(BackupEngine::blobIds).orElse(ConcurrentHashMap.newKeySet());
      if (options.fullCheck() && !known.isEmpty()) {
        damaged.addAll(missingFromStore(known));
      }
      known.removeAll(damaged);
      Run run = new Run(sourceId, chunkSize, known, damaged, createdAt, root);
      // With no previous snapshot every chunk is a question to the store: answer them by listing, not a HEAD each.
      run.storedBlobs = previous.isEmpty() ? new StoredBlobs(store, sourceId, StoredBlobs.MAX_LISTED) : null;
      DirIndex rootIndex;
      try (Workers workers = new Workers("strata-backup", options.parallelism())) {
        run.workers = workers;
        PlannedDir plan = run.scan(root, statRoot(root), "", previous.map(SnapshotIndex::root).orElse(null), "");
        progress.totalsKnown();
        rootIndex = plan.resolve(workers);
        run.protectForCommit(rootIndex, previous.orElse(null));
      }

      String snapshotId = SnapshotIds.next(createdAt);
      SnapshotStats stats =
          new SnapshotStats(
              run.files.get(),
              run.directories.get(),
              run.symlinks.get(),
              run.totalBytes.get(),
              run.uploadedBytes.get(),
              Math.max(0, run.totalBytes.get() - run.uploadedBytes.get())); // a blob uploaded twice (collected meanwhile) counts twice
      SnapshotIndex index =
          new SnapshotIndex(
              SnapshotIndex.FORMAT_VERSION,
              snapshotId,
              new SnapshotMetadata(sourceId, store.location(), createdAt, options.createdBy(), labels),
              previous.map(SnapshotIndex::snapshotId).orElse(null),
              chunkSize,
              stats,
              rootIndex);
      byte[] encoded = IndexCodec.encode(index);
      String key = StoreLayout.indexKey(sourceId, snapshotId);
      // The commit point: everything the index references is in the store, and young enough (or referenced by the base)
      // that a collector keeps it (docs/garbage-collection.md).
      store.put(key, encoded, encoded.length, Hashing.sha256(encoded), new Metadata(sourceId, key, encoded.length));
      run.afterCommit(rootIndex);
      progress.done();
      long ms = (System.nanoTime() - start) / 1_000_000;
      LOG.info(
          "committed snapshot {} of {}: {} files, {} bytes, {} uploaded, in {} ms",
          snapshotId, sourceId, stats.files(), stats.totalBytes(), stats.uploadedBytes(), ms);
      return new BackupResult(index, key, ms, List.copyOf(run.changedFiles), List.copyOf(run.vanishedFiles));
    }
  }

  private static DirHandle openSource(Path dir) {
    try {
      DirHandle h = DirHandle.open(dir);
      return h;
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("the source " + dir + " is not a directory: check --source");
    } catch (PosixException e) {
      if (e.errno() == dev.strata.engine.fs.Posix.ENOTDIR) {
        throw new IllegalArgumentException("the source " + dir + " is not a directory: check --source");
      }
      throw new UncheckedIOException("cannot open the source " + dir + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the source " + dir + ": " + e.getMessage(), e);
    }
  }

  private static Stat statRoot(DirHandle root) {
    try {
      return root.stat();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot stat the source " + root + ": " + e.getMessage(), e);
    }
  }

  /** Blobs `verify --repair` marked missing or removed as corrupt: not trusted from the base, stored again if found. */
  private Set<String> damagedBlobs() {
    Set<String> ids = ConcurrentHashMap.newKeySet();
    store.list(StoreLayout.DAMAGED, o -> {
      String id = StoreLayout.damagedIdOf(o.key());
      if (id != null) {
        ids.add(id);
      }
    }, Metadata.of(null, StoreLayout.DAMAGED));
    return ids;
  }

  /** With --full-check: the base's blobs the store lacks, found by listing blobs/ (not a request per blob). */
  private Set<String> missingFromStore(Set<String> referenced) {
    Set<String> present = new HashSet<>();
    store.list(StoreLayout.BLOBS, o -> {
      String id = StoreLayout.blobIdOf(o.key());
      if (id != null && referenced.contains(id)) {
        present.add(id);
      }
    }, Metadata.of(null, StoreLayout.BLOBS));
    Set<String> missing = new HashSet<>(referenced);
    missing.removeAll(present);
    if (!missing.isEmpty()) {
      LOG.warn("{} blobs of the previous snapshot are missing from the store; files that still hold them are stored again", missing.size());
    }
    return missing;
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
      Stat self,
      Map<String, String> xattrs,
      List<FileIndex> ready,
      List<CompletableFuture<FileIndex>> pending,
      List<String> filesRemoved,
      List<PlannedDir> subDirs,
      List<String> subDirsRemoved) {

    DirIndex resolve(Workers workers) {
      List<FileIndex> files = new ArrayList<>(ready);
      for (CompletableFuture<FileIndex> f : pending) {
        FileIndex done = join(f, workers);
        if (done != null) {
          files.add(done); // null: the file vanished while it was backed up
        }
      }
      files.sort(Comparator.comparing(FileIndex::name));
      List<DirIndex> dirs = new ArrayList<>();
      for (PlannedDir d : subDirs) {
        dirs.add(d.resolve(workers));
      }
      return new DirIndex(name, self.metadata(), files, filesRemoved, dirs, subDirsRemoved, xattrs);
    }

    private static <T> T join(CompletableFuture<T> f, Workers workers) {
      try {
        return f.join();
      } catch (RuntimeException e) {
        workers.failIfFailed();
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof RuntimeException re) {
          throw re;
        }
        throw e;
      }
    }
  }

  /** The first name of a multiply-linked inode seen in this backup, and its entry once computed. */
  private record FirstLink(String relPath, CompletableFuture<FileIndex> entry) {}

  /** A file being read: one open handle for all its chunks, and what it looked like when opened. */
  private record OpenFile(DirHandle dir, String name, String relPath, FileHandle handle, Stat before) {}

  /** The state of one backup run; its counters are the only state worker threads share. */
  private final class Run {
    final String sourceId;
    final int chunkSize;
    final Set<String> knownBlobs;
    final Set<String> damaged;
    final Set<String> claimedBlobs = ConcurrentHashMap.newKeySet();
    /**
     * Every blob this snapshot relies on that its base does not protect, and since when its age protects it (epoch ms):
     * its upload, its refresh, or its LastModified when found young in the store.
     */
    final Map<String, Long> protectedSince = new ConcurrentHashMap<>();
    /** Blobs whose age this run restarted (removeTTL): looked at again before and after the commit. */
    final Set<String> refreshed = ConcurrentHashMap.newKeySet();
    /** Damaged blobs this run stored again: their markers go after the commit. */
    final Set<String> healed = ConcurrentHashMap.newKeySet();
    final Map<Long, Map<Long, FirstLink>> links = new HashMap<>();
    final List<String> changedFiles = Collections.synchronizedList(new ArrayList<>());
    final List<String> vanishedFiles = Collections.synchronizedList(new ArrayList<>());
    final Instant createdAt;
    final DirHandle root;
    final AtomicLong files = new AtomicLong();
    final AtomicLong directories = new AtomicLong();
    final AtomicLong symlinks = new AtomicLong();
    final AtomicLong totalBytes = new AtomicLong();
    final AtomicLong uploadedBytes = new AtomicLong();
    final ThreadLocal<byte[]> buffers;
    Workers workers;
    /** Set for a source's first backup (see {@link StoredBlobs}); null: a HEAD per chunk the previous snapshot lacks. */
    StoredBlobs storedBlobs;

    Run(String sourceId, int chunkSize, Set<String> knownBlobs, Set<String> damaged, Instant createdAt, DirHandle root) {
      this.sourceId = sourceId;
      this.chunkSize = chunkSize;
      this.knownBlobs = knownBlobs;
      this.damaged = damaged;
      this.createdAt = createdAt;
      this.root = root;
      this.buffers = ThreadLocal.withInitial(() -> new byte[chunkSize]);
    }

    PlannedDir scan(DirHandle dir, Stat self, String relPath, DirIndex remote, String name) {
      List<LocalEntry> entries = new ArrayList<>();
      Map<String, Stat> stats = new HashMap<>();
      Map<String, String> dirXattrs;
      try {
        dirXattrs = dir.xattrs();
        for (String n : dir.list()) {
          if (n.indexOf('\uFFFD') >= 0) {
            LOG.warn("skipped {}: its name is not valid UTF-8", Names.safe(join(relPath, n)));
            continue;
          }
          Stat st = dir.statAtOrNull(n);
          if (st == null) {
            continue; // deleted between readdir and statx: not part of this snapshot
          }
          String target = null;
          if (st.isSymlink()) {
            try {
              target = dir.readLink(n);
            } catch (NoSuchFileException gone) {
              continue;
            }
          }
          entries.add(LocalEntry.of(n, st, target));
          stats.put(n, st);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read directory " + display(relPath) + ": " + e.getMessage(), e);
      }
      entries.sort(Comparator.comparing(LocalEntry::name));
      directories.incrementAndGet();
      DirDiff diff = DirDiff.compute(entries, remote, options.fullCheck());
      for (LocalEntry skipped : diff.skipped()) {
        LOG.warn("skipped {}: sockets, FIFOs and devices cannot be snapshotted", Names.safe(join(relPath, skipped.name())));
      }
      List<FileIndex> ready = new ArrayList<>();
      List<CompletableFuture<FileIndex>> pending = new ArrayList<>();
      List<LocalEntry> toRead = new ArrayList<>(diff.filesAdded());
      Map<String, LocalEntry> byName = new HashMap<>();
      entries.forEach(e -> byName.put(e.name(), e));
      for (FileIndex kept : diff.filesRetained()) {
        LocalEntry local = byName.get(kept.name());
        if (!kept.isSymlink() && kept.blobs().stream().anyMatch(b -> damaged.contains(b.id()))) {
          toRead.add(local); // it references a blob `verify --repair` found damaged: read it and store that blob again
          continue;
        }
        FileIndex entry = kept.withHardLink(null, kept.blobs(), kept.checksum()).withChanged(false);
        if (!kept.isSymlink()) {
          entry = entry.withXattrs(xattrsAt(dir, kept.name(), relPath));
        }
        count(kept.isSymlink(), kept.metadata().size());
        if (!kept.isSymlink()) {
          progress.addTotal(1, kept.metadata().size());
          progress.bytesDone(kept.metadata().size());
          progress.reused(kept.metadata().size());
          progress.fileDone();
        }
        CompletableFuture<FileIndex> linked = linkOrRegister(stats.get(kept.name()), join(relPath, kept.name()), CompletableFuture.completedFuture(entry), entry);
        if (linked == null) {
          ready.add(entry);
        } else {
          pending.add(linked);
        }
      }
      toRead.sort(Comparator.comparing(LocalEntry::name));
      for (LocalEntry added : toRead) {
        if (added.type() == LocalEntry.Type.SYMLINK) {
          ready.add(FileIndex.symlink(added.name(), added.metadata(), added.linkTarget()));
          count(true, 0);
          continue;
        }
        String rel = join(relPath, added.name());
        Stat st = stats.get(added.name());
        count(false, added.metadata().size());
        progress.addTotal(1, added.metadata().size());
        if (st.nlink() > 1) {
          FirstLink first = firstLink(st);
          if (first != null) {
            pending.add(linkTo(first, added.name(), st, dir, relPath));
            continue;
          }
          CompletableFuture<FileIndex> f = readFile(dir, added.name(), rel);
          registerLink(st, rel, f);
          pending.add(f);
        } else {
          pending.add(readFile(dir, added.name(), rel));
        }
      }
      List<String> filesRemoved = new ArrayList<>(diff.filesRemoved());
      List<String> subDirsRemoved = new ArrayList<>(diff.subDirsRemoved());
      List<PlannedDir> subDirs = new ArrayList<>();
      List<DirDiff.RetainedDir> dirs = new ArrayList<>(diff.subDirsRetained());
      diff.subDirsAdded().forEach(d -> dirs.add(new DirDiff.RetainedDir(d, null)));
      for (DirDiff.RetainedDir d : dirs) {
        String n = d.local().name();
        String rel = join(relPath, n);
        hooks.beforeOpenDir(rel);
        try (DirHandle sub = dir.openDir(n)) {
          subDirs.add(scan(sub, sub.stat(), rel, d.remote(), n));
        } catch (NoSuchFileException | PosixException e) {
          // Gone, or no longer a directory (ELOOP: replaced by a symlink; ENOTDIR: by a file) since it was listed: it is
          // never entered, and this snapshot leaves it out. Anything else (EACCES: a runner that may not read it) fails
          // the backup: leaving it out would commit a snapshot without it.
          if (e instanceof PosixException p && p.errno() != dev.strata.engine.fs.Posix.ELOOP
              && p.errno() != dev.strata.engine.fs.Posix.ENOTDIR) {
            throw new UncheckedIOException("cannot open directory " + Names.safe(rel) + ": " + e.getMessage(), p);
          }
          LOG.warn("directory {} vanished or was replaced while the backup ran; it is not part of this snapshot", Names.safe(rel));
          vanishedFiles.add(rel + "/");
          if (d.remote() != null) {
            subDirsRemoved.add(n);
          }
        } catch (IOException e) {
          throw new UncheckedIOException("cannot open directory " + Names.safe(rel) + ": " + e.getMessage(), e);
        }
      }
      subDirs.sort(Comparator.comparing(PlannedDir::name));
      subDirsRemoved.sort(null);
      return new PlannedDir(name, self, dirXattrs, ready, pending, filesRemoved, subDirs, subDirsRemoved);
    }

    private Map<String, String> xattrsAt(DirHandle dir, String name, String relPath) {
      try {
        return dir.xattrsAt(name);
      } catch (NoSuchFileException gone) {
        return null;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the extended attributes of " + Names.safe(join(relPath, name)) + ": " + e.getMessage(), e);
      }
    }

    private FirstLink firstLink(Stat st) {
      return links.getOrDefault(st.dev(), Map.of()).get(st.ino());
    }

    private void registerLink(Stat st, String relPath, CompletableFuture<FileIndex> entry) {
      links.computeIfAbsent(st.dev(), k -> new HashMap<>()).put(st.ino(), new FirstLink(relPath, entry));
    }

    /** For a retained file with other names: null when it is the first name seen, else its entry as a link. */
    private CompletableFuture<FileIndex> linkOrRegister(Stat st, String relPath, CompletableFuture<FileIndex> entry, FileIndex own) {
      if (st == null || st.nlink() <= 1) {
        return null;
      }
      FirstLink first = firstLink(st);
      if (first == null) {
        registerLink(st, relPath, entry);
        return null;
      }
      return first.entry().thenApply(f -> f == null ? own : own.withHardLink(first.relPath(), f.blobs(), f.checksum()));
    }

    /** A further name of an inode already being backed up: not read again; the restore makes it a hard link. */
    private CompletableFuture<FileIndex> linkTo(FirstLink first, String name, Stat st, DirHandle dir, String relPath) {
      Map<String, String> x = xattrsAt(dir, name, relPath);
      return first.entry().thenApply(f -> {
        if (f == null) {
          vanishedFiles.add(join(relPath, name));
          return null;
        }
        progress.bytesDone(st.size());
        progress.reused(st.size());
        progress.fileDone();
        return FileIndex.file(name, st.metadata(), f.blobs(), f.checksum()).withXattrs(x).withHardLink(first.relPath(), f.blobs(), f.checksum());
      });
    }

    private void count(boolean symlink, long size) {
      if (symlink) {
        symlinks.incrementAndGet();
      } else {
        files.incrementAndGet();
        totalBytes.addAndGet(size);
      }
    }

    /**
     * Opens a file once, splits it into chunks read, hashed and stored by the workers through that one handle, and
     * completes with its index entry once its identity is confirmed unchanged (or null when it vanished).
     */
    private CompletableFuture<FileIndex> readFile(DirHandle dir, String name, String relPath) {
      OpenFile of;
      try {
        of = open(dir, name, relPath);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot open " + Names.safe(relPath) + ": " + e.getMessage(), e);
      }
      if (of == null) {
        return CompletableFuture.completedFuture(null);
      }
      long size = of.before().size();
      int chunks = (int) ((size + chunkSize - 1) / chunkSize);
      List<CompletableFuture<FileBlob>> parts = new ArrayList<>(chunks);
      try {
        for (int i = 0; i < chunks; i++) {
          long offset = (long) i * chunkSize;
          int length = (int) Math.min(chunkSize, size - offset);
          parts.add(workers.submit(() -> storeChunk(of.handle(), relPath, offset, length)));
        }
      } catch (RuntimeException e) {
        release(of);
        throw e;
      }
      return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
          .handle((ignored, failure) -> {
            try {
              if (failure != null) {
                throw failure instanceof CompletionException c && c.getCause() instanceof RuntimeException r ? r
                    : new IllegalStateException(failure);
              }
              List<FileBlob> blobs = parts.stream().map(CompletableFuture::join).toList();
              return finish(of, blobs);
            } finally {
              release(of);
            }
          });
    }

    /** Opens a file through its directory's handle; null when it is gone or no longer a regular file. */
    private OpenFile open(DirHandle dir, String name, String relPath) throws IOException {
      FileHandle h;
      try {
        h = dir.openRead(name);
      } catch (NoSuchFileException e) {
        vanished(relPath);
        return null;
      } catch (PosixException e) {
        if (e.errno() == dev.strata.engine.fs.Posix.ELOOP) {
          vanished(relPath); // replaced by a symlink since it was listed: never followed
          return null;
        }
        throw e;
      }
      try {
        Stat st = settledStat(h);
        if (!st.isFile()) {
          h.close();
          vanished(relPath);
          return null;
        }
        return new OpenFile(dir.retain(), name, relPath, h, st);
      } catch (IOException | RuntimeException e) {
        h.close();
        throw e;
      }
    }

    /**
     * The file's stat, taken once its ctime lies a clock tick in the past: a write within the tick that set the ctime
     * would not move it again, and the check after the read would miss it.
     */
    private Stat settledStat(FileHandle h) throws IOException {
      Stat st = h.stat();
      for (int i = 0; i < 10; i++) {
        long age = System.currentTimeMillis() * 1_000_000L - st.ctimeNanos();
        if (age >= RACY_CTIME_NANOS) {
          break;
        }
        sleepNanos(RACY_CTIME_NANOS - Math.max(0, age));
        st = h.stat();
      }
      return st;
    }

    private void release(OpenFile of) {
      try {
        of.handle().close();
      } catch (IOException e) {
        LOG.debug("closing {}: {}", of.relPath(), e.toString());
      } finally {
        of.dir().close();
      }
    }

    private void vanished(String relPath) {
      LOG.warn("file {} vanished while the backup ran; it is not part of this snapshot", Names.safe(relPath));
      vanishedFiles.add(relPath);
      progress.fileDone();
    }

    /**
     * Confirms that what was read is what the file held at one moment: the open file did not change while read, and the
     * name still refers to it. Otherwise the file is read again, up to the configured number of times, then the policy
     * decides. Runs on the worker that stored the file's last chunk.
     */
    private FileIndex finish(OpenFile of, List<FileBlob> blobs) {
      OpenFile current = of;
      List<FileBlob> read = blobs;
      for (int attempt = 0; ; attempt++) {
        Stat after;
        Stat named;
        try {
          after = current.handle().stat();
          named = current.dir().statAtOrNull(current.name());
        } catch (IOException e) {
          throw new UncheckedIOException("cannot stat " + Names.safe(current.relPath()) + ": " + e.getMessage(), e);
        }
        if (named == null) {
          vanished(current.relPath());
          return null;
        }
        boolean consistent = read != null && after.sameVersion(current.before()) && named.sameVersion(current.before());
        if (consistent || attempt >= options.changeRetries()) {
          if (current != of) {
            release(current);
          }
          if (!consistent && (read == null || options.onFileChange() == FileChangePolicy.FAIL)) {
            throw new FileChangedException(
                "file " + Names.safe(current.relPath()) + " changed while it was read (" + (attempt + 1) + " reads): back up a"
                    + " consistent copy (for RocksDB, a checkpoint), run the backup again, or record such files with"
                    + " --on-file-change record");
          }
          Stat st = current.before();
          FileIndex entry = FileIndex.file(current.name(), st.metadata(), read, checksum(read))
              .withXattrs(xattrsAt(current.dir(), current.name(), parent(current.relPath())));
          if (!consistent) {
            LOG.warn("file {} kept changing while it was read; recorded as changed (its bytes may mix moments)", Names.safe(current.relPath()));
            changedFiles.add(current.relPath());
            entry = entry.withChanged(true);
          }
          progress.fileDone();
          return entry;
        }
        LOG.info("file {} changed while it was read; reading it again", Names.safe(current.relPath()));
        if (current != of) {
          release(current);
        }
        try {
          current = open(of.dir(), of.name(), of.relPath());
        } catch (IOException e) {
          throw new UncheckedIOException("cannot open " + Names.safe(of.relPath()) + ": " + e.getMessage(), e);
        }
        if (current == null) {
          return null;
        }
        read = readWhole(current);
      }
    }

    /** Reads and stores every chunk of an open file on this thread; null when it ended early. */
    private List<FileBlob> readWhole(OpenFile of) {
      long size = of.before().size();
      List<FileBlob> blobs = new ArrayList<>();
      for (long offset = 0; offset < size; offset += chunkSize) {
        FileBlob b = storeChunk(of.handle(), of.relPath(), offset, (int) Math.min(chunkSize, size - offset));
        if (b == null) {
          return null;
        }
        blobs.add(b);
      }
      return blobs;
    }

    /** Reads, hashes and stores one chunk; null when the file ended before it (it shrank: read again). */
    private FileBlob storeChunk(FileHandle h, String relPath, long offset, int length) {
      byte[] buf = buffers.get();
      try {
        if (!ChunkIO.read(h.channel(), offset, buf, length)) {
          return null;
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + Names.safe(relPath) + ": " + e.getMessage(), e);
      }
      hooks.afterChunkRead(relPath, offset);
      byte[] digest = Hashing.sha256(buf, 0, length);
      String id = Hashing.hex(digest);
      if (knownBlobs.contains(id) || !claimedBlobs.add(id)) {
        progress.reused(length);
      } else {
        String key = StoreLayout.blobKey(id);
        Metadata md = new Metadata(sourceId, relPath, length);
        Optional<ObjectInfo> existing =
            damaged.contains(id) ? Optional.empty() : storedBlobs != null ? storedBlobs.find(id, md) : store.stat(key, md);
        boolean reuse =
            existing.isPresent()
                && existing.get().size() == length
                // Found in the store but in no snapshot we know of: restart its grace clock when it is old, so a
                // collector running now cannot delete it before our index commits.
                && (!existing.get().lastModified().isBefore(createdAt.minus(options.refreshAge()))
                    || refresh(id, key, md, relPath));
        if (reuse) {
          protectedSince.putIfAbsent(id, existing.get().lastModified().toEpochMilli());
          progress.reused(length);
        } else {
          store.put(key, buf, length, digest, md);
          protectedSince.put(id, options.clock().millis());
          if (damaged.contains(id)) {
            healed.add(id);
          }
          uploadedBytes.addAndGet(length);
          progress.transferred(length);
        }
      }
      progress.bytesDone(length);
      return new FileBlob(id, offset, length);
    }

    /** Restarts a blob's age; false when a collector deleted it since it was found (then it is uploaded again). */
    private boolean refresh(String id, String key, Metadata md, String relPath) {
      try {
        store.removeTTL(key, md);
      } catch (StoreException e) {
        if (e.kind() != StoreException.Kind.NOT_FOUND) {
          throw e;
        }
        LOG.info("blob {} of {} was deleted by garbage collection as it was found; uploading it", id, Names.safe(relPath));
        return false;
      }
      refreshed.add(id);
      protectedSince.put(id, options.clock().millis());
      return true;
    }

    /**
     * Before the commit: makes sure every blob the new index references is in the store and will stay there until the
     * index is visible, however long this backup ran (docs/garbage-collection.md). A collector deletes only blobs older
     * than its grace period (at least 1h); blobs this snapshot relies on that its base does not protect, and whose age
     * protects them since more than half the refresh age, have their age restarted now. Then every blob whose age was
     * restarted is looked at again: a collector that listed it as old may have deleted it right after its own last
     * look; any that is gone is read from the source and uploaded again.
     */
    void protectForCommit(DirIndex rootIndex, SnapshotIndex base) {
      long now = options.clock().millis();
      long threshold = now - options.refreshAge().toMillis() / 2;
      Set<String> stale = new HashSet<>();
      protectedSince.forEach((id, since) -> {
        if (since < threshold && !refreshed.contains(id)) {
          stale.add(id);
        }
      });
      if (base != null) {
        Instant tombstoned = requireBase(base);
        if (tombstoned != null && tombstoned.toEpochMilli() < threshold) {
          // The base is forgotten and its tombstone, which protects the blobs reused from it, ages: protect them here.
          Set<String> mine = new HashSet<>();
          collect(rootIndex, mine);
          mine.retainAll(knownBlobs);
          stale.addAll(mine);
        }
      }
      if (!stale.isEmpty()) {
        LOG.info("this backup ran long: restarting the age of {} blobs before its commit", stale.size());
        joinAll(stale.stream().map(id -> workers.submit(() -> {
          Metadata md = Metadata.of(sourceId, StoreLayout.blobKey(id));
          try {
            store.removeTTL(StoreLayout.blobKey(id), md);
            refreshed.add(id);
          } catch (StoreException e) {
            if (e.kind() != StoreException.Kind.NOT_FOUND) {
              throw e;
            }
            refreshed.add(id); // gone: the recheck below uploads it again
          }
          return null;
        })).toList());
      }
      recheck(rootIndex, refreshed);
    }

    /** After the commit: a blob refreshed just before it may have been deleted by a collector's delete already in flight. */
    void afterCommit(DirIndex rootIndex) {
      if (!refreshed.isEmpty()) {
        try (Workers w = new Workers("strata-backup-check", options.parallelism())) {
          workers = w;
          recheck(rootIndex, refreshed);
        }
      }
      for (String id : healed) {
        store.delete(StoreLayout.damagedKey(id), Metadata.of(sourceId, StoreLayout.damagedKey(id)));
        LOG.info("blob {} was damaged and is stored again; the snapshots that reference it are whole again", id);
      }
    }

    private void recheck(DirIndex rootIndex, Set<String> ids) {
      if (ids.isEmpty()) {
        return;
      }
      Map<String, Where> where = locate(rootIndex, ids);
      joinAll(ids.stream().filter(where::containsKey).map(id -> workers.submit(() -> {
        reuploadIfMissing(id, where.get(id));
        return null;
      })).toList());
    }

    private void joinAll(List<? extends CompletableFuture<?>> futures) {
      for (CompletableFuture<?> c : futures) {
        try {
          c.join();
        } catch (RuntimeException e) {
          workers.failIfFailed();
          throw e;
        }
      }
    }

    private void reuploadIfMissing(String id, Where w) {
      String key = StoreLayout.blobKey(id);
      Metadata md = new Metadata(sourceId, w.relPath(), w.length());
      if (store.stat(key, md).isPresent()) {
        return;
      }
      byte[] buf = buffers.get();
      readChunk(w.relPath(), w.offset(), buf, w.length());
      byte[] digest = Hashing.sha256(buf, 0, w.length());
      if (!Hashing.hex(digest).equals(id)) {
        throw new FileChangedException(
            "file " + Names.safe(w.relPath()) + " changed while it was backed up, and a blob read from it earlier was deleted"
                + " by garbage collection meanwhile: back up a consistent copy (for RocksDB, a checkpoint) or run the backup again");
      }
      LOG.warn("blob {} of {} was deleted by garbage collection while this backup ran; uploaded it again", id, Names.safe(w.relPath()));
      store.put(key, buf, w.length(), digest, md);
      uploadedBytes.addAndGet(w.length());
      progress.transferred(w.length());
    }

    /** Reads a chunk again by its path from the source's root, one directory handle at a time, following no symlink. */
    private void readChunk(String relPath, long offset, byte[] buf, int length) {
      String[] parts = relPath.split("/");
      List<DirHandle> opened = new ArrayList<>();
      try {
        DirHandle dir = root;
        for (int i = 0; i < parts.length - 1; i++) {
          dir = dir.openDir(parts[i]);
          opened.add(dir);
        }
        try (FileHandle h = dir.openRead(parts[parts.length - 1])) {
          if (!ChunkIO.read(h.channel(), offset, buf, length)) {
            throw new FileChangedException("file " + Names.safe(relPath) + " shrank while it was backed up: run the backup again");
          }
        }
      } catch (NoSuchFileException e) {
        throw new FileChangedException("file " + Names.safe(relPath) + " was deleted while it was backed up: run the backup again");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + Names.safe(relPath) + ": " + e.getMessage(), e);
      } finally {
        opened.forEach(DirHandle::close);
      }
    }

    /**
     * Fails unless the snapshot this backup is based on still exists, as an index or as a tombstone. Its blobs were
     * reused without looking at the store, and only its index or tombstone keeps them from garbage collection. Returns
     * when the base was forgotten (its tombstone's time), or null while its index exists.
     */
    Instant requireBase(SnapshotIndex base) {
      // The base may be a snapshot of a former identity of the source: its index is where its own identity puts it.
      String indexKey = StoreLayout.indexKey(base.metadata().sourceId(), base.snapshotId());
      if (store.stat(indexKey, Metadata.of(sourceId, indexKey)).isPresent()) {
        return null;
      }
      String tombstone = StoreLayout.tombstoneKeyOf(indexKey);
      Optional<ObjectInfo> t = store.stat(tombstone, Metadata.of(sourceId, tombstone));
      if (t.isPresent()) {
        LOG.info("snapshot {}, which this backup is based on, was forgotten meanwhile; its tombstone keeps the blobs reused from it", base.snapshotId());
        return t.get().lastModified();
      }
      throw new IllegalStateException(
          "snapshot " + base.snapshotId() + ", which this backup is based on, no longer exists, not even as a tombstone"
              + " (it was forgotten longer ago than the garbage collector's grace period, or deleted without `forget`):"
              + " blobs reused from it may be gone, so nothing was committed. Run the backup again");
    }
  }

  /** Where a blob's bytes are in the source: the first file and offset that hold it. */
  private record Where(String relPath, long offset, int length) {}

  private static Map<String, Where> locate(DirIndex root, Set<String> ids) {
    Map<String, Where> out = new HashMap<>();
    locate(root, "", ids, out);
    return out;
  }

  private static void locate(DirIndex dir, String rel, Set<String> ids, Map<String, Where> out) {
    for (FileIndex f : dir.filesPresent()) {
      for (FileBlob b : f.blobs()) {
        if (ids.contains(b.id())) {
          out.putIfAbsent(b.id(), new Where(join(rel, f.name()), b.offset(), (int) b.size()));
        }
      }
    }
    for (DirIndex d : dir.subDirsPresent()) {
      locate(d, join(rel, d.name()), ids, out);
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

  private static void sleepNanos(long nanos) {
    try {
      Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static String parent(String relPath) {
    int slash = relPath.lastIndexOf('/');
    return slash < 0 ? "" : relPath.substring(0, slash);
  }

  private static String join(String parent, String name) {
    return parent.isEmpty() ? name : parent + "/" + name;
  }

  private static String display(String relPath) {
    return relPath.isEmpty() ? "." : Names.safe(relPath);
  }
}
