package dev.strata.engine;

import dev.strata.engine.index.DirIndex;
import dev.strata.engine.index.FileBlob;
import dev.strata.engine.index.FileIndex;
import dev.strata.engine.index.IndexValidator;
import dev.strata.engine.index.SnapshotIndex;
import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.Metadata;
import dev.strata.engine.store.StoreLayout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restores a snapshot into a target directory in two phases. Staging: every file that must be written is assembled in a
 * staging directory inside the target from verified blobs (fetched in parallel, or in sync mode taken from the local
 * copy where its bytes already match); nothing else in the target changes, so a failure leaves the target as it was.
 * Commit: staged files are renamed into place, symlinks and directories are made, metadata applied, and in sync mode
 * what the snapshot lacks is removed. The index is validated first, and no step follows a symlink, so nothing is ever
 * written outside the target.
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
    Path root = prepareTarget(target, index);
    Run run = new Run(index, root);
    LocalEntry rootBefore = statOrNull(root);
    try {
      run.stage();
    } catch (RuntimeException e) {
      run.discardStaging();
      restoreMtime(root, rootBefore); // creating the staging directory touched it
      throw e;
    }
    try {
      run.commitDir(index.root(), root, "", true);
      run.discardStaging();
    } catch (IOException e) {
      throw new UncheckedIOException("restore of " + index.snapshotId() + " failed while moving files into " + root + ": " + e.getMessage(), e);
    }
    progress.done();
    long ms = (System.nanoTime() - start) / 1_000_000;
    LOG.info(
        "restored snapshot {} into {}: {} files, {} bytes, {} downloaded, {} reused, in {} ms",
        index.snapshotId(), root, run.files.get(), run.totalBytes.get(), run.downloaded.get(), run.reused.get(), ms);
    return new RestoreResult(index.snapshotId(), run.files.get(), run.totalBytes.get(), run.downloaded.get(), run.reused.get(), ms);
  }

  private Path prepareTarget(Path target, SnapshotIndex index) {
    try {
      if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !Files.exists(target)) {
        Files.createDirectories(target);
      }
      if (!Files.isDirectory(target)) {
        throw new IllegalArgumentException("the restore target " + target + " is not a directory: check --target");
      }
      Path root = target.toRealPath();
      List<String> present = new ArrayList<>();
      try (DirectoryStream<Path> children = Files.newDirectoryStream(root)) {
        for (Path c : children) {
          String name = c.getFileName().toString();
          if (name.startsWith(STAGING_PREFIX)) {
            LocalFiles.deleteTree(c); // left by a restore that was killed; never part of a snapshot we wrote
          } else {
            present.add(name);
          }
        }
      }
      if (options.mode() == RestoreMode.EMPTY && !present.isEmpty()) {
        present.sort(null);
        throw new TargetNotEmptyException(
            "the restore target "
                + root
                + " is not empty (it holds "
                + present.size()
                + " entries, e.g. '"
                + present.get(0)
                + "'): restore into an empty directory, or choose --mode overwrite or --mode sync");
      }
      return root;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the restore target " + target + ": " + e.getMessage(), e);
    }
  }

  /** A file whose bytes are being assembled in the staging directory. */
  private record StagedFile(FileIndex file, String relPath, Path staged, AtomicInteger remaining) {}

  private final class Run {
    final SnapshotIndex index;
    final Path root;
    final Path staging;
    final Map<String, StagedFile> staged = new HashMap<>();
    final Set<String> kept = new HashSet<>();
    final AtomicLong files = new AtomicLong();
    final AtomicLong totalBytes = new AtomicLong();
    final AtomicLong downloaded = new AtomicLong();
    final AtomicLong reused = new AtomicLong();
    final ThreadLocal<byte[]> localBuffers;
    int stagedCount;

    Run(SnapshotIndex index, Path root) {
      this.index = index;
      this.root = root;
      this.staging = root.resolve(STAGING_PREFIX + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1));
      this.localBuffers = ThreadLocal.withInitial(() -> new byte[index.chunkSize()]);
    }

    void stage() {
      try {
        Files.createDirectory(staging);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create a staging directory in " + root + ": " + e.getMessage(), e);
      }
      List<CompletableFuture<Void>> work = new ArrayList<>();
      try (Workers workers = new Workers("strata-restore", options.parallelism())) {
        stageDir(index.root(), root, "", true, workers, work);
        progress.totalsKnown();
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

    /** Plans one directory; {@code local} is false when the target has no real directory at this path. */
    private void stageDir(DirIndex dir, Path path, String relPath, boolean local, Workers workers, List<CompletableFuture<Void>> work) {
      for (FileIndex f : dir.filesPresent()) {
        if (f.isSymlink()) {
          continue;
        }
        String rel = join(relPath, f.name());
        long size = f.metadata().size();
        files.incrementAndGet();
        totalBytes.addAndGet(size);
        progress.addTotal(1, size);
        Path localFile = local ? path.resolve(f.name()) : null;
        LocalEntry existing = local ? statOrNull(localFile) : null;
        boolean localRegular = existing != null && existing.type() == LocalEntry.Type.FILE;
        if (options.mode() == RestoreMode.SYNC
            && localRegular
            && !options.fullCheck()
            && existing.metadata().size() == size
            && existing.metadata().mtimeNanos() == f.metadata().mtimeNanos()) {
          kept.add(rel);
          reused.addAndGet(size);
          progress.reused(size);
          progress.bytesDone(size);
          progress.fileDone();
          continue;
        }
        Path stagedPath = staging.resolve(Integer.toString(stagedCount++));
        StagedFile sf = new StagedFile(f, rel, stagedPath, new AtomicInteger(f.blobs().size()));
        staged.put(rel, sf);
        if (f.blobs().isEmpty()) {
          try {
            Files.createFile(stagedPath);
          } catch (IOException e) {
            throw new UncheckedIOException("cannot create a staging file in " + staging + ": " + e.getMessage(), e);
          }
          finish(sf);
          continue;
        }
        // A file with content is created by the worker that writes its first blob: on a tree of many small files,
        // creating them all here kept the main thread busy while the workers waited.
        Path reuseFrom = options.mode() == RestoreMode.SYNC && localRegular ? localFile : null;
        long reusable = reuseFrom == null ? 0 : existing.metadata().size();
        for (FileBlob b : f.blobs()) {
          Path source = b.offset() + b.size() <= reusable ? reuseFrom : null;
          work.add(workers.submit(() -> stageBlob(sf, b, source)));
        }
      }
      for (DirIndex d : dir.subDirsPresent()) {
        Path child = local ? path.resolve(d.name()) : null;
        LocalEntry existing = local ? statOrNull(child) : null;
        boolean realDir = existing != null && existing.type() == LocalEntry.Type.DIRECTORY;
        stageDir(d, child == null ? path.resolve(d.name()) : child, join(relPath, d.name()), realDir, workers, work);
      }
    }

    private Void stageBlob(StagedFile sf, FileBlob blob, Path localCopy) {
      byte[] data = null;
      if (localCopy != null) {
        byte[] buf = localBuffers.get();
        if (readLocal(localCopy, blob, buf) && Hashing.hex(Hashing.sha256(buf, 0, (int) blob.size())).equals(blob.id())) {
          data = buf;
          reused.addAndGet(blob.size());
          progress.reused(blob.size());
        }
      }
      if (data == null) {
        // Into the worker's buffer: a new 4 MiB array per blob cost about 1 CPU-s and 100 MB of peak RSS per 2 GB.
        data = localBuffers.get();
        int got = store.getInto(StoreLayout.blobKey(blob.id()), data, new Metadata(index.metadata().sourceId(), sf.relPath(), blob.size()));
        if (got != blob.size() || !Hashing.hex(Hashing.sha256(data, 0, got)).equals(blob.id())) {
          throw new IntegrityException(
              "file "
                  + sf.relPath()
                  + " of snapshot "
                  + index.snapshotId()
                  + " cannot be restored: blob "
                  + blob.id()
                  + " at offset "
                  + blob.offset()
                  + " does not match its checksum (the store object "
                  + StoreLayout.blobKey(blob.id())
                  + " is corrupt); the target was left as it was");
        }
        downloaded.addAndGet(blob.size());
        progress.transferred(blob.size());
      }
      try (FileChannel ch = FileChannel.open(sf.staged(), StandardOpenOption.WRITE, StandardOpenOption.CREATE, LinkOption.NOFOLLOW_LINKS)) {
        ChunkIO.write(ch, blob.offset(), data, (int) blob.size());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write " + sf.relPath() + " into the staging directory: " + e.getMessage(), e);
      }
      progress.bytesDone(blob.size());
      if (sf.remaining().decrementAndGet() == 0) {
        finish(sf);
      }
      return null;
    }

    private boolean readLocal(Path file, FileBlob blob, byte[] buf) {
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
        return ChunkIO.read(ch, blob.offset(), buf, (int) blob.size());
      } catch (IOException e) {
        return false; // the local copy is only a shortcut; download instead
      }
    }

    private void finish(StagedFile sf) {
      try {
        LocalFiles.apply(sf.staged(), sf.file().metadata(), false);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot set the metadata of " + sf.relPath() + ": " + e.getMessage(), e);
      }
      progress.fileDone();
    }

    /** Moves staged files into place and makes the tree match the index, top-down, never following a symlink. */
    void commitDir(DirIndex dir, Path path, String relPath, boolean isRoot) throws IOException {
      LocalEntry self = LocalEntry.stat(path);
      LocalFiles.makeWritable(path, self);
      Set<String> wanted = new HashSet<>();
      for (FileIndex f : dir.filesPresent()) {
        wanted.add(f.name());
        Path child = path.resolve(f.name());
        String rel = join(relPath, f.name());
        LocalEntry existing = statOrNull(child);
        if (f.isSymlink()) {
          boolean same = existing != null
              && existing.type() == LocalEntry.Type.SYMLINK
              && f.linkTarget().equals(existing.linkTarget());
          if (!same) {
            if (existing != null) {
              LocalFiles.deleteTree(child);
            }
            Files.createSymbolicLink(child, Path.of(f.linkTarget()));
          }
          LocalFiles.apply(child, f.metadata(), true);
        } else if (kept.contains(rel)) {
          if (existing == null || existing.type() != LocalEntry.Type.FILE) {
            throw new IOException("the target changed during the restore at " + rel);
          }
          if (!existing.metadata().equals(f.metadata())) {
            LocalFiles.apply(child, f.metadata(), false);
          }
        } else {
          if (existing != null && existing.type() == LocalEntry.Type.DIRECTORY) {
            LocalFiles.deleteTree(child);
          }
          Files.move(staged.get(rel).staged(), child, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
      }
      for (DirIndex d : dir.subDirsPresent()) {
        wanted.add(d.name());
        Path child = path.resolve(d.name());
        LocalEntry existing = statOrNull(child);
        if (existing != null && existing.type() != LocalEntry.Type.DIRECTORY) {
          LocalFiles.deleteTree(child);
          existing = null;
        }
        if (existing == null) {
          try {
            Files.createDirectory(child);
          } catch (FileAlreadyExistsException raced) {
            throw new IOException("the target changed during the restore at " + join(relPath, d.name()), raced);
          }
        }
        commitDir(d, child, join(relPath, d.name()), false);
      }
      if (options.mode() == RestoreMode.SYNC) {
        removeExtras(path, wanted, isRoot);
      }
      if (isRoot) {
        discardStaging(); // before the root's mtime is set, which removing it would change
      }
      LocalFiles.apply(path, dir.metadata(), false);
    }

    private void removeExtras(Path dir, Set<String> wanted, boolean isRoot) throws IOException {
      List<Path> extras = new ArrayList<>();
      try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
        for (Path c : children) {
          String name = c.getFileName().toString();
          if (!wanted.contains(name) && !(isRoot && c.equals(staging))) {
            extras.add(c);
          }
        }
      }
      for (Path extra : extras) {
        LocalFiles.deleteTree(extra);
      }
    }

    void discardStaging() {
      try {
        LocalFiles.deleteTree(staging);
      } catch (IOException e) {
        LOG.warn("could not remove the staging directory {}: {}", staging, e.toString());
      }
    }
  }

  private static void restoreMtime(Path dir, LocalEntry before) {
    try {
      Files.setLastModifiedTime(dir, LocalEntry.fromNanos(before.metadata().mtimeNanos()));
    } catch (IOException e) {
      LOG.warn("could not reset the mtime of {}: {}", dir, e.toString());
    }
  }

  private static LocalEntry statOrNull(Path p) {
    try {
      return LocalEntry.stat(p);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot inspect " + p + ": " + e.getMessage(), e);
    }
  }

  private static String join(String parent, String name) {
    return parent.isEmpty() ? name : parent + "/" + name;
  }

}
