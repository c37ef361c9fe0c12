package dev.strata.cli;

import dev.strata.engine.BlobSource;
import dev.strata.engine.Names;
import dev.strata.engine.Snapshot;
import dev.strata.engine.SnapshotCatalog;
import dev.strata.engine.TreeDiff;
import dev.strata.engine.format.Repository;
import dev.strata.engine.index.DirIndex;
import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.tree.TreeReader;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "diff",
    description =
        "Show what a backup of a directory would change against a snapshot: + added, M changed (read"
            + " again), U metadata only (mode, owner, group, extended attributes; the content is kept),"
            + " - removed.")
final class DiffCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin StoreOptions storeOptions;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "SNAPSHOT",
      description = "The snapshot to compare with: an id, a unique prefix of one, or latest.")
  String snapshotArg;

  @Option(
      names = "--snapshot",
      paramLabel = "ID",
      description =
          "The snapshot, as SNAPSHOT names it (the older spelling; both may be given when they agree).")
  String snapshotId;

  @Option(
      names = "--source-id",
      paramLabel = "ID",
      description =
          "With the snapshot latest: the source whose newest snapshot to compare with; with an id or a prefix, the source the snapshot must be of.")
  String sourceId;

  @Option(
      names = "--source",
      required = true,
      paramLabel = "DIR",
      description = "The local directory.")
  Path source;

  @Option(
      names = "--json",
      description = "Print {added, changed, metadataChanged, removed, unchanged} as JSON.")
  boolean json;

  @Override
  public Integer call() {
    String named = Snapshots.required(snapshotArg, snapshotId, "diff");
    if (!Files.exists(source)) {
      throw new UsageException("the source " + source + " does not exist: check --source");
    }
    if (!Files.isDirectory(source)) {
      throw new UsageException("the source " + source + " is not a directory: check --source");
    }
    DirIndex root;
    try (BlobStoreManager store = storeOptions.open()) {
      store.checkAccess();
      Repository repo = storeOptions.repository(store);
      SnapshotCatalog catalog = new SnapshotCatalog(repo);
      Snapshot s = catalog.load(Snapshots.resolve(catalog, named, sourceId));
      try (TreeReader r = new TreeReader(new BlobSource(repo, null).tree(s))) {
        root = r.readAll();
      }
    }
    TreeDiff diff = TreeDiff.compute(source, root, false);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Output.json(out, diff);
      return 0;
    }
    diff.added().forEach(p -> out.println("+ " + Names.safe(p)));
    diff.changed().forEach(p -> out.println("M " + Names.safe(p)));
    diff.metadataChanged().forEach(p -> out.println("U " + Names.safe(p)));
    diff.removed().forEach(p -> out.println("- " + Names.safe(p)));
    out.printf(
        "%d added, %d changed, %d metadata only, %d removed, %d unchanged%n",
        diff.added().size(),
        diff.changed().size(),
        diff.metadataChanged().size(),
        diff.removed().size(),
        diff.unchanged());
    return 0;
  }
}
