package dev.strata.cli;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.strata.engine.BlobSource;
import dev.strata.engine.Names;
import dev.strata.engine.Snapshot;
import dev.strata.engine.SnapshotCatalog;
import dev.strata.engine.format.Repository;
import dev.strata.engine.index.DirIndex;
import dev.strata.engine.index.FileIndex;
import dev.strata.engine.index.SnapshotRecord;
import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.tree.TreeEntry;
import dev.strata.engine.tree.TreeReader;
import dev.strata.engine.tree.TreeSource;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "show",
    description = "Show one snapshot: its metadata and counts, and with --files every path in it.")
final class ShowCommand implements Callable<Integer> {

  /**
   * What {@code show --json} prints for a snapshot of format 2: its record (metadata, counts, the
   * ids of its tree blobs) and its whole tree read from them. A format-1 snapshot prints its {@link
   * dev.strata.engine.index.SnapshotIndex}, which holds both; {@code formatVersion} comes first in
   * either, so a reader knows which it has.
   */
  @JsonPropertyOrder({"formatVersion", "snapshot", "root"})
  record Shown(int formatVersion, SnapshotRecord snapshot, DirIndex root) {}

  @Spec CommandSpec spec;
  @Mixin StoreOptions storeOptions;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "SNAPSHOT",
      description = "The snapshot to show: an id, a unique prefix of one, or latest.")
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
          "With the snapshot latest: the source whose newest snapshot to show; with an id or a prefix, the source the snapshot must be of.")
  String sourceId;

  @Option(names = "--files", description = "Also list every file, symlink and directory.")
  boolean files;

  @Option(names = "--json", description = "Print the whole index as JSON.")
  boolean json;

  @Override
  public Integer call() {
    String named = Snapshots.required(snapshotArg, snapshotId, "show");
    PrintWriter out = spec.commandLine().getOut();
    try (BlobStoreManager store = storeOptions.open()) {
      store.checkAccess();
      Repository repo = storeOptions.repository(store);
      SnapshotCatalog catalog = new SnapshotCatalog(repo);
      Snapshot s = catalog.load(Snapshots.resolve(catalog, named, sourceId));
      BlobSource blobs = new BlobSource(repo, null);
      if (json) {
        if (s.formatVersion() == 1) {
          Output.json(out, s.v1Index());
        } else {
          try (TreeReader r = new TreeReader(blobs.tree(s))) {
            Output.json(out, new Shown(2, s.record(), r.readAll()));
          }
        }
        return 0;
      }
      out.printf("snapshot:   %s%n", s.snapshotId());
      out.printf("format:     %d%n", s.formatVersion());
      out.printf("source:     %s%n", Names.safe(s.metadata().sourceId()));
      out.printf("created:    %s%n", s.metadata().createdAt());
      if (s.metadata().createdBy() != null) {
        out.printf("created by: %s%n", Names.safe(s.metadata().createdBy()));
      }
      out.printf("previous:   %s%n", s.previousSnapshotId() == null ? "-" : s.previousSnapshotId());
      out.printf(
          "contents:   %d files, %d directories, %d symlinks, %s%n",
          s.stats().files(),
          s.stats().directories(),
          s.stats().symlinks(),
          Output.bytes(s.stats().totalBytes()));
      out.printf(
          "transfer:   %s uploaded, %s reused%n",
          Output.bytes(s.stats().uploadedBytes()), Output.bytes(s.stats().reusedBytes()));
      if (files) {
        print(out, blobs.tree(s));
      }
    }
    return 0;
  }

  private static void print(PrintWriter out, TreeSource tree) {
    TreeWalk.walk(
        tree,
        (path, e) -> {
          if (path.isEmpty()) {
            return true;
          }
          if (e instanceof TreeEntry.Dir d) {
            out.printf("  %04o  %12s  %s/%n", d.metadata().mode(), "", Names.safe(path));
            return true;
          }
          FileIndex f = ((TreeEntry.File) e).file();
          if (f.isSymlink()) {
            out.printf(
                "  %04o  %12s  %s -> %s%n",
                f.metadata().mode(), "", Names.safe(path), Names.safe(f.linkTarget()));
          } else {
            out.printf(
                "  %04o  %12d  %s%s%n",
                f.metadata().mode(),
                f.metadata().size(),
                Names.safe(path),
                f.hardLink() != null
                    ? "  (hard link to " + Names.safe(f.hardLink()) + ")"
                    : f.isChanged() ? "  (changed while read)" : "");
          }
          return true;
        });
  }
}
