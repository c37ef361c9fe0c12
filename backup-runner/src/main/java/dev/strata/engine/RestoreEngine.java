package dev.strata.engine;

import dev.strata.engine.format.Repository;
import dev.strata.engine.format.SealException;
import dev.strata.engine.fs.Capabilities;
import dev.strata.engine.fs.DirHandle;
import dev.strata.engine.fs.FileHandle;
import dev.strata.engine.fs.Posix;
import dev.strata.engine.fs.PosixException;
import dev.strata.engine.fs.Stat;
import dev.strata.engine.fs.Xattrs;
import dev.strata.engine.index.FileBlob;
import dev.strata.engine.index.FileIndex;
import dev.strata.engine.index.FileMetadata;
import dev.strata.engine.index.IndexValidator;
import dev.strata.engine.pack.BlobCodec;
import dev.strata.engine.pack.BlobIndex;
import dev.strata.engine.pack.LongLongMap;
import dev.strata.engine.pack.LongSet;
import dev.strata.engine.pack.PackFile;
import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.Metadata;
import dev.strata.engine.store.StoreException;
import dev.strata.engine.store.StoreLayout;
import dev.strata.engine.tree.TreeEntry;
import dev.strata.engine.tree.TreeReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restores a snapshot (store format 1 or 2) into a target directory in two phases. Staging: the
 * snapshot's tree is streamed, and every file that must be written is assembled in a staging
 * directory inside the target from verified blobs; nothing else in the target changes, so a failure
 * leaves the target as it was. The files are taken in batches: within one, the blobs it needs are
 * grouped by pack and fetched with ranged requests (near blobs of a pack in one request, a whole
 * pack when all of it is needed), each unique blob once; a blob a later batch needs again is copied
 * from where it was written (checked again), all-zero chunks are left as holes, and in sync mode a
 * local file provides the chunks it already holds. Commit: the tree is streamed again, staged files
 * are renamed into place, symlinks, hard links and directories made, metadata applied, and in sync
 * mode what the snapshot lacks is removed; then the target's file system is flushed before the
 * restore reports done. Memory grows with one batch and the largest directory, not with the
 * snapshot.
 *
 * <p>Every step works through directory handles (openat, renameat, mkdirat... with O_NOFOLLOW),
 * never by resolving a path string again: no symlink is followed at any depth, so nothing is
 * written outside the directories that were inside the target when the restore opened them,
 * whatever races with it. The tree is validated as it is read, before anything it names is written
 * outside the staging directory.
 */
public final class RestoreEngine {

  private static final Logger LOG = LoggerFactory.getLogger(RestoreEngine.class);
  static final String STAGING_PREFIX = ".strata-staging-";

  /** A batch holds at most this many files... */
  static final int BATCH_FILES = 20_000;

  /** ...and at most this many blob needs. */
  static final int BATCH_NEEDS = 100_000;

  /**
   * A blob at most this long is written with one pwrite on the staged file's descriptor, without
   * opening a channel.
   */
  static final int SMALL_WRITE = 64 * 1024;

  /** One ranged request reads at most this much. */
  static final long MAX_RANGE = 32L << 20;

  private static final int EUID = Posix.geteuid();

  private final BlobStoreManager store;
  private final RestoreOptions options;
  private final Progress progress;

  public RestoreEngine(BlobStoreManager store, RestoreOptions options, Progress progress) {
    this.store = store;
    this.options = options;
    this.progress = progress;
  }

  public RestoreResult restore(Snapshot snapshot, Path target) {
    return restore(Repository.open(store, options.key()), null, snapshot, target);
  }

  /**
   * Restores with the store already open ({@code repo}, for {@link #store}) and its index possibly
   * being read ({@code index}, null to read it here): a caller that looks the snapshot up meanwhile
   * saves the round trips.
   */
  public RestoreResult restore(
      Repository repo,
      java.util.concurrent.CompletableFuture<BlobIndex> index,
      Snapshot snapshot,
      Path target) {
    long start = System.nanoTime();
    if (snapshot.formatVersion() == 1) {
      IndexValidator.validate(snapshot.v1Index());
    }
    BlobIndex ix =
        snapshot.formatVersion() != 2
            ? null
            : index != null ? Workers.join(index) : BlobIndex.load(repo);
    BlobSource blobs = new BlobSource(repo, ix);
    try (DirHandle root = prepareTarget(target)) {
      Run run = new Run(snapshot, repo, blobs, root, target);
      run.phases.put("open", (System.nanoTime() - start) / 1_000_000);
      Stat rootBefore = stat(root);
      try {
        long t0 = System.nanoTime();
        run.stage();
        run.phases.put("stage", (System.nanoTime() - t0) / 1_000_000);
        run.phases.put("fetch", run.fetchNanos / 1_000_000);
      } catch (RuntimeException e) {
        run.discardStaging();
        run.resetMtime(rootBefore); // creating the staging directory touched it
        throw e;
      }
      try {
        long t1 = System.nanoTime();
        run.commit();
        long t2 = System.nanoTime();
        run.phases.put("commit", (t2 - t1) / 1_000_000);
        if (options.fsync()) {
          root.syncfs();
          run.phases.put("sync", (System.nanoTime() - t2) / 1_000_000);
        }
      } catch (IOException | RuntimeException e) {
        run.discardStaging();
        throw new RestoreCommitException(
            "restore of snapshot "
                + snapshot.snapshotId()
                + " into "
                + target
                + " failed while moving files into place"
                + (run.at == null ? "" : " (at " + Names.safe(run.at) + ")")
                + ": "
                + Names.safe(e.getMessage())
                + ". The target is partly restored: entries the commit reached are the snapshot's, the others are as they"
                + " were; the staging directory was removed. Run the restore again with --mode sync to finish it",
            e);
      }
      progress.done();
      long ms = (System.nanoTime() - start) / 1_000_000;
      LOG.info(
          "restored snapshot {} into {}: {} files, {} bytes, {} downloaded, {} reused, in {} ms {}",
          snapshot.snapshotId(),
          target,
          run.files.get(),
          run.totalBytes.get(),
          run.downloaded.get(),
          run.reused.get(),
          ms,
          run.phases);
      return new RestoreResult(
          snapshot.snapshotId(),
          run.files.get(),
          run.totalBytes.get(),
          run.downloaded.get(),
          run.reused.get(),
          ms);
    }
  }

