package dev.strata.engine;

import dev.strata.engine.fs.Capabilities;
import dev.strata.engine.fs.DirHandle;
import dev.strata.engine.fs.FileHandle;
import dev.strata.engine.fs.Posix;
import dev.strata.engine.fs.PosixException;
import dev.strata.engine.fs.Stat;
import dev.strata.engine.fs.Xattrs;
import dev.strata.engine.index.DirIndex;
import dev.strata.engine.index.FileBlob;
import dev.strata.engine.index.FileIndex;
import dev.strata.engine.index.FileMetadata;
import dev.strata.engine.index.IndexValidator;
import dev.strata.engine.index.SnapshotIndex;
import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.Metadata;
import dev.strata.engine.store.StoreLayout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * Restores a snapshot into a target directory in two phases. Staging: every file that must be written is assembled in a
 * staging directory inside the target from verified blobs (each unique blob fetched once, or in sync mode taken from the
 * local copy where its bytes already match; all-zero chunks left as holes); nothing else in the target changes, so a
 * failure leaves the target as it was. Commit: staged files are renamed into place, symlinks, hard links and
 * directories made, metadata applied, and in sync mode what the snapshot lacks is removed; restored files and
 * directories are fsynced before the restore reports done.
 *
 * <p>Every step works through directory handles (openat, renameat, mkdirat... with O_NOFOLLOW), never by resolving a
 * path string again: no symlink is followed at any depth, so nothing is written outside the directories that were
 * inside the target when the restore opened them, whatever races with it. The index is validated first.
 */
public final class RestoreEngine {

  private static final Logger LOG = LoggerFactory.getLogger(RestoreEngine.class);
  static final String STAGING_PREFIX = ".strata-staging-";

  private final BlobStoreManager store;
  private final RestoreOptions options;
  private final Progress progress;

  public RestoreEngine(BlobStoreManager store, RestoreOptions options, Progress progress) {
    this.store = store;
    this.options = options;
    this.progress = progress;
  }

