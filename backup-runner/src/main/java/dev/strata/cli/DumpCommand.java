package dev.strata.cli;

import dev.strata.engine.BlobSource;
import dev.strata.engine.Names;
import dev.strata.engine.Snapshot;
import dev.strata.engine.SnapshotCatalog;
import dev.strata.engine.SnapshotFiles;
import dev.strata.engine.SnapshotNotFoundException;
import dev.strata.engine.SnapshotTar;
import dev.strata.engine.format.Repository;
import dev.strata.engine.index.FileIndex;
import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.tree.TreeEntry;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "dump",
    description = {
      "Write one file of a snapshot byte for byte, or a directory (all of the snapshot without PATH, or with /) as a tar"
          + " archive, to standard output or --output FILE.",
      "Every blob is checked against its id before it is written. The tar (POSIX pax) holds names, modes, owners as"
          + " numbers, modification times to the nanosecond, symlinks as they are and hard links, named by their path in"
          + " the snapshot; extended attributes are left out. A symlink is refused, a hard link is followed."
    })
final class DumpCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin StoreOptions storeOptions;

  @Parameters(
      index = "0",
      paramLabel = "SNAPSHOT",
      description = "An id, a unique prefix of one, or latest.")
  String snapshotId;

  @Parameters(
      index = "1",
      arity = "0..1",
      paramLabel = "PATH",
      description =
          "A file, like data/000042.sst, or a directory, like data, in the snapshot (default: all of it, as a tar).")
  String file;

  @Option(
      names = "--source-id",
      paramLabel = "ID",
      description =
          "With latest: the source whose newest snapshot to read; with an id or a prefix, the source the snapshot must be of.")
  String sourceId;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description =
          "Write to FILE instead of standard output: it appears, whole, only when the dump succeeds (it is"
              + " written beside it under another name first, then renamed).")
  Path output;

  @Override
  public Integer call() {
    String wanted = TreeWalk.normalize(file);
    if (output != null && Files.isDirectory(output)) {
      throw new UsageException(
          "--output "
              + output
              + " is a directory: name the file to write, like "
              + output.resolve("dump.tar"));
    }
    Path parent = output == null ? null : output.toAbsolutePath().normalize().getParent();
    if (parent != null && !Files.isDirectory(parent)) {
      throw new UsageException(
          "--output " + output + ": the directory " + parent + " does not exist");
    }
    try (BlobStoreManager store = storeOptions.open()) {
      store.checkAccess();
      Repository repo = storeOptions.repository(store);
      SnapshotCatalog catalog = new SnapshotCatalog(repo);
      String id = Snapshots.resolve(catalog, snapshotId, sourceId);
      Snapshot s = catalog.load(id);
      TreeEntry hit = find(repo, s, id, wanted);
      if (hit instanceof TreeEntry.File fe && fe.file().isSymlink()) {
        throw new UsageException(
            Names.safe(wanted)
                + " is a symlink to "
                + Names.safe(fe.file().linkTarget())
                + ": dump the file it points to");
      }
      if (hit instanceof TreeEntry.Dir
          && output == null
          && ((StrataCli) spec.root().userObject()).rawIsTerminal()) {
        throw new UsageException(
            "standard output is a terminal and "
                + (wanted.isEmpty() ? "the snapshot" : Names.safe(wanted))
                + " is a directory, written as a tar archive: redirect it (> dump.tar), pipe it (| tar -t) or use --output FILE");
      }
      write(
          out -> {
            if (hit instanceof TreeEntry.Dir) {
              tar(repo, s, wanted, out);
            } else {
              new SnapshotFiles(repo)
                  .copy(s, content(repo, s, id, wanted, (TreeEntry.File) hit), wanted, out);
            }
          });
    }
    return 0;
  }

  /**
   * The entry at {@code wanted} ("" is the root), or a SnapshotNotFoundException that says how to
   * look.
   */
  private static TreeEntry find(Repository repo, Snapshot s, String id, String wanted) {
    TreeEntry[] hit = new TreeEntry[1];
    TreeWalk.walk(
        new BlobSource(repo, null).tree(s),
        (p, e) -> {
          if (p.equals(wanted)) {
            hit[0] = e;
            return false;
          }
          return true;
        });
    if (hit[0] == null) {
      throw new SnapshotNotFoundException(
          "snapshot " + id + " has no " + Names.safe(wanted) + " (see `strata ls " + id + "`)");
    }
    return hit[0];
  }

  /**
   * The file whose blobs hold a regular file's content: itself, or for a hard link the earlier name
   * it links to.
   */
  private static FileIndex content(
      Repository repo, Snapshot s, String id, String wanted, TreeEntry.File hit) {
    FileIndex f = hit.file();
    if (f.hardLink() == null) {
      return f;
    }
    Map<String, TreeEntry> seen = new HashMap<>();
    TreeWalk.walk(
        new BlobSource(repo, null).tree(s),
        (p, e) -> {
          if (p.equals(f.hardLink())) {
            seen.put(p, e);
            return false;
          }
          return true;
        });
    if (!(seen.get(f.hardLink()) instanceof TreeEntry.File first) || first.file().isSymlink()) {
      throw new dev.strata.engine.IntegrityException(
          "hard link "
              + Names.safe(wanted)
              + " names "
              + Names.safe(f.hardLink())
              + ", which snapshot "
              + id
              + " does not hold before it");
    }
    return first.file();
  }

  /**
   * Everything under {@code wanted} (the directory itself too, unless it is the root), in tree
   * order.
   */
  private static void tar(Repository repo, Snapshot s, String wanted, OutputStream out) {
    SnapshotTar tar = new SnapshotTar(repo, s, out);
    String under = wanted + "/";
    TreeWalk.walk(
        new BlobSource(repo, null).tree(s),
        (p, e) -> {
          if (wanted.isEmpty() ? !p.isEmpty() : p.equals(wanted) || p.startsWith(under)) {
            tar.add(p, e);
          }
          return true;
        });
    tar.finish();
  }

  private interface Body {
    void writeTo(OutputStream out);
  }

  /**
   * Standard output, or {@code --output}: a file beside it that is renamed over it once everything
   * is written and flushed, and removed when anything fails, so that a failed dump never leaves a
   * partial file behind.
   */
  private static final String PARTIAL_MARK = ".strata-partial-";

  /**
   * Removes the partial files of dumps to the same file whose process is gone (killed before it
   * could remove its own); a running one's is left alone.
   */
  private static void removeDeadPartials(Path dir, String prefix) {
    try (java.nio.file.DirectoryStream<Path> s =
        Files.newDirectoryStream(dir, p -> p.getFileName().toString().startsWith(prefix))) {
      for (Path p : s) {
        String pid = p.getFileName().toString().substring(prefix.length());
        if (pid.matches("[0-9]{1,18}")
            && ProcessHandle.of(Long.parseLong(pid)).isEmpty()
            && Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          Files.deleteIfExists(p);
        }
      }
    } catch (IOException e) {
      // best effort: the dump itself reports what matters
    }
  }

  private void write(Body body) {
    if (output == null) {
      OutputStream out =
          new BufferedOutputStream(((StrataCli) spec.root().userObject()).raw(), 1 << 16);
      body.writeTo(out);
      flush(out, "standard output");
      return;
    }
    Path target = output.toAbsolutePath().normalize();
    String partialPrefix = "." + target.getFileName() + PARTIAL_MARK;
    removeDeadPartials(target.getParent(), partialPrefix);
    Path partial = target.resolveSibling(partialPrefix + ProcessHandle.current().pid());
    boolean done = false;
    try {
      try (OutputStream out =
          new BufferedOutputStream(
              Files.newOutputStream(
                  partial, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
              1 << 16)) {
        body.writeTo(out);
      }
      try (java.nio.channels.FileChannel ch =
          java.nio.channels.FileChannel.open(partial, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      Files.move(
          partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      done = true;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot write " + target + ": " + dev.strata.engine.Names.reason(e, true), e);
    } finally {
      if (!done) {
        try {
          Files.deleteIfExists(partial);
        } catch (IOException ignored) {
          // the failure that got us here is the one to report
        }
      }
    }
  }

  private static void flush(OutputStream out, String where) {
    try {
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write to " + where + ": " + e.getMessage(), e);
    }
  }
}
