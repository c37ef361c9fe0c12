package dev.strata.engine;

import dev.strata.engine.format.Repository;
import dev.strata.engine.format.SnapshotCodec;
import dev.strata.engine.fs.DirHandle;
import dev.strata.engine.fs.FileHandle;
import dev.strata.engine.fs.PosixException;
import dev.strata.engine.fs.Stat;
import dev.strata.engine.index.FileBlob;
import dev.strata.engine.index.FileIndex;
import dev.strata.engine.index.SnapshotMetadata;
import dev.strata.engine.index.SnapshotRecord;
import dev.strata.engine.index.SnapshotStats;
import dev.strata.engine.pack.BlobCodec;
import dev.strata.engine.pack.BlobIndex;
import dev.strata.engine.pack.Chunker;
import dev.strata.engine.pack.IdSet;
import dev.strata.engine.pack.IndexFile;
import dev.strata.engine.pack.IndexFiles;
import dev.strata.engine.pack.PackEntry;
import dev.strata.engine.pack.PackFile;
import dev.strata.engine.pack.PackUploads;
import dev.strata.engine.pack.PackWriter;
import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.Metadata;
import dev.strata.engine.store.ObjectInfo;
import dev.strata.engine.store.StoreException;
import dev.strata.engine.store.StoreLayout;
import dev.strata.engine.tree.TreeChunker;
import dev.strata.engine.tree.TreeEntry;
import dev.strata.engine.tree.TreeReader;
import dev.strata.engine.tree.TreeSource;
import dev.strata.engine.tree.TreeWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Backs up a directory tree as a snapshot of a source identity, in store format 2. It walks the
 * tree alongside the tree of the source's latest snapshot (both in name order, one directory at a
 * time: memory does not grow with the tree), reuses the entries of files whose size and mtime are
 * unchanged without opening them, and reads the others through one handle each, cutting them into
 * content-defined chunks. A chunk the store already holds is not stored again; new ones are
 * compressed, sealed when the store is encrypted, and appended to packs uploaded in parallel as
 * they fill. The new tree streams into tree blobs of its own. Then an index file for the new packs
 * is written, and last the snapshot object: the snapshot exists once, and only once, that object
 * does.
 *
 * <p>The tree is walked through directory handles (openat with O_NOFOLLOW at every level), so no
 * symlink is ever followed, whatever the workload changes meanwhile. Each file's identity (device,
 * inode, size, mtime, ctime) is compared before and after it is read: a file that changed is read
 * again, a bounded number of times, then handled by the {@link FileChangePolicy}; a file that
 * vanished is left out with a warning.
 *
 * <p>Garbage collection runs without locks alongside (docs/garbage-collection.md): what the new
 * snapshot relies on is protected by its base snapshot, by the age of the packs that hold it, or by
 * this backup's pending object, which it rewrites while it runs; before and after the commit it
 * looks again at whatever a collector could have taken, and stores again from the source anything
 * that is gone.
 */
public final class BackupEngine {

  private static final Logger LOG = LoggerFactory.getLogger(BackupEngine.class);

  /**
   * A backup writes an index file for every this many packs it uploads (and one for the rest before
   * its commit).
   */
  static final int INDEX_EVERY = 16;

  /**
   * A ctime this close to now may still change within the same clock tick without the ctime moving:
   * wait it out.
   */
  static final long RACY_CTIME_NANOS = 20_000_000L;

  /** Test seams. */
  interface Hooks {
    default void beforeOpenDir(String relPath) {}

    /** After its directory was listed, before the file is opened to be read. */
    default void beforeOpenFile(String relPath) {}

    default void afterChunkRead(String relPath, long offset) {}

