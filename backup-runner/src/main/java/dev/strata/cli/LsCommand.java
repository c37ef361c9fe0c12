package dev.strata.cli;

import dev.strata.engine.BlobSource;
import dev.strata.engine.Names;
import dev.strata.engine.Snapshot;
import dev.strata.engine.SnapshotCatalog;
import dev.strata.engine.SnapshotNotFoundException;
import dev.strata.engine.format.Repository;
import dev.strata.engine.store.BlobStoreManager;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "ls",
    description = {
      "List the files, symlinks and directories of a snapshot, or of one directory in it.",
      "Everything under PATH is listed, depth first, directories with a trailing slash."
    })
final class LsCommand implements Callable<Integer> {

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
      description = "A file or directory in the snapshot (default: all of it).")
  String path;

  @Option(
      names = "--source-id",
      paramLabel = "ID",
      description =
          "With latest: the source whose newest snapshot to list; with an id or a prefix, the source the snapshot must be of.")
  String sourceId;

  @Option(
      names = {"-l", "--long"},
      description = "Also print each entry's type and mode, size and modification time (UTC).")
  boolean longFormat;

  @Option(
      names = "--json",
      description =
          "Print a JSON array of {path, type, size, mode, mtime, linkTarget, hardLinkTo}.")
  boolean json;

  @Override
  public Integer call() {
    String wanted = TreeWalk.normalize(path);
    List<TreeWalk.Node> found = new ArrayList<>();
    String id;
    try (BlobStoreManager store = storeOptions.open()) {
      store.checkAccess();
      Repository repo = storeOptions.repository(store);
      SnapshotCatalog catalog = new SnapshotCatalog(repo);
      id = Snapshots.resolve(catalog, snapshotId, sourceId);
      Snapshot s = catalog.load(id);
      String under = wanted + "/";
      TreeWalk.walk(
          new BlobSource(repo, null).tree(s),
          (p, e) -> {
            if (wanted.isEmpty() ? !p.isEmpty() : p.equals(wanted) || p.startsWith(under)) {
              found.add(TreeWalk.Node.of(p, e));
            }
            return true;
          });
    }
    if (found.isEmpty() && !wanted.isEmpty()) {
      throw new SnapshotNotFoundException(
          "snapshot " + id + " has no " + Names.safe(wanted) + " (see `strata ls " + id + "`)");
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Output.json(out, found);
      return 0;
    }
    for (TreeWalk.Node n : found) {
      out.println(longFormat ? n.longLine() : n.shortLine());
    }
    return 0;
  }
}