  private static Stat stat(DirHandle d) {
    try {
      return d.stat();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot stat " + d + ": " + e.getMessage(), e);
    }
  }

  /**
   * Opens the target (created if missing). Mode empty refuses anything in it, a staging directory
   * left by a restore that was killed included: that it is Strata's cannot be proven, so it is
   * content like any other.
   */
  private DirHandle prepareTarget(Path target) {
    try {
      if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !Files.exists(target)) {
        Files.createDirectories(target);
      }
      DirHandle root;
      try {
        root = DirHandle.open(target);
      } catch (PosixException e) {
        if (e.errno() == Posix.ENOTDIR) {
          throw new IllegalArgumentException(
              "the restore target " + target + " is not a directory: check --target");
        }
        throw e;
      }
      List<String> present = root.list();
      if (options.mode() == RestoreMode.EMPTY && !present.isEmpty()) {
        root.close();
        present.sort(null);
        String leftover =
            present.stream().filter(n -> n.startsWith(STAGING_PREFIX)).findFirst().orElse(null);
        throw new TargetNotEmptyException(
            "the restore target "
                + target
                + " is not empty (it holds "
                + present.size()
                + " entries, e.g. '"
                + Names.safe(leftover != null ? leftover : present.get(0))
                + "'"
                + (leftover != null
                    ? ", which looks left by a restore that was killed; remove it if it is"
                    : "")
                + "): restore into an empty directory, or choose --mode overwrite or --mode sync");
      }
      if (options.mode() == RestoreMode.OVERWRITE) {
        // Mode sync removes it with the rest of what the snapshot lacks; overwrite keeps all that.
        present.stream()
            .filter(n -> n.startsWith(STAGING_PREFIX))
            .sorted()
            .forEach(
                n ->
                    LOG.warn(
                        "the restore target {} holds {}, which looks left by a restore that was"
                            + " killed: mode overwrite keeps it; remove it if it is",
                        target,
                        Names.safe(n)));
      }
      return root;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot prepare the restore target " + target + ": " + e.getMessage(), e);
    }
  }

  /**
   * A file whose bytes are being assembled in the staging directory, through one handle for all its
   * blobs.
   */
  private static final class StagedFile {
    final FileIndex file;
    final String relPath;
    final int seq;
    final AtomicInteger remaining;
    FileHandle handle;

    /** Some blob was left as a hole: the file's size is set at the end. */
    volatile boolean holes;

    StagedFile(FileIndex file, String relPath, int seq, int blobs) {
      this.file = file;
      this.relPath = relPath;
      this.seq = seq;
      this.remaining = new AtomicInteger(blobs);
    }

    String stagedName() {
      return Integer.toString(seq);
    }
  }

  /**
   * One place a blob is needed: a staged file and the offset in it; {@code localCopy} is a
   * sync-mode shortcut.
   */
  private record Need(StagedFile file, FileBlob blob, String localCopy) {}

  /**
   * A hard link to make once every regular file is in place, and its directory's metadata to set
   * again after.
   */
  private record Link(String dirRel, String name, String targetRel, TreeEntry.Dir dir) {}

  /** One blob to fetch from a pack: its entry in the index, and where it goes. */
  private record Want(byte[] id, String hex, int entry, int offset, int stored, List<Need> needs) {}

  private final class Run {
    final Snapshot snapshot;
    final Repository repo;
    final BlobSource blobs;
    final DirHandle root;
    final Path target;
    final String stagingName =
        STAGING_PREFIX + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
    DirHandle staging;
    final Map<String, List<Need>> needs = new LinkedHashMap<>();
    int batchFiles;
    int batchNeeds;
    final BitSet kept = new BitSet();
    final Map<Integer, long[]> keptSeen = new HashMap<>();
    final List<Link> links = new ArrayList<>();
    final AtomicLong files = new AtomicLong();
    final AtomicLong totalBytes = new AtomicLong();
    final AtomicLong downloaded = new AtomicLong();
    final AtomicLong reused = new AtomicLong();
    final ThreadLocal<byte[]> buffers = ThreadLocal.withInitial(() -> new byte[1 << 20]);
    final ThreadLocal<BlobCodec> codecs;
    final Map<Long, String> zeroIds = new ConcurrentHashMap<>();

    /**
     * Where each blob was written (first 8 bytes of its id to file sequence and offset), for later
     * batches.
     */
    final LongLongMap written = new LongLongMap();

    /** Staged files with an open handle: closed however the restore ends. */
    final Set<StagedFile> open = ConcurrentHashMap.newKeySet();

    final boolean chown = Capabilities.canChown();

    /** The group new staged files get (the staging directory's: its parent may be setgid). */
    int stagingGid = -1;

    final AtomicBoolean chownWarned = new AtomicBoolean();
    final AtomicBoolean dirMetadataWarned = new AtomicBoolean();

    /** Where the commit is, for the message when it fails. */
    volatile String at;

    /** Milliseconds per phase, for the log line that ends the restore. */
    final Map<String, Long> phases = new LinkedHashMap<>();

    /**
     * Time the planning thread spent fetching batches (the rest of staging is reading the tree).
     */
    long fetchNanos;

    int nextSeq;

    /** Whether the tree held anything besides its root: with a selection, whether it matched. */
    boolean anySelected;

    Run(Snapshot snapshot, Repository repo, BlobSource blobs, DirHandle root, Path target) {
      this.snapshot = snapshot;
      this.repo = repo;
      this.blobs = blobs;
      this.root = root;
      this.target = target;
      this.codecs = ThreadLocal.withInitial(() -> BlobCodec.forRestore(repo.sealer()));
    }

    TreeReader tree() {
      if (options.selection() == null) {
        return new TreeReader(blobs.tree(snapshot));
      }
      return new TreeReader(
          new dev.strata.engine.tree.SelectedTreeSource(
              blobs.tree(snapshot), options.selection()::selects));
    }

    void stage() {
      try {
        root.mkdir(stagingName, 0700);
        staging = root.openDir(stagingName);
        stagingGid = staging.stat().gid();
        // Files made here would inherit the target's default ACL: they get exactly the snapshot's
        // instead.
        Posix.fremovexattr(staging.fd(), Xattrs.ACL_DEFAULT, staging.display());
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot create a staging directory in " + target + ": " + e.getMessage(), e);
      }
      boolean whole = options.selection() == null;
      if (whole && snapshot.stats() != null) {
        progress.addTotal(snapshot.stats().files(), snapshot.stats().totalBytes());
      }
      if (whole) {
        progress.totalsKnown();
      }
      try (TreeReader r = tree()) {
        stageDir(r, root, "", r.root());
        if (r.next() != null) {
          throw new IllegalStateException("the tree goes on after its root");
        }
        if (!whole && !anySelected) {
          throw new NothingSelectedException(nothingSelected());
        }
        if (!whole) {
          progress.totalsKnown(); // a selection's totals grew as its files were planned
        }
        runBatch();
      } finally {
        open.forEach(this::closeQuietly);
      }
    }

    /** Why a selection that matched nothing is refused, and what to look at. */
    private String nothingSelected() {
      PathSelection s = options.selection();
      return "nothing in snapshot "
          + snapshot.snapshotId()
          + " matches the selection"
          + (s.includes().isEmpty() ? "" : " (include " + s.includes() + ")")
          + (s.excludes().isEmpty() ? "" : " (exclude " + s.excludes() + ")")
          + ": nothing was restored. Patterns match paths relative to the snapshot's root, as `strata ls "
          + snapshot.snapshotId()
          + "` lists them";
    }

    private void closeQuietly(StagedFile sf) {
      synchronized (sf) {
        if (sf.handle != null) {
          try {
            sf.handle.close();
          } catch (IOException e) {
            LOG.debug("closing a staged file: {}", e.toString());
          }
          sf.handle = null;
        }
      }
      open.remove(sf);
    }

    /**
     * Plans one directory (after its record); {@code local} is the target's real directory at this
     * path, or null.
     */
    private void stageDir(TreeReader r, DirHandle local, String relPath, TreeEntry.Dir self) {
      for (TreeEntry.File fe : r.files()) {
        anySelected = true;
        FileIndex f = fe.file();
        if (f.isSymlink()) {
          continue;
        }
        String rel = join(relPath, f.name());
        if (f.hardLink() != null) {
          links.add(new Link(relPath, f.name(), f.hardLink(), self));
          continue;
        }
        int seq = nextSeq++;
        long size = f.metadata().size();
        if (options.selection() != null) {
          progress.addTotal(1, size);
        }
        files.incrementAndGet();
        totalBytes.addAndGet(size);
        Stat existing = local == null ? null : statOrNull(local, f.name());
        boolean localRegular = existing != null && existing.isFile();
        if (options.mode() == RestoreMode.SYNC
            && localRegular
            && !options.fullCheck()
            && unchanged(local, f, existing)) {
          kept.set(seq);
          keptSeen.put(seq, new long[] {existing.dev(), existing.ino(), existing.ctimeNanos()});
          reused.addAndGet(size);
          progress.reused(size);
          progress.bytesDone(size);
          progress.fileDone();
          continue;
        }
        StagedFile sf = new StagedFile(f, rel, seq, f.blobs().size());
        if (f.blobs().isEmpty()) {
          finish(sf);
          continue;
        }
        long reusable = options.mode() == RestoreMode.SYNC && localRegular ? existing.size() : 0;
        for (FileBlob b : f.blobs()) {
          String copy = b.offset() + b.size() <= reusable ? rel : null;
          needs.computeIfAbsent(b.id(), k -> new ArrayList<>(1)).add(new Need(sf, b, copy));
          batchNeeds++;
        }
        if (++batchFiles >= BATCH_FILES || batchNeeds >= BATCH_NEEDS) {
          runBatch();
        }
      }
      while (r.peek() instanceof TreeEntry.Dir d) {
        r.next();
        anySelected = true;
        DirHandle sub = null;
        if (local != null) {
          try {
            sub = local.openDir(d.name());
          } catch (NoSuchFileException | PosixException notADirectory) {
            sub =
                null; // missing, or a symlink or file where the snapshot has a directory: replaced
            // at the commit
          } catch (IOException e) {
            throw new UncheckedIOException(
                "cannot open "
                    + Names.safe(join(relPath, d.name()))
                    + " in the target: "
                    + e.getMessage(),
                e);
          }
        }
        try {
          stageDir(r, sub, join(relPath, d.name()), d);
        } finally {
          if (sub != null) {
            sub.close();
          }
        }
      }
      if (!(r.next() instanceof TreeEntry.End)) {
        throw new IllegalStateException(
            "the snapshot's tree is out of step at "
                + (relPath.isEmpty() ? "." : Names.safe(relPath)));
      }
    }

    /**
     * A local file that can stay as it is: same size and mtime, and the snapshot's owner, mode and
     * extended attributes already. One with other names (hard links, maybe outside the target) is
     * never changed in place: it is replaced.
     */
    private boolean unchanged(DirHandle local, FileIndex f, Stat existing) {
      FileMetadata m = f.metadata();
      if (existing.size() != m.size()
          || existing.mtimeNanos() != m.mtimeNanos()
          || (existing.mode() & 07777) != m.mode()) {
        return false;
      }
      if (chown && (existing.uid() != m.uid() || existing.gid() != m.gid())) {
        return false;
      }
      try {
        return Objects.equals(local.xattrsAt(f.name()), f.xattrs());
      } catch (IOException e) {
        return false;
      }
    }

    private Stat statOrNull(DirHandle dir, String name) {
      try {
        return dir.statAtOrNull(name);
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot inspect " + dir.child(name) + ": " + e.getMessage(), e);
      }
    }

    // ---- fetching a batch
    // ---------------------------------------------------------------------------------------

    /** Fetches and writes every blob the current batch needs, each once, then forgets the batch. */
    private void runBatch() {
      if (needs.isEmpty()) {
        return;
      }
      long t0 = System.nanoTime();
      try {
        fetchBatch();
      } finally {
        fetchNanos += System.nanoTime() - t0;
      }
    }

    private void fetchBatch() {
      learnZeroIds();
      List<Runnable> jobs = new ArrayList<>();
      Map<Integer, List<Want>> byPack = new HashMap<>();
      BlobIndex ix = snapshot.formatVersion() == 2 ? blobs.index() : null;
      for (Map.Entry<String, List<Need>> e : needs.entrySet()) {
        String hex = e.getKey();
        List<Need> where = e.getValue();
        long size = where.get(0).blob().size();
        if (isZero(hex, size)) {
          jobs.add(() -> deliverHole(where));
          continue;
        }
        byte[] id = Hashing.unhex(hex);
        boolean local = where.stream().anyMatch(n -> n.localCopy() != null);
        int slot = written.find(LongSet.prefix(id));
        if (local || slot >= 0) {
          long seq = slot >= 0 ? written.first(slot) : -1;
          long off = slot >= 0 ? written.second(slot) : -1;
          jobs.add(() -> copyOrFetch(hex, id, where, seq, off));
          continue;
        }
        if (ix == null) {
          jobs.add(() -> fetchV1(hex, where));
          continue;
        }
        int entry = ix.find(id);
        if (entry < 0) {
          jobs.add(() -> fetchAnywhere(hex, id, where));
          continue;
        }
        byPack
            .computeIfAbsent(ix.packNumber(entry), p -> new ArrayList<>())
            .add(new Want(id, hex, entry, ix.offset(entry), ix.storedLength(entry), where));
      }
      for (Map.Entry<Integer, List<Want>> p : byPack.entrySet()) {
        List<Want> wants = p.getValue();
        wants.sort((a, b) -> Integer.compare(a.offset(), b.offset()));
        String key = PackFile.key(ix.packIdOfNumber(p.getKey()));
        int from = 0;
        for (int i = 1; i <= wants.size(); i++) {
          boolean cut = i == wants.size();
          if (!cut) {
            Want prev = wants.get(i - 1);
            Want next = wants.get(i);
            long gap = next.offset() - ((long) prev.offset() + prev.stored());
            long span = (long) next.offset() + next.stored() - wants.get(from).offset();
            cut = gap > options.rangeGap() || span > MAX_RANGE;
          }
          if (cut) {
            List<Want> range = List.copyOf(wants.subList(from, i));
            jobs.add(() -> fetchRange(key, range));
            from = i;
          }
        }
      }
      needs.clear();
      batchFiles = 0;
      batchNeeds = 0;
      // Larger requests first, so the long ones do not end up last.
      List<CompletableFuture<Void>> work = new ArrayList<>();
      try (Workers workers = new Workers("strata-restore", options.parallelism())) {
        for (Runnable job : jobs) {
          work.add(
              workers.submit(
                  () -> {
                    job.run();
                    return null;
                  }));
        }
        for (CompletableFuture<Void> f : work) {
          try {
            f.join();
          } catch (RuntimeException e) {
            workers.failIfFailed();
            throw e;
          }
        }
        workers.failIfFailed();
      }
    }

    /**
     * The id of content: SHA-256 in a format-1 snapshot (also when the store has since become
     * encrypted), else the store's.
     */
    private byte[] idOf(byte[] buf, int off, int len) {
      return snapshot.formatVersion() == 1
          ? Hashing.sha256(buf, off, len)
          : repo.sealer().blobId(buf, off, len);
    }

    /**
     * The ids of all-zero blobs of the sizes this batch needs, in one pass (see {@link
     * Hashing#ofZeros}).
     */
    private void learnZeroIds() {
      long[] sizes =
          needs.values().stream()
              .mapToLong(w -> w.get(0).blob().size())
              .filter(s -> !zeroIds.containsKey(s))
              .distinct()
              .sorted()
              .toArray();
      byte[][] ids =
          snapshot.formatVersion() == 1
              ? Hashing.sha256OfZeros(sizes)
              : repo.sealer().zeroBlobIds(sizes);
      for (int i = 0; i < sizes.length; i++) {
        zeroIds.put(sizes[i], Hashing.hex(ids[i]));
      }
    }

    private boolean isZero(String hex, long size) {
      String zero =
          zeroIds.computeIfAbsent(
              size, s -> Hashing.hex(idOf(new byte[(int) (long) s], 0, (int) (long) s)));
      return zero.equals(hex);
    }

    private void deliverHole(List<Need> where) {
      for (Need n : where) {
        n.file().holes = true;
        try {
          handle(n.file()); // the file exists even when it is all holes
        } catch (IOException e) {
          throw new UncheckedIOException(
              "cannot create "
                  + Names.safe(n.file().relPath)
                  + " in the staging directory: "
                  + e.getMessage(),
              e);
        }
        progress.bytesDone(n.blob().size());
        done(n.file());
      }
    }

    /** Reads a range of a pack once and writes each of its blobs where needed. */
    private void fetchRange(String key, List<Want> range) {
      int next = 0;
      for (int attempt = 1; next < range.size(); attempt++) {
        long start = range.get(next).offset();
        Want last = range.get(range.size() - 1);
        long length = (long) last.offset() + last.stored() - start;
        try (InputStream in =
            store.openRange(
                key, start, length, new Metadata(snapshot.metadata().sourceId(), key, length))) {
          long pos = start;
          while (next < range.size()) {
            Want w = range.get(next);
            in.skipNBytes(w.offset() - pos);
            byte[] buf = buffers.get();
            if (buf.length < w.stored()) {
              buf = new byte[Math.max(w.stored(), buf.length * 2)];
              buffers.set(buf);
            }
            if (in.readNBytes(buf, 0, w.stored()) != w.stored()) {
              throw new java.io.EOFException("the pack " + key + " ends early");
            }
            downloaded.addAndGet(w.stored() + (w.offset() - pos));
            progress.transferred(w.stored());
            pos = (long) w.offset() + w.stored();
            decodeAndDeliver(key, w, buf);
            next++;
          }
        } catch (StoreException e) {
          if (e.kind() != StoreException.Kind.NOT_FOUND
              && e.kind() != StoreException.Kind.INTEGRITY) {
            throw e;
          }
          LOG.info(
              "pack {} is {}; looking for its blobs elsewhere",
              key,
              e.kind() == StoreException.Kind.NOT_FOUND
                  ? "gone (garbage collection repacked it meanwhile?)"
                  : "shorter than its index says");
          fetchEach(range, next);
          next = range.size();
        } catch (java.io.EOFException e) {
          LOG.info(
              "pack {} ends before the blobs its index lists; looking for them elsewhere", key);
          fetchEach(range, next);
          next = range.size();
        } catch (IOException e) {
          if (attempt >= 4) {
            throw new StoreException(
                StoreException.Kind.TRANSIENT,
                "reading " + key + " failed " + attempt + " times: " + e.getMessage(),
                e);
          }
          LOG.debug(
              "reading {} failed ({}); reading the rest of the range again", key, e.toString());
        }
      }
    }

    private void fetchEach(List<Want> range, int from) {
      for (int i = from; i < range.size(); i++) {
        Want w = range.get(i);
        fetchAnywhere(w.hex(), w.id(), w.needs());
      }
    }

    private void decodeAndDeliver(String key, Want w, byte[] buf) {
      BlobIndex ix = blobs.index();
      BlobCodec codec = codecs.get();
      int raw = ix.rawLength(w.entry());
      try {
        codec.decode(ix, w.entry(), buf, w.stored());
      } catch (SealException e) {
        LOG.warn(
            "blob {} in {} is corrupt ({}); looking for another copy",
            w.hex(),
            key,
            e.getMessage());
        fetchAnywhere(w.hex(), w.id(), w.needs());
        return;
      }
      deliver(w.hex(), w.needs(), codec.raw, codec.rawOffset, raw);
    }

    /**
     * A blob from any pack that holds an intact copy (reading the store's index again once if none
     * does).
     */
    private void fetchAnywhere(String hex, byte[] id, List<Need> where) {
      Need first = where.get(0);
      byte[] data;
      try {
        data =
            blobs.read(
                id,
                new Metadata(
                    snapshot.metadata().sourceId(), first.file().relPath, first.blob().size()));
      } catch (StoreException e) {
        if (e.kind() != StoreException.Kind.NOT_FOUND) {
          throw e;
        }
        try {
          data =
              freshSource()
                  .read(
                      id,
                      new Metadata(
                          snapshot.metadata().sourceId(),
                          first.file().relPath,
                          first.blob().size()));
        } catch (StoreException again) {
          if (again.kind() != StoreException.Kind.NOT_FOUND) {
            throw again;
          }
          throw new IntegrityException(
              "file "
                  + Names.safe(first.file().relPath)
                  + " of snapshot "
                  + snapshot.snapshotId()
                  + " cannot be restored: blob "
                  + hex
                  + " at offset "
                  + first.blob().offset()
                  + " is missing from the store ("
                  + again.getMessage()
                  + "); the target was left as it was");
        } catch (IntegrityException bad) {
          throw corrupt(first, hex, bad.getMessage());
        }
      } catch (IntegrityException e) {
        throw corrupt(first, hex, e.getMessage());
      }
      downloaded.addAndGet(data.length);
      progress.transferred(data.length);
      deliver(hex, where, data, 0, data.length);
    }

    private BlobSource fresh;

    /**
     * The store's index read again (a collector may have repacked blobs since this restore
     * started).
     */
    private synchronized BlobSource freshSource() {
      if (fresh == null) {
        fresh = new BlobSource(repo, BlobIndex.load(repo));
      }
      return fresh;
    }

    private IntegrityException corrupt(Need first, String hex, String why) {
      return new IntegrityException(
          "file "
              + Names.safe(first.file().relPath)
              + " of snapshot "
              + snapshot.snapshotId()
              + " cannot be restored: blob "
              + hex
              + " at offset "
              + first.blob().offset()
              + " does not match its checksum ("
              + why
              + "); the target was left as it was");
    }

    /** Format 1: each blob is an object of its own. */
    private void fetchV1(String hex, List<Need> where) {
      Need first = where.get(0);
      int size = (int) first.blob().size();
      byte[] buf = buffers.get();
      if (buf.length < size) {
        buf = new byte[size];
        buffers.set(buf);
      }
      String key = StoreLayout.blobKey(hex);
      int got;
      try {
        got =
            store.getInto(
                key, buf, new Metadata(snapshot.metadata().sourceId(), first.file().relPath, size));
      } catch (StoreException e) {
        if (e.kind() == StoreException.Kind.NOT_FOUND) {
          throw new IntegrityException(
              "file "
                  + Names.safe(first.file().relPath)
                  + " of snapshot "
                  + snapshot.snapshotId()
                  + " cannot be restored: blob "
                  + hex
                  + " at offset "
                  + first.blob().offset()
                  + " is missing from the store (the"
                  + " object "
                  + key
                  + "); the target was left as it was");
        }
        throw e;
      }
      if (got != size || !Hashing.hex(Hashing.sha256(buf, 0, got)).equals(hex)) {
        throw new IntegrityException(
            "file "
                + Names.safe(first.file().relPath)
                + " of snapshot "
                + snapshot.snapshotId()
                + " cannot be restored: blob "
                + hex
                + " at offset "
                + first.blob().offset()
                + " does not match its checksum (the store object "
                + key
                + " is corrupt); the target was left as it was");
      }
      downloaded.addAndGet(size);
      progress.transferred(size);
      deliver(hex, where, buf, 0, size);
    }

    /**
     * A blob this restore wrote already (an earlier batch) or that a local file may hold (sync
     * mode): read from there and checked against its id; fetched when that fails.
     */
    private void copyOrFetch(String hex, byte[] id, List<Need> where, long seq, long offset) {
      int size = (int) where.get(0).blob().size();
      byte[] buf = buffers.get();
      if (buf.length < size) {
        buf = new byte[size];
        buffers.set(buf);
      }
      boolean ok = false;
      if (seq >= 0) {
        ok = readStaged((int) seq, offset, buf, size) && Arrays.equals(idOf(buf, 0, size), id);
      }
      if (!ok) {
        for (Need n : where) {
          if (n.localCopy() != null
              && readLocal(n.localCopy(), n.blob(), buf)
              && Arrays.equals(idOf(buf, 0, size), id)) {
            ok = true;
            reused.addAndGet(size);
            progress.reused(size);
            break;
          }
        }
      }
      if (ok) {
        deliver(hex, where, buf, 0, size);
        return;
      }
      if (snapshot.formatVersion() == 1) {
        fetchV1(hex, where);
      } else {
        fetchAnywhere(hex, id, where);
      }
    }

    private boolean readStaged(int seq, long offset, byte[] buf, int size) {
      try (FileHandle h = staging.openRead(Integer.toString(seq))) {
        return ChunkIO.read(h.channel(), offset, buf, size);
      } catch (IOException e) {
        return false;
      }
    }

    private boolean readLocal(String relPath, FileBlob blob, byte[] buf) {
      List<DirHandle> opened = new ArrayList<>();
      try {
        String[] parts = relPath.split("/");
        DirHandle dir = root;
        for (int i = 0; i < parts.length - 1; i++) {
          dir = dir.openDir(parts[i]);
          opened.add(dir);
        }
        try (FileHandle h = dir.openRead(parts[parts.length - 1])) {
          return h.stat().isFile()
              && ChunkIO.read(h.channel(), blob.offset(), buf, (int) blob.size());
        }
      } catch (IOException e) {
        return false; // the local copy is only a shortcut; download instead
      } finally {
        opened.forEach(DirHandle::close);
      }
    }

    /** Writes a verified blob wherever the batch needs it. */
    private void deliver(String hex, List<Need> where, byte[] data, int off, int len) {
      boolean first = true;
      for (Need n : where) {
        StagedFile sf = n.file();
        try {
          FileHandle h = handle(sf);
          if (len <= SMALL_WRITE) {
            h.pwrite(data, off, len, n.blob().offset());
          } else {
            ChunkIO.write(h.channel(), n.blob().offset(), data, off, len);
          }
        } catch (IOException e) {
          throw new UncheckedIOException(
              "cannot write "
                  + Names.safe(sf.relPath)
                  + " into the staging directory: "
                  + e.getMessage(),
              e);
        }
        if (first) {
          synchronized (written) {
            written.putIfAbsent(LongSet.prefix(Hashing.unhex(hex)), sf.seq, n.blob().offset());
          }
          first = false;
        }
        progress.bytesDone(len);
        done(sf);
      }
    }

    private void done(StagedFile sf) {
      if (sf.remaining.decrementAndGet() == 0) {
        finish(sf);
      }
    }

    private FileHandle handle(StagedFile sf) throws IOException {
      synchronized (sf) {
        if (sf.handle == null) {
          sf.handle = staging.createNew(sf.stagedName());
          open.add(sf);
        }
        return sf.handle;
      }
    }

    /** The file's bytes are all there: size (trailing holes), owner, mode, attributes, mtime. */
    private void finish(StagedFile sf) {
      FileMetadata m = sf.file.metadata();
      try {
        FileHandle h = handle(sf);
        if (sf.holes || sf.file.blobs().isEmpty()) {
          h.truncate(m.size());
        }
        // A staged file is new: it belongs to this process, with mode 0600 and no attributes (the
        // staging directory has
        // no default ACL). Only what differs is set.
        boolean chowned = chown && (m.uid() != EUID || m.gid() != stagingGid);
        if (chowned) {
          chown(h::chown, m, sf.relPath);
        }
        // After the chown, which clears setuid and setgid.
        if (chowned || m.mode() != 0600) {
          h.chmod(m.mode());
        }
        if (sf.file.xattrs() != null) {
          h.setXattrs(sf.file.xattrs());
        }
        h.setMtime(m.mtimeNanos());
        closeQuietly(sf);
      } catch (IOException e) {
        closeQuietly(sf);
        throw new UncheckedIOException(
            "cannot finish "
                + Names.safe(sf.relPath)
                + " in the staging directory: "
                + e.getMessage(),
            e);
      }
      progress.fileDone();
    }

    private interface Chown {
      void apply(int uid, int gid) throws IOException;
    }

    private void chown(Chown c, FileMetadata m, String relPath) throws IOException {
      try {
        c.apply(m.uid(), m.gid());
      } catch (PosixException e) {
        if (e.errno() != Posix.EPERM) {
          throw e;
        }
        if (chownWarned.compareAndSet(false, true)) {
          LOG.warn(
              "owners are not restored: changing the owner of {} is not permitted ({})",
              Names.safe(relPath),
              e.getMessage());
        }
      }
    }

    // ---- the commit
    // -----------------------------------------------------------------------------------------------

    int commitSeq;

    void commit() throws IOException {
      try (TreeReader r = tree()) {
        TreeEntry.Dir self = r.root();
        commitDir(r, root, "", self, false);
      }
      if (!links.isEmpty()) {
        makeLinks();
      }
    }

    /**
     * Moves staged files into place and makes the tree match the snapshot, top-down, through
     * directory handles.
     */
    private void commitDir(
        TreeReader r, DirHandle here, String relPath, TreeEntry.Dir self, boolean fresh)
        throws IOException {
      at = relPath.isEmpty() ? "." : relPath;
      Stat st = here.stat();
      if (!Capabilities.overridesPermissions() && (st.mode() & 0300) != 0300) {
        here.chmod((st.mode() & 07777) | 0700); // until its own mode is applied, last
      }
      Set<String> wanted = new HashSet<>();
      for (TreeEntry.File fe : r.files()) {
        FileIndex f = fe.file();
        wanted.add(f.name());
        String rel = join(relPath, f.name());
        at = rel;
        if (!f.isSymlink() && f.hardLink() != null) {
          continue;
        }
        // A directory this commit made holds nothing it did not put there.
        Stat existing = fresh ? null : here.statAtOrNull(f.name());
        if (f.isSymlink()) {
          boolean same =
              existing != null
                  && existing.isSymlink()
                  && f.linkTarget().equals(here.readLink(f.name()));
          if (!same) {
            if (existing != null) {
              here.deleteTree(f.name());
            }
            here.symlink(f.linkTarget(), f.name());
          }
          if (chown) {
            chown((u, g) -> here.chownAt(f.name(), u, g), f.metadata(), rel);
          }
          try {
            here.setMtimeAt(f.name(), f.metadata().mtimeNanos());
          } catch (PosixException e) {
            // Some file systems cannot set a symlink's own times; its target and owner are what
            // matter.
          }
          continue;
        }
        int seq = commitSeq++;
        if (fresh && kept.get(seq)) {
          throw new IOException("the target changed during the restore at " + Names.safe(rel));
        }
        if (kept.get(seq)) {
          long[] seen = keptSeen.get(seq);
          if (existing == null
              || existing.dev() != seen[0]
              || existing.ino() != seen[1]
              || existing.ctimeNanos() != seen[2]) {
            throw new IOException("the target changed during the restore at " + Names.safe(rel));
          }
        } else {
          if (existing != null && existing.isDirectory()) {
            here.deleteTree(f.name());
          }
          staging.rename(Integer.toString(seq), here, f.name());
        }
      }
      while (r.peek() instanceof TreeEntry.Dir d) {
        r.next();
        wanted.add(d.name());
        String rel = join(relPath, d.name());
        at = rel;
        Stat existing = fresh ? null : here.statAtOrNull(d.name());
        if (existing != null && !existing.isDirectory()) {
          here.deleteTree(d.name());
          existing = null;
        }
        if (existing == null) {
          here.mkdir(d.name(), 0700);
        }
        DirHandle sub;
        try {
          sub = here.openDir(d.name());
        } catch (PosixException e) {
          throw new IOException(
              "the target changed during the restore at "
                  + Names.safe(rel)
                  + " ("
                  + e.getMessage()
                  + ")",
              e);
        }
        try (sub) {
          commitDir(r, sub, rel, d, existing == null);
          applyDir(sub, d, rel);
          // Still where it was: a directory moved away meanwhile would hold files outside the
          // target.
          if (!sub.stat().sameFile(here.statAtOrNull(d.name()))) {
            throw new IOException(
                "the target changed during the restore at "
                    + Names.safe(rel)
                    + " (the directory was moved)");
          }
        }
      }
      if (!(r.next() instanceof TreeEntry.End)) {
        throw new IOException(
            "the snapshot's tree is out of step at "
                + (relPath.isEmpty() ? "." : Names.safe(relPath)));
      }
      if (options.mode() == RestoreMode.SYNC) {
        for (String name : here.list()) {
          if (!wanted.contains(name) && !(relPath.isEmpty() && name.equals(stagingName))) {
            at = join(relPath, name);
            if (options.selection() == null) {
              here.deleteTree(name);
            } else {
              removeSelected(here, join(relPath, name), name);
            }
          }
        }
      }
      if (relPath.isEmpty()) {
        discardStaging(); // before the root's mtime is set, which removing it would change
        applyDir(here, self, ".");
      }
    }

    /**
     * Sync mode with a selection: removes what the snapshot lacks only where the selection reaches.
     * A directory is entered (it may hold selected paths among others) and removed only when it is
     * selected and ends up empty.
     */
    private void removeSelected(DirHandle dir, String rel, String name) throws IOException {
      Stat st = dir.statAtOrNull(name);
      if (st == null) {
        return;
      }
      boolean selected = options.selection().selects(rel);
      if (!st.isDirectory()) {
        if (selected) {
          dir.deleteTree(name);
        }
        return;
      }
      try (DirHandle sub = dir.openDir(name)) {
        for (String child : sub.list()) {
          at = join(rel, child);
          removeSelected(sub, join(rel, child), child);
        }
        if (!selected || !sub.list().isEmpty()) {
          return;
        }
      }
      at = rel;
      dir.deleteTree(name);
    }

    /** A directory's own metadata, after everything inside it is done. */
    private void applyDir(DirHandle d, TreeEntry.Dir dir, String rel) throws IOException {
      FileMetadata m = dir.metadata();
      if (chown) {
        chown(d::chown, m, rel);
      }
      // The target itself (and a directory it already had) may belong to someone else: a non-root
      // runner restoring
      // into a new volume whose root is root's. Its data is restored; its mode and times are not
      // ours to set.
      notOwned(() -> d.chmod(m.mode()), rel);
      notOwned(() -> d.setXattrs(dir.xattrs()), rel);
      notOwned(() -> d.setMtime(m.mtimeNanos()), rel);
    }

    private interface DirChange {
      void apply() throws IOException;
    }

    private void notOwned(DirChange change, String rel) throws IOException {
      try {
        change.apply();
      } catch (PosixException e) {
        if (e.errno() != Posix.EPERM) {
          throw e;
        }
        if (dirMetadataWarned.compareAndSet(false, true)) {
          LOG.warn(
              "the mode and times of {} are not restored: it belongs to another user ({})",
              Names.safe(rel),
              e.getMessage());
        }
      }
    }

    /**
     * Hard links of the snapshot, once every regular file is in place; their directories' metadata
     * is set again.
     */
    private void makeLinks() throws IOException {
      Map<String, TreeEntry.Dir> touched = new LinkedHashMap<>();
      for (Link l : links) {
        at = join(l.dirRel(), l.name());
        try (DirHandle dir = walk(l.dirRel());
            DirHandle from = walk(parent(l.targetRel()))) {
          if (dir.statAtOrNull(l.name()) != null) {
            dir.deleteTree(l.name());
          }
          dir.link(from, baseName(l.targetRel()), l.name());
        }
        touched.putIfAbsent(l.dirRel(), l.dir());
      }
      for (Map.Entry<String, TreeEntry.Dir> e : touched.entrySet()) {
        try (DirHandle dir = walk(e.getKey())) {
          applyDir(dir, e.getValue(), e.getKey().isEmpty() ? "." : e.getKey());
        }
      }
    }

    /**
     * Opens a directory of the target by its path from the root, one handle at a time, following no
     * symlink.
     */
    private DirHandle walk(String relPath) throws IOException {
      DirHandle dir = root.retain();
      if (relPath.isEmpty()) {
        return dir;
      }
      for (String part : relPath.split("/")) {
        DirHandle next;
        try {
          next = dir.openDir(part);
        } finally {
          dir.close();
        }
        dir = next;
      }
      return dir;
    }

    void discardStaging() {
      if (staging == null) {
        return;
      }
      try {
        staging.close();
        staging = null;
        root.deleteTree(stagingName);
      } catch (IOException e) {
        LOG.warn(
            "could not remove the staging directory {}: {}", root.child(stagingName), e.toString());
      }
    }

    void resetMtime(Stat before) {
      try {
        root.setMtime(before.mtimeNanos());
      } catch (IOException e) {
        LOG.warn("could not reset the mtime of {}: {}", target, e.toString());
      }
    }
  }

  private static String parent(String relPath) {
    int slash = relPath.lastIndexOf('/');
    return slash < 0 ? "" : relPath.substring(0, slash);
  }

  private static String baseName(String relPath) {
    return relPath.substring(relPath.lastIndexOf('/') + 1);
  }

  private static String join(String parent, String name) {
    return parent.isEmpty() ? name : parent + "/" + name;
  }
}
