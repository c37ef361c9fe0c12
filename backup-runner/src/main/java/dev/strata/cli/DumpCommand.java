package dev.strata.cli;

import dev.strata.engine.BlobSource;
import dev.strata.engine.Names;
import dev.strata.engine.Snapshot;
import dev.strata.engine.SnapshotCatalog;
import dev.strata.engine.SnapshotFiles;
import dev.strata.engine.SnapshotNotFoundException;
import dev.strata.engine.format.Repository;
import dev.strata.engine.index.FileIndex;
import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.tree.TreeEntry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
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
      "Print one file of a snapshot to standard output, byte for byte.",
      "Every blob is checked against its id before it is written; a symlink or directory is refused, a hard link is"
          + " followed. To get several files, restore them with --include."
    })
final class DumpCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin StoreOptions storeOptions;

  @Parameters(index = "0", paramLabel = "SNAPSHOT", description = "An id, a unique prefix of one, or latest.")
  String snapshotId;

  @Parameters(index = "1", paramLabel = "FILE", description = "The file's path in the snapshot, like data/000042.sst.")
  String file;

  @Option(names = "--source-id", paramLabel = "ID", description = "With latest: the source whose newest snapshot to read.")
  String sourceId;

  @Override
  public Integer call() {
    String wanted = TreeWalk.normalize(file);
    if (wanted.isEmpty()) {
      throw new UsageException("name a file of the snapshot to dump, like data/000042.sst (see `strata ls`)");
    }
    try (BlobStoreManager store = storeOptions.open()) {
      store.checkAccess();
      Repository repo = storeOptions.repository(store);
      SnapshotCatalog catalog = new SnapshotCatalog(repo);
      String id = Snapshots.resolve(catalog, snapshotId, sourceId);
      Snapshot s = catalog.load(id);
      Map<String, TreeEntry> seen = new HashMap<>();
      TreeEntry[] hit = new TreeEntry[1];
      TreeWalk.walk(new BlobSource(repo, null).tree(s), (p, e) -> {
        if (e instanceof TreeEntry.File f && f.hardLinked()) {
          seen.put(p, e); // a later hard link may name it
        }
        if (p.equals(wanted)) {
          hit[0] = e;
          return false;
        }
        return true;
      });
      if (hit[0] == null) {
        throw new SnapshotNotFoundException("snapshot " + id + " has no " + Names.safe(wanted) + " (see `strata ls " + id + "`)");
      }
      if (hit[0] instanceof TreeEntry.Dir) {
        throw new UsageException(Names.safe(wanted) + " is a directory: dump prints one file; list it with `strata ls " + id + " "
            + Names.safe(wanted) + "`, or restore it with `strata restore --snapshot " + id + " --include " + Names.safe(wanted) + "`");
      }
      FileIndex f = ((TreeEntry.File) hit[0]).file();
      if (f.isSymlink()) {
        throw new UsageException(Names.safe(wanted) + " is a symlink to " + Names.safe(f.linkTarget()) + ": dump the file it points to");
      }
      if (f.hardLink() != null) {
        TreeEntry first = seen.get(f.hardLink());
        if (!(first instanceof TreeEntry.File ff)) {
          throw new dev.strata.engine.IntegrityException("hard link " + Names.safe(wanted) + " names " + Names.safe(f.hardLink())
              + ", which snapshot " + id + " does not hold before it");
        }
        f = ff.file();
      }
      OutputStream out = ((StrataCli) spec.root().userObject()).raw();
      new SnapshotFiles(repo).copy(s, f, wanted, out);
      try {
        out.flush();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write to standard output: " + e.getMessage(), e);
      }
    }
    return 0;
  }
}
