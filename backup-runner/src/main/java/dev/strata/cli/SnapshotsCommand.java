package dev.strata.cli;

import dev.strata.engine.SnapshotCatalog;
import dev.strata.engine.index.SnapshotSummary;
import dev.strata.engine.store.BlobStoreManager;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "snapshots", description = "List the committed snapshots in a store, oldest first.")
final class SnapshotsCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin StoreOptions storeOptions;

  @Option(
      names = "--source-id",
      paramLabel = "ID",
      description = "Only the snapshots of this source.")
  String sourceId;

  @Option(names = "--json", description = "Print a JSON array of snapshot summaries.")
  boolean json;

  @Override
  public Integer call() {
    List<SnapshotSummary> all;
    List<String> unreadable = new java.util.ArrayList<>();
    try (BlobStoreManager store = storeOptions.open()) {
      store.checkAccess();
      all =
          new SnapshotCatalog(storeOptions.repository(store))
              .summaries(
                  sourceId,
                  (id, e) ->
                      unreadable.add(
                          "strata: snapshot "
                              + id
                              + " cannot be read: "
                              + dev.strata.engine.Names.safe(e.getMessage())));
    }
    PrintWriter out = spec.commandLine().getOut();
    int code = unreadable.isEmpty() ? 0 : 1;
    if (json) {
      Output.json(out, all);
    } else if (all.isEmpty()) {
      String of = sourceId == null ? "" : " of " + sourceId;
      // Snapshot objects that cannot be read are not none: say how many there are.
      out.println(
          unreadable.isEmpty()
              ? "no snapshots" + of
              : "no readable snapshots"
                  + of
                  + ": "
                  + unreadable.size()
                  + (unreadable.size() == 1 ? " snapshot" : " snapshots")
                  + " could not be read");
    } else {
      print(out, all);
    }
    out.flush();
    unreadable.forEach(spec.commandLine().getErr()::println);
    return code;
  }

  /** The table of snapshots, its columns as wide as their widest cell. */
  static void print(PrintWriter out, List<SnapshotSummary> all) {
    java.util.List<String[]> rows = new java.util.ArrayList<>();
    rows.add(new String[] {"ID", "CREATED (UTC)", "FILES", "SIZE", "UPLOADED", "SOURCE"});
    for (SnapshotSummary s : all) {
      rows.add(
          new String[] {
            s.snapshotId(),
            Output.time(s.metadata().createdAt()),
            Long.toString(s.stats().files()),
            Output.bytes(s.stats().totalBytes()),
            Output.bytes(s.stats().uploadedBytes()),
            dev.strata.engine.Names.safe(s.metadata().sourceId())
          });
    }
    Output.table(out, rows, false, false, true, true, true, false);
  }
}