  public RestoreResult restore(SnapshotIndex index, Path target) {
    long start = System.nanoTime();
    IndexValidator.validate(index);
    try (DirHandle root = prepareTarget(target)) {
      Run run = new Run(index, root, target);
      Stat rootBefore = stat(root);
      try {
        run.stage();
      } catch (RuntimeException e) {
        run.discardStaging();
        run.resetMtime(rootBefore); // creating the staging directory touched it
        throw e;
      }
      try {
        run.commit();
      } catch (IOException | RuntimeException e) {
        run.discardStaging();
        throw new RestoreCommitException(
            "restore of snapshot " + index.snapshotId() + " into " + target + " failed while moving files into place"
                + (run.at == null ? "" : " (at " + Names.safe(run.at) + ")") + ": " + Names.safe(e.getMessage())
                + ". The target is partly restored: entries the commit reached are the snapshot's, the others are as they"
                + " were; the staging directory was removed. Run the restore again with --mode sync to finish it",
            e);
      }
      progress.done();
      long ms = (System.nanoTime() - start) / 1_000_000;
      LOG.info(
          "restored snapshot {} into {}: {} files, {} bytes, {} downloaded, {} reused, in {} ms",
          index.snapshotId(), target, run.files.get(), run.totalBytes.get(), run.downloaded.get(), run.reused.get(), ms);
      return new RestoreResult(index.snapshotId(), run.files.get(), run.totalBytes.get(), run.downloaded.get(), run.reused.get(), ms);
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
   * Opens the target (created if missing). Mode empty refuses anything in it, a staging directory left by a restore
   * that was killed included: that it is Strata's cannot be proven, so it is content like any other.
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
          throw new IllegalArgumentException("the restore target " + target + " is not a directory: check --target");
        }
        throw e;
      }
      List<String> present = root.list();
      if (options.mode() == RestoreMode.EMPTY && !present.isEmpty()) {
        root.close();
        present.sort(null);
        String leftover = present.stream().filter(n -> n.startsWith(STAGING_PREFIX)).findFirst().orElse(null);
        throw new TargetNotEmptyException(
            "the restore target " + target + " is not empty (it holds " + present.size() + " entries, e.g. '"
                + Names.safe(leftover != null ? leftover : present.get(0)) + "'"
                + (leftover != null ? ", which looks left by a restore that was killed; remove it if it is" : "")
                + "): restore into an empty directory, or choose --mode overwrite or --mode sync");
      }
      return root;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the restore target " + target + ": " + e.getMessage(), e);
    }
  }

  /** A file whose bytes are being assembled in the staging directory, through one handle for all its blobs. */
  private static final class StagedFile {
    final FileIndex file;
    final String relPath;
    final String stagedName;
    final AtomicInteger remaining;
    FileHandle handle;

    StagedFile(FileIndex file, String relPath, String stagedName, int blobs) {
      this.file = file;
      this.relPath = relPath;
      this.stagedName = stagedName;
      this.remaining = new AtomicInteger(blobs);
    }
  }

  /** One place a blob is needed: a staged file and the offset in it; {@code localCopy} is a sync-mode shortcut. */
  private record Need(StagedFile file, FileBlob blob, String localCopy) {}

  /** A file the target already holds with the snapshot's bytes and metadata (sync mode), as it was seen then. */
  private record Kept(Stat seen) {}

  /** A hard link to make once every regular file is in place. */
  private record Link(String dirRel, String name, String targetRel, DirIndex dir) {}

  private final class Run {
    final SnapshotIndex index;
    final DirHandle root;
    final Path target;
    final String stagingName = STAGING_PREFIX + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
    DirHandle staging;
    final Map<String, StagedFile> staged = new HashMap<>();
    final Map<String, Kept> kept = new HashMap<>();
    final Map<String, List<Need>> needs = new LinkedHashMap<>();
    final List<Link> links = new ArrayList<>();
    final AtomicLong files = new AtomicLong();
    final AtomicLong totalBytes = new AtomicLong();
    final AtomicLong downloaded = new AtomicLong();
    final AtomicLong reused = new AtomicLong();
    final ThreadLocal<byte[]> buffers;
    final Map<Long, String> zeroIds = new ConcurrentHashMap<>();
    final boolean chown = Capabilities.canChown();
    final AtomicBoolean chownWarned = new AtomicBoolean();
    /** Where the commit is, for the message when it fails. */
    volatile String at;
    int stagedCount;

    Run(SnapshotIndex index, DirHandle root, Path target) {
      this.index = index;
      this.root = root;
      this.target = target;
      this.buffers = ThreadLocal.withInitial(() -> new byte[index.chunkSize()]);
    }

    void stage() {
      try {
        root.mkdir(stagingName, 0700);
        staging = root.openDir(stagingName);
        // Files made here would inherit the target's default ACL: they get exactly the snapshot's instead.
        Posix.fremovexattr(staging.fd(), Xattrs.ACL_DEFAULT, staging.display());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create a staging directory in " + target + ": " + e.getMessage(), e);
      }
      plan(index.root(), root, "");
      progress.totalsKnown();
      List<CompletableFuture<Void>> work = new ArrayList<>();
      try (Workers workers = new Workers("strata-restore", options.parallelism())) {
        for (Map.Entry<String, List<Need>> e : needs.entrySet()) {
          work.add(workers.submit(() -> stageBlob(e.getKey(), e.getValue())));
        }
        needs.clear();
        for (CompletableFuture<Void> f : work) {
          try {
            f.join();
          } catch (RuntimeException e) {
            workers.failIfFailed();
            throw e;
          }
        }
        workers.failIfFailed();
      } finally {
        staged.values().forEach(this::closeQuietly);
      }
    }

    /** Plans one directory; {@code local} is the target's real directory at this path, or null. */
    private void plan(DirIndex dir, DirHandle local, String relPath) {
      for (FileIndex f : dir.filesPresent()) {
        if (f.isSymlink()) {
          continue;
        }
        String rel = join(relPath, f.name());
        if (f.hardLink() != null) {
          links.add(new Link(relPath, f.name(), f.hardLink(), dir));
          continue;
        }
        long size = f.metadata().size();
        files.incrementAndGet();
        totalBytes.addAndGet(size);
        progress.addTotal(1, size);
        Stat existing = local == null ? null : statOrNull(local, f.name());
        boolean localRegular = existing != null && existing.isFile();
        if (options.mode() == RestoreMode.SYNC && localRegular && !options.fullCheck() && unchanged(local, f, existing)) {
          kept.put(rel, new Kept(existing));
          reused.addAndGet(size);
          progress.reused(size);
          progress.bytesDone(size);
          progress.fileDone();
          continue;
        }
        StagedFile sf = new StagedFile(f, rel, Integer.toString(stagedCount++), f.blobs().size());
        staged.put(rel, sf);
        if (f.blobs().isEmpty()) {
          finish(sf);
          continue;
        }
        long reusable = options.mode() == RestoreMode.SYNC && localRegular ? existing.size() : 0;
        for (FileBlob b : f.blobs()) {
          String copy = b.offset() + b.size() <= reusable ? rel : null;
          needs.computeIfAbsent(b.id(), k -> new ArrayList<>()).add(new Need(sf, b, copy));
        }
      }
      for (DirIndex d : dir.subDirsPresent()) {
        DirHandle sub = null;
        if (local != null) {
          try {
            sub = local.openDir(d.name());
          } catch (NoSuchFileException | PosixException notADirectory) {
            sub = null; // missing, or a symlink or file where the snapshot has a directory: replaced at the commit
          } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + Names.safe(join(relPath, d.name())) + " in the target: " + e.getMessage(), e);
          }
        }
        try {
          plan(d, sub, join(relPath, d.name()));
        } finally {
          if (sub != null) {
            sub.close();
          }
        }
      }
    }

    /**
     * A local file that can stay as it is: same size and mtime, and the snapshot's owner, mode and extended attributes
     * already. One with other names (hard links, maybe outside the target) is never changed in place: it is replaced.
     */
    private boolean unchanged(DirHandle local, FileIndex f, Stat existing) {
      FileMetadata m = f.metadata();
      if (existing.size() != m.size() || existing.mtimeNanos() != m.mtimeNanos() || (existing.mode() & 07777) != m.mode()) {
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
        throw new UncheckedIOException("cannot inspect " + dir.child(name) + ": " + e.getMessage(), e);
      }
    }

    /** Fetches a blob once (or reads it from a local copy, or leaves a hole for zeros) and writes it where needed. */
    private Void stageBlob(String id, List<Need> where) {
      long size = where.get(0).blob().size();
      byte[] data = null;
      if (!isZero(id, size)) {
        byte[] buf = buffers.get();
        for (Need n : where) {
          if (n.localCopy() != null && readLocal(n.localCopy(), n.blob(), buf) && Hashing.hex(Hashing.sha256(buf, 0, (int) size)).equals(id)) {
            data = buf;
            reused.addAndGet(size);
            progress.reused(size);
            break;
          }
        }
        if (data == null) {
          // Into the worker's buffer: a new 4 MiB array per blob cost about 1 CPU-s and 100 MB of peak RSS per 2 GB.
          data = buf;
          Need first = where.get(0);
          int got = store.getInto(StoreLayout.blobKey(id), data, new Metadata(index.metadata().sourceId(), first.file().relPath, size));
          if (got != size || !Hashing.hex(Hashing.sha256(data, 0, got)).equals(id)) {
            throw new IntegrityException(
                "file " + Names.safe(first.file().relPath) + " of snapshot " + index.snapshotId() + " cannot be restored: blob " + id
                    + " at offset " + first.blob().offset() + " does not match its checksum (the store object "
                    + StoreLayout.blobKey(id) + " is corrupt); the target was left as it was");
          }
          downloaded.addAndGet(size);
          progress.transferred(size);
        }
      }
      for (Need n : where) {
        StagedFile sf = n.file();
        if (data != null) {
          try {
            ChunkIO.write(handle(sf).channel(), n.blob().offset(), data, (int) size);
          } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + Names.safe(sf.relPath) + " into the staging directory: " + e.getMessage(), e);
          }
        }
        progress.bytesDone(size);
        if (sf.remaining.decrementAndGet() == 0) {
          finish(sf);
        }
      }
      return null;
    }

    private boolean isZero(String id, long size) {
      String zero = zeroIds.computeIfAbsent(size, s -> Hashing.hex(Hashing.sha256(new byte[(int) (long) s])));
      return zero.equals(id);
    }

    private FileHandle handle(StagedFile sf) throws IOException {
      synchronized (sf) {
        if (sf.handle == null) {
          sf.handle = staging.createNew(sf.stagedName);
        }
        return sf.handle;
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
          return h.stat().isFile() && ChunkIO.read(h.channel(), blob.offset(), buf, (int) blob.size());
        }
      } catch (IOException e) {
        return false; // the local copy is only a shortcut; download instead
      } finally {
        opened.forEach(DirHandle::close);
      }
    }

    /** The file's bytes are all there: size (trailing holes), owner, mode, attributes, mtime, then it is fsynced. */
    private void finish(StagedFile sf) {
      FileMetadata m = sf.file.metadata();
      try {
        FileHandle h = handle(sf);
        h.truncate(m.size());
        if (chown) {
          chown(h::chown, m, sf.relPath);
        }
        // After the chown, which clears setuid and setgid.
        h.chmod(m.mode());
        h.setXattrs(sf.file.xattrs());
        h.setMtime(m.mtimeNanos());
        if (options.fsync()) {
          h.fsync();
        }
        synchronized (sf) {
          sf.handle = null;
        }
        h.close();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot finish " + Names.safe(sf.relPath) + " in the staging directory: " + e.getMessage(), e);
      }
      progress.fileDone();
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
          LOG.warn("owners are not restored: changing the owner of {} is not permitted ({})", Names.safe(relPath), e.getMessage());
        }
      }
    }

    void commit() throws IOException {
      commitDir(index.root(), root, "");
      if (!links.isEmpty()) {
        makeLinks();
      }
      applyDir(root, index.root(), ".");
    }

    /** Moves staged files into place and makes the tree match the index, top-down, through directory handles. */
    private void commitDir(DirIndex dir, DirHandle here, String relPath) throws IOException {
      at = relPath.isEmpty() ? "." : relPath;
      Stat self = here.stat();
      if (!Capabilities.overridesPermissions() && (self.mode() & 0300) != 0300) {
        here.chmod((self.mode() & 07777) | 0700); // until its own mode is applied, last
      }
      Set<String> wanted = new HashSet<>();
      for (FileIndex f : dir.filesPresent()) {
        wanted.add(f.name());
        String rel = join(relPath, f.name());
        at = rel;
        if (f.hardLink() != null) {
          continue;
        }
        Stat existing = here.statAtOrNull(f.name());
        if (f.isSymlink()) {
          boolean same = existing != null && existing.isSymlink() && f.linkTarget().equals(here.readLink(f.name()));
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
            // Some file systems cannot set a symlink's own times; its target and owner are what matter.
          }
        } else if (kept.containsKey(rel)) {
          if (existing == null || !existing.sameVersion(kept.get(rel).seen())) {
            throw new IOException("the target changed during the restore at " + Names.safe(rel));
          }
        } else {
          if (existing != null && existing.isDirectory()) {
            here.deleteTree(f.name());
          }
          staging.rename(staged.get(rel).stagedName, here, f.name());
        }
      }
      for (DirIndex d : dir.subDirsPresent()) {
        wanted.add(d.name());
        String rel = join(relPath, d.name());
        at = rel;
        Stat existing = here.statAtOrNull(d.name());
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
          throw new IOException("the target changed during the restore at " + Names.safe(rel) + " (" + e.getMessage() + ")", e);
        }
        try (sub) {
          commitDir(d, sub, rel);
          applyDir(sub, d, rel);
          // Still where it was: a directory moved away meanwhile would hold files outside the target.
          if (!sub.stat().sameFile(here.statAtOrNull(d.name()))) {
            throw new IOException("the target changed during the restore at " + Names.safe(rel) + " (the directory was moved)");
          }
        }
      }
      if (options.mode() == RestoreMode.SYNC) {
        for (String name : here.list()) {
          if (!wanted.contains(name) && !(relPath.isEmpty() && name.equals(stagingName))) {
            at = join(relPath, name);
            here.deleteTree(name);
          }
        }
      }
      if (relPath.isEmpty()) {
        discardStaging(); // before the root's mtime is set, which removing it would change
      }
    }

    /** A directory's own metadata, after everything inside it is done, then fsynced. */
    private void applyDir(DirHandle d, DirIndex dir, String rel) throws IOException {
      FileMetadata m = dir.metadata();
      if (chown) {
        chown(d::chown, m, rel);
      }
      d.chmod(m.mode());
      d.setXattrs(dir.xattrs());
      d.setMtime(m.mtimeNanos());
      if (options.fsync()) {
        d.fsync();
      }
    }

    /** Hard links of the snapshot, once every regular file is in place; their directories' mtimes are set again. */
    private void makeLinks() throws IOException {
      Map<String, DirIndex> touched = new LinkedHashMap<>();
      for (Link l : links) {
        at = join(l.dirRel(), l.name());
        try (DirHandle dir = walk(l.dirRel()); DirHandle from = walk(parent(l.targetRel()))) {
          if (dir.statAtOrNull(l.name()) != null) {
            dir.deleteTree(l.name());
          }
          dir.link(from, baseName(l.targetRel()), l.name());
        }
        touched.putIfAbsent(l.dirRel(), l.dir());
      }
      for (Map.Entry<String, DirIndex> e : touched.entrySet()) {
        if (!e.getKey().isEmpty()) {
          try (DirHandle dir = walk(e.getKey())) {
            applyDir(dir, e.getValue(), e.getKey());
          }
        }
      }
    }

    /** Opens a directory of the target by its path from the root, one handle at a time, following no symlink. */
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
        LOG.warn("could not remove the staging directory {}: {}", root.child(stagingName), e.toString());
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