    /** After every blob is stored, before the checks that precede the commit. */
    default void beforeCommitChecks() {}
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
   * Identities the source had before (for Kubernetes, {@code namespace/pvc/path} from before
   * cluster identities): while the source has no snapshot under its own identity, the newest under
   * these is the one it is diffed against.
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
      Repository repo =
          Repository.openForWriting(store, options.key(), options.init(), options.clock());
      // Three independent reads (each a round trip or more over a WAN): the index, the damaged
      // markers, the latest snapshot.
      CompletableFuture<BlobIndex> loading =
          Workers.background("strata-open-index", () -> BlobIndex.load(repo));
      CompletableFuture<Set<String>> damaged =
          Workers.background("strata-open-damaged", this::damagedBlobs);
      Optional<Snapshot> previous = new SnapshotCatalog(repo).latest(sourceId, formerSourceIds);
      BlobIndex index = Workers.join(loading);
      BlobSource blobs = new BlobSource(repo, index);
      long opened = System.nanoTime();
      if (options.fullCheck()) {
        Map<String, ObjectInfo> packs = new HashMap<>();
        store.list(
            StoreLayout.PACKS,
            o -> {
              String id = StoreLayout.packIdOf(o.key());
              if (id != null) {
                packs.put(id, o);
              }
            },
            Metadata.of(sourceId, StoreLayout.PACKS));
        index.retainListed(packs);
      }
      Snapshot base = previous.filter(p -> p.formatVersion() == 2).orElse(null);
      if (previous.isPresent() && base == null) {
        LOG.info(
            "the latest snapshot of {} is of store format 1: this backup reads every file once and stores it in format 2",
            sourceId);
      }
      Run run =
          new Run(
              repo,
              blobs,
              index,
              sourceId,
              createdAt,
              root,
              previous.orElse(null),
              base,
              Workers.join(damaged));
      run.phases.put("open", (opened - start) / 1_000_000);
      try {
        BackupResult result = run.execute(start);
        progress.done();
        return result;
      } finally {
        run.deletePending();
      }
    }
  }

  private Set<String> damagedBlobs() {
    Set<String> ids = ConcurrentHashMap.newKeySet();
    store.list(
        StoreLayout.DAMAGED,
        o -> {
          String id = StoreLayout.damagedIdOf(o.key());
          if (id != null) {
            ids.add(id);
          }
        },
        Metadata.of(null, StoreLayout.DAMAGED));
    return ids;
  }

  private static DirHandle openSource(Path dir) {
    try {
      return DirHandle.open(dir);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("the source " + dir + " does not exist: check --source");
    } catch (PosixException e) {
      if (e.errno() == dev.strata.engine.fs.Posix.ENOTDIR) {
        throw new IllegalArgumentException(
            "the source " + dir + " is not a directory: check --source");
      }
      throw new UncheckedIOException("cannot open the source " + dir + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the source " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The first name of a multiply-linked inode seen in this backup, and its entry once computed. */
  private record FirstLink(String relPath, CompletableFuture<TreeEntry.File> entry) {}

  /** A file being read: one open handle for all its chunks, and what it looked like when opened. */
  private record OpenFile(
      DirHandle dir, String name, String relPath, FileHandle handle, Stat before) {}

  /** Marks the end of the records the scan hands to the tree writer. */
  private static final Object DONE = new Object();

  /** The state of one backup run; its counters and sets are what worker threads share. */
  private final class Run {
    final Repository repo;
    final BlobSource blobs;
    final BlobIndex index;
    final String sourceId;
    final Instant createdAt;
    final DirHandle root;
    final Snapshot previous;
    final Snapshot base;
    final String snapshotId;
    final Chunker chunker;

    /** The codec of the tree thread (tree blobs). */
    final ThreadLocal<BlobCodec> codecs;

    /**
     * Working memory for files up to {@link Lanes#SMALL} bytes, one per worker; larger files share
     * a few big lanes.
     */
    final Lanes lanes;

    final Set<String> damaged;

    /** Blobs of the base snapshot: reused without looking further, the base protects them. */
    final IdSet baseBlobs = new IdSet();

    /** Blobs this run has decided about (stored, or found stored): later occurrences reuse them. */
    final IdSet claimed = new IdSet();

    /**
     * Packs this snapshot relies on beyond its base, and since when (epoch ms) their age protects
     * them.
     */
    final Map<Integer, Long> relied = new ConcurrentHashMap<>();

    /** Packs whose age this run restarted: looked at again before and after the commit. */
    final Set<Integer> refreshed = ConcurrentHashMap.newKeySet();

    final Map<Integer, CompletableFuture<Boolean>> packDecisions = new ConcurrentHashMap<>();

    /** Packs this run uploaded, with their blobs (for the index files and the pending object). */
    final List<IndexFile.Pack> ownPacks = Collections.synchronizedList(new ArrayList<>());

    /** Packs uploaded but in no index file yet. */
    final List<IndexFile.Pack> unindexed = new ArrayList<>();

    final Set<String> healed = ConcurrentHashMap.newKeySet();
    final Map<Long, Map<Long, FirstLink>> links = new HashMap<>();
    final List<String> changedFiles = Collections.synchronizedList(new ArrayList<>());
    final List<String> vanishedFiles = Collections.synchronizedList(new ArrayList<>());
    final AtomicLong files = new AtomicLong();
    final AtomicLong directories = new AtomicLong();
    final AtomicLong symlinks = new AtomicLong();
    final AtomicLong totalBytes = new AtomicLong();
    final AtomicLong uploadedBytes = new AtomicLong();
    final AtomicLong storedBytes = new AtomicLong();
    final AtomicInteger indexFilesWritten = new AtomicInteger();
    final List<String> treeIds = new ArrayList<>();

    /** How long each phase took (ms), for the log line a benchmark reads. */
    final Map<String, Long> phases = Collections.synchronizedMap(new LinkedHashMap<>());

    long treeBytes;
    Workers workers;
    PackUploads uploads;
    PackWriter dataPacks;
    PackWriter treePacks;
    final String pendingId;

    /**
     * Clock times of the pending object's writes: a gap longer than the refresh age means a
     * collector may have run.
     */
    volatile long lastBeat;

    volatile long maxGap;
    volatile boolean pendingWritten;

    Run(
        Repository repo,
        BlobSource blobs,
        BlobIndex index,
        String sourceId,
        Instant createdAt,
        DirHandle root,
        Snapshot previous,
        Snapshot base,
        Set<String> damaged) {
      this.repo = repo;
      this.blobs = blobs;
      this.index = index;
      this.sourceId = sourceId;
      this.createdAt = createdAt;
      this.root = root;
      this.previous = previous;
      this.base = base;
      this.snapshotId = SnapshotIds.next(createdAt);
      this.chunker = new Chunker(repo.sealer().chunkerSeed(), repo.chunker());
      this.codecs = ThreadLocal.withInitial(() -> new BlobCodec(repo.sealer()));
      this.lanes = new Lanes(repo.sealer(), repo.chunker().maxSize());
      this.damaged = damaged;
      byte[] p = new byte[16];
      new SecureRandom().nextBytes(p);
      this.pendingId = HexFormat.of().formatHex(p);
      this.lastBeat = createdAt.toEpochMilli();
    }

    BackupResult execute(long start) {
      if (base != null) {
        for (String t : base.treeChunks()) {
          baseBlobs.add(Hashing.unhex(t));
        }
      }
      int max = repo.chunker().maxSize();
      ScheduledExecutorService heartbeat =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "strata-backup-pending");
                t.setDaemon(true);
                return t;
              });
      long every = Math.max(200, options.refreshAge().toMillis() / 2);
      heartbeat.scheduleWithFixedDelay(this::beatQuietly, every, every, TimeUnit.MILLISECONDS);
      // Two packs in flight keep a loopback server and a 1 Gbit/s link busy; each holds a pack
      // buffer (16 MiB by default).
      SnapshotStats stats;
      Snapshot committed;
      try (PackUploads up =
          new PackUploads(repo, 2, repo.sealer().sealedLength(max), this::uploaded)) {
        uploads = up;
        dataPacks = new PackWriter(up, PackEntry.DATA);
        treePacks = new PackWriter(up, PackEntry.TREE);
        try (Workers w = new Workers("strata-backup", options.parallelism())) {
          workers = w;
          long t1 = System.nanoTime();
          scanAndWrite();
          phases.put("scan", (System.nanoTime() - t1) / 1_000_000);
        }
        long t2 = System.nanoTime();
        dataPacks.flush();
        treePacks.flush();
        up.awaitAll();
        for (IndexFile.Pack p : ownPacks) {
          index.addPack(p.packId(), p.createdAtMillis(), p.list());
        }
        hooks.beforeCommitChecks();
        protectForCommit();
        dataPacks.flush();
        up.awaitAll();
        phases.put("upload", (System.nanoTime() - t2) / 1_000_000);
        // The commit and the look after it run while the uploads are open: the look may store lost
        // blobs again.
        stats =
            new SnapshotStats(
                files.get(),
                directories.get(),
                symlinks.get(),
                totalBytes.get(),
                uploadedBytes.get(),
                Math.max(0, totalBytes.get() - uploadedBytes.get()));
        SnapshotRecord record =
            new SnapshotRecord(
                snapshotId,
                new SnapshotMetadata(
                    sourceId, store.location(), createdAt, options.createdBy(), labels),
                previous == null ? null : previous.snapshotId(),
                stats,
                options.compression().label(),
                treeBytes,
                treeIds);
        writeIndex();
        String key = StoreLayout.indexKey(sourceId, snapshotId);
        byte[] encoded = SnapshotCodec.encode(repo, key, record);
        // The commit point: everything the snapshot references is in the store, and protected
        // (docs/garbage-collection.md).
        store.put(
            key,
            encoded,
            encoded.length,
            Hashing.sha256(encoded),
            new Metadata(sourceId, key, encoded.length));
        committed = Snapshot.of(key, record);
        deletePending();
        afterCommit(committed);
      } finally {
        heartbeat.shutdownNow();
      }
      writeIndex();
      mergeIndexFilesIfMany();
      long ms = (System.nanoTime() - start) / 1_000_000;
      long packs = ownPacks.size();
      LOG.info(
          "committed snapshot {} of {}: {} files, {} bytes, {} new ({} stored in {} packs), in {} ms {}",
          snapshotId,
          sourceId,
          stats.files(),
          stats.totalBytes(),
          stats.uploadedBytes(),
          storedBytes.get(),
          packs,
          ms,
          phases);
      return new BackupResult(
          committed,
          committed.key(),
          ms,
          List.copyOf(changedFiles),
          List.copyOf(vanishedFiles),
          storedBytes.get(),
          packs);
    }

    /**
     * A pack is uploaded: it goes into an index file with the next {@link #INDEX_EVERY} ones, so
     * the packs of a backup that is killed are found (and reused) by the next one.
     */
    private void uploaded(IndexFile.Pack p) {
      List<IndexFile.Pack> batch = null;
      synchronized (unindexed) {
        ownPacks.add(p);
        unindexed.add(p);
        if (unindexed.size() >= INDEX_EVERY) {
          batch = new ArrayList<>(unindexed);
          unindexed.clear();
        }
      }
      if (batch != null) {
        IndexFiles.write(repo, batch, System.currentTimeMillis());
        indexFilesWritten.incrementAndGet();
      }
    }

    /** Writes the index file of the packs no index file lists yet. */
    private void writeIndex() {
      List<IndexFile.Pack> batch;
      synchronized (unindexed) {
        batch = new ArrayList<>(unindexed);
        unindexed.clear();
      }
      if (!batch.isEmpty()) {
        IndexFiles.write(repo, batch, System.currentTimeMillis());
        indexFilesWritten.incrementAndGet();
      }
    }

    // ---- the base snapshot
    // ---------------------------------------------------------------------------------------

    private volatile boolean baseCollected;

    /**
     * The base's data blobs, read from its tree the first time a chunk this run reads is found in
     * the store (an unchanged backup reads no file and never needs them).
     */
    private void collectBase() {
      if (base == null || baseCollected) {
        return;
      }
      synchronized (baseBlobs) {
        if (baseCollected) {
          return;
        }
        long t0 = System.nanoTime();
        readBaseBlobs();
        baseCollected = true;
        phases.put("base", (System.nanoTime() - t0) / 1_000_000);
      }
    }

    private void readBaseBlobs() {
      try (TreeSource t = blobs.tree(base)) {
        for (TreeEntry e = t.next(); e != null; e = t.next()) {
          if (e instanceof TreeEntry.File f) {
            for (FileBlob b : f.file().blobs()) {
              baseBlobs.add(Hashing.unhex(b.id()));
            }
          }
        }
      }
    }

    /**
     * Blobs `verify --repair` marked missing or corrupt: not trusted from the base, stored again if
     * found.
     */

    // ---- the scan, and the writer of the new tree
    // -----------------------------------------------------------------

    private void scanAndWrite() {
      BlockingQueue<Object> queue = new ArrayBlockingQueue<>(8192);
      AtomicReference<Throwable> writerFailure = new AtomicReference<>();
      TreeChunker chunker = new TreeChunker(this::treeChunk);
      TreeWriter writer = new TreeWriter(chunker);
      Thread writerThread =
          new Thread(
              () -> {
                try {
                  while (true) {
                    Object item = queue.take();
                    if (item == DONE) {
                      break;
                    }
                    TreeEntry e =
                        item instanceof TreeEntry te ? te : joinEntry((CompletableFuture<?>) item);
                    if (e != null) {
                      count(e);
                      writer.write(e);
                    }
                  }
                  writer.finish();
                  treeBytes = chunker.total();
                } catch (Throwable t) {
                  writerFailure.compareAndSet(null, t);
                  queue.clear();
                }
              },
              "strata-backup-tree");
      writerThread.setDaemon(true);
      writerThread.start();
      Emitter emit =
          item -> {
            while (!queue.offer(item, 200, TimeUnit.MILLISECONDS)) {
              rethrow(writerFailure.get());
              workers.failIfFailed();
            }
            rethrow(writerFailure.get());
          };
      try (TreeReader baseTree = base == null ? null : new TreeReader(blobs.tree(base))) {
        Stat self = stat(root, ".");
        TreeEntry.Dir baseRoot = baseTree == null ? null : baseTree.root();
        scanDir(root, self, "", "", baseTree, baseRoot != null, emit);
        emit.put(DONE);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      } catch (RuntimeException e) {
        writerThread.interrupt();
        throw e;
      } finally {
        try {
          writerThread.join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      workers.failIfFailed();
      rethrow(writerFailure.get());
      progress.totalsKnown();
    }

    private TreeEntry joinEntry(CompletableFuture<?> f) {
      try {
        return (TreeEntry) f.join();
      } catch (CompletionException e) {
        workers.failIfFailed();
        rethrow(e.getCause());
        throw e;
      }
    }

    private void rethrow(Throwable t) {
      Workers.rethrow(t);
    }

    private interface Emitter {
      void put(Object item) throws InterruptedException;
    }

    /**
     * One directory: its record, its files and symlinks in name order (unchanged ones from the
     * base, the others read by the workers), then its sub-directories in name order, then its end.
     * {@code baseTree} is positioned just after this directory's record in the base tree when
     * {@code inBase}.
     */
    private void scanDir(
        DirHandle dir,
        Stat self,
        String relPath,
        String name,
        TreeReader baseTree,
        boolean inBase,
        Emitter emit)
        throws InterruptedException {
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
        throw new UncheckedIOException(
            "cannot read directory " + display(relPath) + ": " + e.getMessage(), e);
      }
      entries.sort(Comparator.comparing(LocalEntry::name));
      directories.incrementAndGet();
      Map<String, TreeEntry.File> baseFiles = new HashMap<>();
      if (inBase) {
        for (TreeEntry.File f : baseTree.files()) {
          baseFiles.put(f.file().name(), f);
        }
      }
      emit.put(new TreeEntry.Dir(name, self.metadata(), dirXattrs));
      List<String> filesRemoved = new ArrayList<>();
      Set<String> localNames = new HashSet<>();
      List<LocalEntry> subDirs = new ArrayList<>();
      for (LocalEntry e : entries) {
        switch (e.type()) {
          case DIRECTORY -> subDirs.add(e);
          case OTHER ->
              LOG.warn(
                  "skipped {}: sockets, FIFOs and devices cannot be snapshotted",
                  Names.safe(join(relPath, e.name())));
          default -> {
            localNames.add(e.name());
            TreeEntry.File recorded = baseFiles.get(e.name());
            FileIndex before = recorded == null ? null : recorded.file();
            String rel = join(relPath, e.name());
            if (e.type() == LocalEntry.Type.SYMLINK) {
              if (before != null
                  && !(before.isSymlink() && before.linkTarget().equals(e.linkTarget()))) {
                filesRemoved.add(e.name());
              }
              emit.put(
                  new TreeEntry.File(
                      FileIndex.symlink(e.name(), e.metadata(), e.linkTarget()), false));
              continue;
            }
            Stat st = stats.get(e.name());
            progress.addTotal(1, e.metadata().size());
            boolean unchanged =
                before != null
                    && !before.isSymlink()
                    && !options.fullCheck()
                    && before.metadata().size() == e.metadata().size()
                    && before.metadata().mtimeNanos() == e.metadata().mtimeNanos()
                    && intact(before);
            if (before != null && !unchanged) {
              filesRemoved.add(e.name());
            }
            FirstLink first = st.nlink() > 1 ? firstLink(st) : null;
            if (first != null) {
              emit.put(linkTo(first, e.name(), st, dir, relPath));
              continue;
            }
            CompletableFuture<TreeEntry.File> entry;
            if (unchanged) {
              // Attributes change the ctime: an unchanged ctime means the recorded ones still hold.
              Map<String, String> x =
                  recorded.ctimeNanos() != 0 && recorded.ctimeNanos() == st.ctimeNanos()
                      ? before.xattrs()
                      : xattrsAt(dir, e.name(), relPath);
              FileIndex kept =
                  new FileIndex(
                      e.name(),
                      FileIndex.Kind.FILE,
                      e.metadata(),
                      before.blobs(),
                      null,
                      null,
                      x,
                      null,
                      null);
              progress.bytesDone(e.metadata().size());
              progress.reused(e.metadata().size());
              progress.fileDone();
              entry =
                  CompletableFuture.completedFuture(
                      new TreeEntry.File(kept, st.nlink() > 1, st.ctimeNanos()));
            } else {
              entry = readFile(dir, e.name(), rel, st.nlink() > 1);
            }
            if (st.nlink() > 1) {
              registerLink(st, rel, entry);
            }
            if (!entry.isDone() || entry.isCompletedExceptionally()) {
              emit.put(entry);
            } else if (entry.join()
                != null) { // null: gone or replaced since it was listed (already recorded as
              // vanished)
              emit.put(entry.join());
            }
          }
        }
      }
      for (String n : baseFiles.keySet()) {
        if (!localNames.contains(n)) {
          filesRemoved.add(n);
        }
      }
      List<String> subDirsRemoved = new ArrayList<>();
      for (LocalEntry d : subDirs) {
        String n = d.name();
        String rel = join(relPath, n);
        boolean matched = false;
        if (inBase) {
          while (baseTree.peek() instanceof TreeEntry.Dir bd && bd.name().compareTo(n) < 0) {
            subDirsRemoved.add(bd.name());
            baseTree.next();
            baseTree.skipRest();
          }
          if (baseTree.peek() instanceof TreeEntry.Dir bd && bd.name().equals(n)) {
            baseTree.next();
            matched = true;
          }
        }
        hooks.beforeOpenDir(rel);
        DirHandle sub;
        try {
          sub = dir.openDir(n);
        } catch (NoSuchFileException | PosixException e) {
          // Gone, or no longer a directory (ELOOP: replaced by a symlink; ENOTDIR: by a file) since
          // it was listed: it is
          // never entered, and this snapshot leaves it out. Anything else (EACCES: a runner that
          // may not read it) fails
          // the backup: leaving it out would commit a snapshot without it.
          if (e instanceof PosixException p
              && p.errno() != dev.strata.engine.fs.Posix.ELOOP
              && p.errno() != dev.strata.engine.fs.Posix.ENOTDIR) {
            throw new UncheckedIOException(
                "cannot open directory " + Names.safe(rel) + ": " + e.getMessage(), p);
          }
          LOG.warn(
              "directory {} vanished or was replaced while the backup ran; it is not part of this snapshot",
              Names.safe(rel));
          vanishedFiles.add(rel + "/");
          if (matched) {
            subDirsRemoved.add(n);
            baseTree.skipRest();
          }
          continue;
        } catch (IOException e) {
          throw new UncheckedIOException(
              "cannot open directory " + Names.safe(rel) + ": " + e.getMessage(), e);
        }
        try (sub) {
          scanDir(sub, stat(sub, rel), rel, n, baseTree, matched, emit);
        }
      }
      if (inBase) {
        while (baseTree.peek() instanceof TreeEntry.Dir bd) {
          subDirsRemoved.add(bd.name());
          baseTree.next();
          baseTree.skipRest();
        }
        if (!(baseTree.next() instanceof TreeEntry.End)) {
          throw new IllegalStateException(
              "the base snapshot's tree is out of step at " + display(relPath));
        }
      }
      filesRemoved.sort(null);
      subDirsRemoved.sort(null);
      emit.put(new TreeEntry.End(filesRemoved, subDirsRemoved));
    }

    /**
     * An unchanged file is reused only when every blob of it is in the store's index and none is
     * marked damaged; otherwise it is read again (and what is missing stored again).
     */
    private boolean intact(FileIndex f) {
      for (FileBlob b : f.blobs()) {
        if (damaged.contains(b.id()) || !index.contains(Hashing.unhex(b.id()))) {
          return false;
        }
      }
      return true;
    }

    private Stat stat(DirHandle d, String relPath) {
      try {
        return d.stat();
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot stat " + display(relPath) + ": " + e.getMessage(), e);
      }
    }

    private Map<String, String> xattrsAt(DirHandle dir, String name, String relPath) {
      try {
        return dir.xattrsAt(name);
      } catch (NoSuchFileException gone) {
        return null;
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot read the extended attributes of "
                + Names.safe(join(relPath, name))
                + ": "
                + e.getMessage(),
            e);
      }
    }

    private FirstLink firstLink(Stat st) {
      return links.getOrDefault(st.dev(), Map.of()).get(st.ino());
    }

    private void registerLink(Stat st, String relPath, CompletableFuture<TreeEntry.File> entry) {
      links
          .computeIfAbsent(st.dev(), k -> new HashMap<>())
          .put(st.ino(), new FirstLink(relPath, entry));
    }

    /**
     * A further name of an inode already backed up: not read again; the restore makes it a hard
     * link.
     */
    private CompletableFuture<TreeEntry.File> linkTo(
        FirstLink first, String name, Stat st, DirHandle dir, String relPath) {
      Map<String, String> x = xattrsAt(dir, name, relPath);
      return first
          .entry()
          .thenApply(
              f -> {
                if (f == null) {
                  vanishedFiles.add(join(relPath, name));
                  return null;
                }
                progress.bytesDone(st.size());
                progress.reused(st.size());
                progress.fileDone();
                FileIndex link =
                    new FileIndex(
                        name,
                        FileIndex.Kind.FILE,
                        st.metadata(),
                        f.file().blobs(),
                        null,
                        null,
                        x,
                        first.relPath(),
                        null);
                return new TreeEntry.File(link, false, st.ctimeNanos());
              });
    }

    /**
     * Counts an entry as the tree records it: a file that vanished is not there, and one that
     * changed while read counts at the size it was read at, not the size the listing saw.
     */
    private void count(TreeEntry e) {
      if (e instanceof TreeEntry.File f) {
        if (f.file().isSymlink()) {
          symlinks.incrementAndGet();
        } else {
          files.incrementAndGet();
          totalBytes.addAndGet(f.file().metadata().size());
        }
      }
    }

    // ---- reading files
    // --------------------------------------------------------------------------------------------

    /**
     * Opens a file once; a worker reads, chunks and stores it and confirms its identity. Null when
     * it vanished.
     */
    private CompletableFuture<TreeEntry.File> readFile(
        DirHandle dir, String name, String relPath, boolean hardLinked) {
      OpenFile of;
      hooks.beforeOpenFile(relPath);
      try {
        of = open(dir, name, relPath);
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot open " + Names.safe(relPath) + ": " + e.getMessage(), e);
      }
      if (of == null) {
        return CompletableFuture.completedFuture(null);
      }
      try {
        return workers.submit(
            () -> {
              try {
                long[] ctime = {0};
                FileIndex f = finish(of, readWhole(of), ctime);
                return f == null ? null : new TreeEntry.File(f, hardLinked, ctime[0]);
              } finally {
                release(of);
              }
            });
      } catch (RuntimeException e) {
        release(of);
        throw e;
      }
    }

    /**
     * Opens a file through its directory's handle; null when it is gone or no longer a regular
     * file.
     */
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
     * The file's stat, taken once its ctime lies a clock tick in the past: a write within the tick
     * that set the ctime would not move it again, and the check after the read would miss it.
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
      LOG.warn(
          "file {} vanished while the backup ran; it is not part of this snapshot",
          Names.safe(relPath));
      vanishedFiles.add(relPath);
      progress.fileDone();
    }

    /**
     * Confirms that what was read is what the file held at one moment: the open file did not change
     * while read, and the name still refers to it. Otherwise the file is read again, up to the
     * configured number of times, then the policy decides.
     */
    private FileIndex finish(OpenFile of, List<FileBlob> read0, long[] ctime) {
      OpenFile current = of;
      List<FileBlob> read = read0;
      for (int attempt = 0; ; attempt++) {
        Stat after;
        Stat named;
        try {
          after = current.handle().stat();
          named = current.dir().statAtOrNull(current.name());
        } catch (IOException e) {
          throw new UncheckedIOException(
              "cannot stat " + Names.safe(current.relPath()) + ": " + e.getMessage(), e);
        }
        if (named == null) {
          if (current != of) {
            release(current);
          }
          vanished(current.relPath());
          return null;
        }
        boolean consistent =
            read != null
                && after.sameVersion(current.before())
                && named.sameVersion(current.before());
        if (consistent || attempt >= options.changeRetries()) {
          if (current != of) {
            release(current);
          }
          if (!consistent && (read == null || options.onFileChange() == FileChangePolicy.FAIL)) {
            throw new FileChangedException(
                "file "
                    + Names.safe(current.relPath())
                    + " changed while it was read ("
                    + (attempt + 1)
                    + " reads): back up a"
                    + " consistent copy (for RocksDB, a checkpoint), run the backup again, or record such files with"
                    + " --on-file-change record");
          }
          Stat st = current.before();
          ctime[0] = consistent ? st.ctimeNanos() : 0;
          FileIndex entry =
              new FileIndex(
                  current.name(),
                  FileIndex.Kind.FILE,
                  st.metadata(),
                  read,
                  null,
                  null,
                  xattrsAt(current.dir(), current.name(), parent(current.relPath())),
                  null,
                  null);
          if (!consistent) {
            LOG.warn(
                "file {} kept changing while it was read; recorded as changed (its bytes may mix moments)",
                Names.safe(current.relPath()));
            changedFiles.add(current.relPath());
            entry = entry.withChanged(true);
          }
          progress.fileDone();
          return entry;
        }
        LOG.info(
            "file {} changed while it was read; reading it again", Names.safe(current.relPath()));
        if (current != of) {
          release(current);
        }
        try {
          current = open(of.dir(), of.name(), of.relPath());
        } catch (IOException e) {
          throw new UncheckedIOException(
              "cannot open " + Names.safe(of.relPath()) + ": " + e.getMessage(), e);
        }
        if (current == null) {
          return null;
        }
        read = readWhole(current);
      }
    }

    /**
     * Reads, chunks and stores a whole open file through its one handle; null when it ended early
     * (it shrank).
     */
    private List<FileBlob> readWhole(OpenFile of) {
      long size = of.before().size();
      List<FileBlob> out = new ArrayList<>();
      boolean ok =
          chunks(
              of.handle(),
              size,
              of.relPath(),
              (codec, buf, off, len, offset) -> out.add(storeChunk(codec, buf, off, len, offset)));
      return ok ? out : null;
    }

    /**
     * Receives each chunk of a file: {@code buf[off, off+len)} starts at {@code offset} in the
     * file.
     */
    private interface ChunkConsumer {
      void chunk(BlobCodec codec, byte[] buf, int off, int len, long offset);
    }

    /**
     * Cuts {@code size} bytes of an open file into content-defined chunks; false when the file ends
     * early.
     */
    private boolean chunks(FileHandle h, long size, String relPath, ChunkConsumer consumer) {
      Lanes.Lane lane = lanes.take(size);
      try {
        return chunks(lane, h, size, relPath, consumer);
      } finally {
        lanes.give(lane);
      }
    }

    private boolean chunks(
        Lanes.Lane lane, FileHandle h, long size, String relPath, ChunkConsumer consumer) {
      byte[] buf = lane.buf;
      long readPos = 0;
      long chunkPos = 0;
      // buf[start, filled) is read and not yet cut. Chunks are cut from what the buffer holds; only
      // when the next cut
      // lies beyond it is the rest moved to the front and the buffer filled again (moving what is
      // left after every cut
      // copied about three bytes per byte read with 1 MiB chunks in a 4 MiB buffer).
      int start = 0;
      int filled = 0;
      try {
        while (chunkPos < size) {
          int n = filled > start ? chunker.cut(buf, start, filled - start, readPos == size) : -1;
          if (n < 0) {
            if (start > 0) {
              System.arraycopy(buf, start, buf, 0, filled - start);
              filled -= start;
              start = 0;
            }
            int want = (int) Math.min(buf.length - filled, size - readPos);
            if (want <= 0) {
              throw new IllegalStateException(
                  "a read buffer of " + buf.length + " bytes cannot hold the largest chunk");
            }
            if (!ChunkIO.read(h.channel(), readPos, buf, filled, want)) {
              return false;
            }
            readPos += want;
            filled += want;
            continue;
          }
          hooks.afterChunkRead(relPath, chunkPos);
          consumer.chunk(lane.codec, buf, start, n, chunkPos);
          chunkPos += n;
          start += n;
        }
        return true;
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot read " + Names.safe(relPath) + ": " + e.getMessage(), e);
      }
    }

    /**
     * Names a chunk by its id and stores it unless the store holds it already (or this run stores
     * it).
     */
    private FileBlob storeChunk(BlobCodec codec, byte[] buf, int off, int len, long offset) {
      byte[] id = repo.sealer().blobId(buf, off, len);
      String hex = Hashing.hex(id);
      if (!claimed.add(id)) {
        progress.reused(len);
      } else if (!damaged.contains(hex) && reusable(id)) {
        progress.reused(len);
      } else {
        codec.encode(options.compression(), id, buf, off, len);
        dataPacks.add(id, codec.stored, codec.storedOffset, codec.storedLength, codec.flags, len);
        if (damaged.contains(hex)) {
          healed.add(hex);
        }
        uploadedBytes.addAndGet(len);
        storedBytes.addAndGet(codec.storedLength);
        progress.transferred(codec.storedLength);
      }
      progress.bytesDone(len);
      return new FileBlob(hex, offset, len);
    }

    /**
     * Whether a blob the store's index lists can be reused: yes when the base snapshot references
     * it (the base protects it), or when a pack holding it is young or has its age restarted now
     * (so a collector keeps it until this snapshot's index protects it).
     */
    private boolean reusable(byte[] id) {
      if (baseBlobs.contains(id)) {
        return index.contains(id);
      }
      if (!index.contains(id)) {
        return false;
      }
      if (!baseCollected) {
        collectBase();
        if (baseBlobs.contains(id)) {
          return true;
        }
      }
      for (int e : index.locations(id)) {
        if (usePack(index.packNumber(e))) {
          return true;
        }
      }
      return false;
    }

    /**
     * Decides once per pack whether this run can rely on it (looking at it, and restarting its age
     * when old).
     */
    private boolean usePack(int p) {
      CompletableFuture<Boolean> mine = new CompletableFuture<>();
      CompletableFuture<Boolean> decision = packDecisions.putIfAbsent(p, mine);
      if (decision != null) {
        return decision.join();
      }
      try {
        boolean ok = decidePack(p);
        mine.complete(ok);
        return ok;
      } catch (RuntimeException e) {
        mine.completeExceptionally(e);
        throw e;
      }
    }

    private boolean decidePack(int p) {
      String key = PackFile.key(index.packIdOfNumber(p));
      Metadata md = Metadata.of(sourceId, key);
      Optional<ObjectInfo> info = store.stat(key, md);
      if (info.isEmpty()) {
        index.markAbsent(index.packIdOfNumber(p));
        return false;
      }
      Instant modified = info.get().lastModified();
      if (!modified.isBefore(createdAt.minus(options.refreshAge()))) {
        relied.putIfAbsent(p, modified.toEpochMilli());
        return true;
      }
      try {
        store.removeTTL(key, md);
      } catch (StoreException e) {
        if (e.kind() != StoreException.Kind.NOT_FOUND) {
          throw e;
        }
        LOG.info(
            "pack {} was deleted by garbage collection as it was found; its blobs are stored again",
            key);
        index.markAbsent(index.packIdOfNumber(p));
        return false;
      }
      refreshed.add(p);
      relied.put(p, options.clock().millis());
      return true;
    }

    /**
     * A tree blob: reused when the store holds it (an unchanged part of the tree), else stored in a
     * tree pack.
     */
    private void treeChunk(byte[] buf, int len) {
      byte[] id = repo.sealer().blobId(buf, 0, len);
      treeIds.add(Hashing.hex(id));
      if (!claimed.add(id) || reusable(id)) {
        return;
      }
      BlobCodec codec = codecs.get();
      codec.encode(dev.strata.engine.format.Compression.AUTO, id, buf, 0, len);
      treePacks.add(id, codec.stored, codec.storedOffset, codec.storedLength, codec.flags, len);
      storedBytes.addAndGet(codec.storedLength);
      progress.transferred(codec.storedLength);
    }

    // ---- protection against a concurrent collector
    // ---------------------------------------------------------------

    private void beatQuietly() {
      try {
        beat();
      } catch (RuntimeException e) {
        LOG.warn(
            "could not write this backup's pending object (it keeps a collector from taking its packs): {}",
            e.getMessage());
      }
    }

    /**
     * Writes the pending object: every pack this backup relies on beyond its base (its own, and old
     * ones it found). A collector keeps the packs of a pending object younger than its grace
     * period.
     */
    synchronized void beat() {
      List<String> packs = new ArrayList<>();
      synchronized (ownPacks) {
        for (IndexFile.Pack p : ownPacks) {
          packs.add(p.packId());
        }
      }
      for (Integer p : relied.keySet()) {
        packs.add(index.packIdOfNumber(p));
      }
      for (Integer p : viaBase) {
        packs.add(index.packIdOfNumber(p));
      }
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("sourceId", sourceId);
      doc.put("snapshotId", snapshotId);
      doc.put("startedAt", createdAt.toString());
      doc.put("packs", packs);
      byte[] json;
      try {
        json = dev.strata.engine.index.IndexCodec.mapper().writeValueAsBytes(doc);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      String key = StoreLayout.pendingKey(pendingId);
      long now = options.clock().millis();
      repo.putObject(key, json, Metadata.of(sourceId, key));
      pendingWritten = true;
      maxGap = Math.max(maxGap, now - lastBeat);
      lastBeat = now;
    }

    void deletePending() {
      if (pendingWritten) {
        pendingWritten = false;
        String key = StoreLayout.pendingKey(pendingId);
        try {
          store.delete(key, Metadata.of(sourceId, key));
        } catch (RuntimeException e) {
          LOG.warn(
              "could not delete this backup's pending object {} (garbage collection removes it later): {}",
              key,
              e.getMessage());
        }
      }
    }

    /** Packs that hold blobs of a base snapshot that was forgotten while this backup ran. */
    final Set<Integer> viaBase = ConcurrentHashMap.newKeySet();

    /**
     * Before the commit: makes sure every blob the new snapshot references is in the store and
     * stays there until the snapshot is visible, however long this backup ran. The pending object
     * is written once more (it protects this backup's packs and the old packs it relies on). A
     * collector may have taken them anyway if this backup stalled longer than the refresh age
     * between two writes of it, or may be deleting a pack whose age this backup restarted (the one
     * race S3 leaves open): those packs are looked at again, and the blobs of any that is gone are
     * read from the source again and stored.
     */
    void protectForCommit() {
      Set<Integer> check = new HashSet<>(refreshed);
      if (base != null) {
        Instant tombstoned = requireBase();
        if (tombstoned != null) {
          // The base is forgotten: its tombstone protects the blobs reused from it only for the
          // grace period.
          protectBasePacks();
          if (tombstoned.toEpochMilli()
              < options.clock().millis() - options.refreshAge().toMillis() / 2) {
            check.addAll(viaBase);
          }
        }
      }
      // A pack younger than half the refresh age cannot be older than any collector's grace before
      // this commits; only a
      // backup that ran longer, or relies on older packs, needs its pending object now.
      long now = options.clock().millis();
      long half = options.refreshAge().toMillis() / 2;
      boolean aging =
          pendingWritten
              || !viaBase.isEmpty()
              || now - createdAt.toEpochMilli() >= half
              || relied.values().stream().anyMatch(since -> since < now - half);
      if (aging && (!ownPacks.isEmpty() || !relied.isEmpty() || !viaBase.isEmpty())) {
        beat();
      }
      if (maxGap >= options.refreshAge().toMillis()) {
        LOG.info(
            "this backup ran {} s between two writes of its pending object: looking again at every pack it relies on",
            maxGap / 1000);
        check.addAll(relied.keySet());
        check.addAll(ownPackNumbers());
      }
      recover(missing(check), false);
    }

    private Set<Integer> ownPackNumbers() {
      Set<Integer> out = new HashSet<>();
      synchronized (ownPacks) {
        for (IndexFile.Pack p : ownPacks) {
          out.add(numberOf(p.packId()));
        }
      }
      return out;
    }

    private int numberOf(String packId) {
      for (int p = index.packCount() - 1; p >= 0; p--) {
        if (index.packIdOfNumber(p).equals(packId)) {
          return p;
        }
      }
      throw new IllegalStateException("pack " + packId + " is not in the index");
    }

    private void protectBasePacks() {
      if (!viaBase.isEmpty()) {
        return;
      }
      collectBase();
      baseBlobs.forEach(
          id -> {
            int e = index.find(id);
            if (e >= 0) {
              viaBase.add(index.packNumber(e));
            }
          });
    }

    /** The packs of {@code check} that the store no longer has (a HEAD each, in parallel). */
    private Set<Integer> missing(Set<Integer> check) {
      Set<Integer> gone = ConcurrentHashMap.newKeySet();
      if (check.isEmpty()) {
        return gone;
      }
      try (Workers w = new Workers("strata-backup-check", options.parallelism())) {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int p : check) {
          all.add(
              w.submit(
                  () -> {
                    String key = PackFile.key(index.packIdOfNumber(p));
                    if (store.stat(key, Metadata.of(sourceId, key)).isEmpty()) {
                      gone.add(p);
                    }
                    return null;
                  }));
        }
        for (CompletableFuture<Void> f : all) {
          try {
            f.join();
          } catch (CompletionException e) {
            w.failIfFailed();
            throw e;
          }
        }
      }
      return gone;
    }

    /**
     * Stores again, from the source, every blob of the new snapshot that was in a pack a collector
     * deleted while this backup ran. The source is read again (only until every such blob is
     * found); a blob the source no longer holds fails the backup before its commit, or, after it,
     * is marked damaged for the next backup to store.
     */
    private void recover(Set<Integer> gonePacks, boolean committed) {
      if (gonePacks.isEmpty()) {
        return;
      }
      IdSet lost = new IdSet();
      for (int p : gonePacks) {
        String packId = index.packIdOfNumber(p);
        LOG.warn(
            "pack {} this backup relies on was deleted by garbage collection while it ran; storing its blobs again",
            packId);
        index.markAbsent(packId);
        ownPacks.removeIf(op -> op.packId().equals(packId));
        for (int e : index.entriesOfPack(p)) {
          lost.add(index.id(e));
        }
      }
      IdSet needed = new IdSet();
      treeIds.forEach(
          t -> {
            if (lost.contains(Hashing.unhex(t)) && !index.contains(Hashing.unhex(t))) {
              throw new IllegalStateException(
                  "garbage collection deleted a pack holding this backup's own tree while it stalled;"
                      + " nothing was committed: run the backup again");
            }
          });
      Snapshot self =
          Snapshot.of(
              StoreLayout.indexKey(sourceId, snapshotId),
              new SnapshotRecord(
                  snapshotId,
                  new SnapshotMetadata(sourceId, store.location(), createdAt, null),
                  null,
                  new SnapshotStats(0, 0, 0, 0, 0, 0),
                  "auto",
                  Math.max(1, treeBytes),
                  treeIds));
      try (TreeSource t = blobs.tree(self)) {
        for (TreeEntry e = t.next(); e != null; e = t.next()) {
          if (e instanceof TreeEntry.File f) {
            for (FileBlob b : f.file().blobs()) {
              byte[] id = Hashing.unhex(b.id());
              if (lost.contains(id) && !index.contains(id)) {
                needed.add(id);
              }
            }
          }
        }
      }
      if (needed.size() == 0) {
        return;
      }
      int before = ownPacks.size();
      IdSet found = new IdSet();
      rescan(root, "", needed, found);
      dataPacks.flush();
      uploads.awaitAll();
      List<IndexFile.Pack> fresh;
      synchronized (ownPacks) {
        fresh =
            new ArrayList<>(ownPacks.subList(Math.min(before, ownPacks.size()), ownPacks.size()));
      }
      for (IndexFile.Pack p : fresh) {
        index.addPack(p.packId(), p.createdAtMillis(), p.list());
      }
      if (found.size() < needed.size()) {
        List<String> missingIds = new ArrayList<>();
        needed.forEach(
            id -> {
              if (!found.contains(id)) {
                missingIds.add(Hashing.hex(id));
              }
            });
        if (!committed) {
          throw new FileChangedException(
              missingIds.size()
                  + " blobs of this snapshot were deleted by garbage collection while the"
                  + " backup ran and the source no longer holds them (files changed meanwhile): nothing was committed; run the"
                  + " backup again");
        }
        for (String id : missingIds) {
          byte[] note =
              ("{\"snapshots\":[\"" + snapshotId + "\"]}")
                  .getBytes(java.nio.charset.StandardCharsets.UTF_8);
          String key = StoreLayout.damagedKey(id);
          store.put(key, note, note.length, null, Metadata.of(sourceId, key));
        }
        throw new IntegrityException(
            "snapshot "
                + snapshotId
                + " was committed, but garbage collection deleted "
                + missingIds.size()
                + " of its blobs at the same moment and the source no longer holds them; they are marked damaged, and the next"
                + " backup of a source that holds them stores them again");
      }
    }

    /** Reads the source again through directory handles, storing the chunks in {@code needed}. */
    private void rescan(DirHandle dir, String relPath, IdSet needed, IdSet found) {
      List<String> names;
      try {
        names = dir.list();
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot read directory " + display(relPath) + ": " + e.getMessage(), e);
      }
      names.sort(null);
      for (String n : names) {
        if (found.size() >= needed.size()) {
          return;
        }
        String rel = join(relPath, n);
        try {
          Stat st = dir.statAtOrNull(n);
          if (st == null) {
            continue;
          }
          if (st.isDirectory()) {
            try (DirHandle sub = dir.openDir(n)) {
              rescan(sub, rel, needed, found);
            } catch (NoSuchFileException | PosixException gone) {
              // vanished or replaced meanwhile
            }
          } else if (st.isFile()) {
            try (FileHandle h = dir.openRead(n)) {
              chunks(
                  h,
                  h.stat().size(),
                  rel,
                  (codec, buf, off, len, offset) -> {
                    byte[] id = repo.sealer().blobId(buf, off, len);
                    if (needed.contains(id) && found.add(id)) {
                      codec.encode(options.compression(), id, buf, off, len);
                      dataPacks.add(
                          id,
                          codec.stored,
                          codec.storedOffset,
                          codec.storedLength,
                          codec.flags,
                          len);
                      storedBytes.addAndGet(codec.storedLength);
                      uploadedBytes.addAndGet(len);
                    }
                  });
            } catch (NoSuchFileException | PosixException gone) {
              // vanished or replaced meanwhile
            }
          }
        } catch (IOException e) {
          throw new UncheckedIOException(
              "cannot read " + Names.safe(rel) + ": " + e.getMessage(), e);
        }
      }
    }

    /**
     * After the commit: a pack whose age this backup restarted just before may have been deleted by
     * a collector's delete already in flight; look once more, and store again what is gone.
     */
    void afterCommit(Snapshot committed) {
      if (!refreshed.isEmpty() || (base != null && !viaBase.isEmpty())) {
        Set<Integer> check = new HashSet<>(refreshed);
        check.addAll(viaBase);
        recover(missing(check), true);
        dataPacks.flush();
        uploads.awaitAll();
      }
      for (String id : healed) {
        store.delete(StoreLayout.damagedKey(id), Metadata.of(sourceId, StoreLayout.damagedKey(id)));
        LOG.info(
            "blob {} was damaged and is stored again; the snapshots that reference it are whole again",
            id);
      }
    }

    /**
     * Merges the store's index files when they have multiplied, so the next run opens the store in
     * a few reads.
     */
    private void mergeIndexFilesIfMany() {
      if (index.files().size() + indexFilesWritten.get() <= IndexFiles.MERGE_ABOVE) {
        return; // as far as this run knows: another run's files are merged by the next backup or
        // collection
      }
      try {
        List<String> keys = IndexFiles.list(repo);
        if (keys.size() > IndexFiles.MERGE_ABOVE) {
          IndexFiles.merge(repo, keys, id -> true, System.currentTimeMillis());
        }
      } catch (RuntimeException e) {
        LOG.warn(
            "could not merge the index files of {} (the next backup or collection tries again): {}",
            store.location(),
            e.getMessage());
      }
    }

    /**
     * Fails unless the snapshot this backup is based on still exists, as an index or as a
     * tombstone. Its blobs were reused without looking at the store, and only its index or
     * tombstone keeps them from garbage collection. Returns when the base was forgotten (its
     * tombstone's time), or null while its index exists.
     */
    Instant requireBase() {
      // The base may be a snapshot of a former identity of the source: its index is where its own
      // identity puts it.
      String indexKey = StoreLayout.indexKey(base.metadata().sourceId(), base.snapshotId());
      if (store.stat(indexKey, Metadata.of(sourceId, indexKey)).isPresent()) {
        return null;
      }
      String tombstone = StoreLayout.tombstoneKeyOf(indexKey);
      Optional<ObjectInfo> t = store.stat(tombstone, Metadata.of(sourceId, tombstone));
      if (t.isPresent()) {
        LOG.info(
            "snapshot {}, which this backup is based on, was forgotten meanwhile; its tombstone keeps the blobs reused from it",
            base.snapshotId());
        return t.get().lastModified();
      }
      throw new IllegalStateException(
          "snapshot "
              + base.snapshotId()
              + ", which this backup is based on, no longer exists, not even as a tombstone"
              + " (it was forgotten longer ago than the garbage collector's grace period, or deleted without `forget`):"
              + " blobs reused from it may be gone, so nothing was committed. Run the backup again");
    }
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
