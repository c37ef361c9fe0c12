package dev.strata.cli;

import dev.strata.engine.Names;
import dev.strata.engine.SnapshotCatalog;
import dev.strata.engine.index.DirIndex;
import dev.strata.engine.index.FileIndex;
import dev.strata.engine.index.SnapshotIndex;
import dev.strata.engine.store.BlobStoreManager;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "show", description = "Show one snapshot: its metadata and counts, and with --files every path in it.")
final class ShowCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin StoreOptions storeOptions;

  @Option(names = "--snapshot", required = true, paramLabel = "ID", description = "The snapshot to show.")
  String snapshotId;

  @Option(names = "--files", description = "Also list every file, symlink and directory.")
  boolean files;

  @Option(names = "--json", description = "Print the whole index as JSON.")
  boolean json;

  @Override
  public Integer call() {
    SnapshotIndex index;
    try (BlobStoreManager store = storeOptions.open()) {
      store.checkAccess();
      index = new SnapshotCatalog(store).load(Snapshots.requireId(snapshotId));
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Output.json(out, index);
      return 0;
    }
    out.printf("snapshot:   %s%n", index.snapshotId());
    out.printf("source:     %s%n", Names.safe(index.metadata().sourceId()));
    out.printf("created:    %s%n", index.metadata().createdAt());
    if (index.metadata().createdBy() != null) {
      out.printf("created by: %s%n", Names.safe(index.metadata().createdBy()));
    }
    out.printf("previous:   %s%n", index.previousSnapshotId() == null ? "-" : index.previousSnapshotId());
    out.printf(
        "contents:   %d files, %d directories, %d symlinks, %s%n",
        index.stats().files(), index.stats().directories(), index.stats().symlinks(), Output.bytes(index.stats().totalBytes()));
    out.printf(
        "transfer:   %s uploaded, %s reused%n",
        Output.bytes(index.stats().uploadedBytes()), Output.bytes(index.stats().reusedBytes()));
    if (files) {
      print(out, index.root(), "");
    }
    return 0;
  }

  private static void print(PrintWriter out, DirIndex dir, String prefix) {
    for (FileIndex f : dir.filesPresent()) {
      if (f.isSymlink()) {
        out.printf("  %04o  %12s  %s%s -> %s%n", f.metadata().mode(), "", prefix, Names.safe(f.name()), Names.safe(f.linkTarget()));
      } else {
        out.printf("  %04o  %12d  %s%s%s%n", f.metadata().mode(), f.metadata().size(), prefix, Names.safe(f.name()),
            f.hardLink() != null ? "  (hard link to " + Names.safe(f.hardLink()) + ")" : f.isChanged() ? "  (changed while read)" : "");
      }
    }
    for (DirIndex d : dir.subDirsPresent()) {
      out.printf("  %04o  %12s  %s%s/%n", d.metadata().mode(), "", prefix, Names.safe(d.name()));
      print(out, d, prefix + Names.safe(d.name()) + "/");
    }
  }
}
