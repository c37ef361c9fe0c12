package dev.strata.cli;

import dev.strata.engine.SnapshotCatalog;
import dev.strata.engine.store.BlobStoreManager;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "forget",
    description = {
      "Forget a snapshot: it can no longer be listed or restored.",
      "Its index is kept as a tombstone for the garbage collector's grace period, so a"
          + " backup that started from it still finds its blobs; after that, `strata gc`"
          + " reclaims the blobs no other snapshot references."
    })
final class ForgetCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin StoreOptions storeOptions;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "SNAPSHOT",
      description =
          "The snapshot to forget: an id, or a prefix of one that only it has and that holds at least the date and"
              + " the time to the minute (like 20261207T0915).")
  String snapshotArg;

  @Option(
      names = "--snapshot",
      paramLabel = "ID",
      description =
          "The snapshot, as SNAPSHOT names it (the older spelling; both may be given when they agree).")
  String snapshotId;

  @Option(
      names = Snapshots.ALLOW_SHORT_PREFIX,
      description =
          "Forget the one snapshot whose id starts with SNAPSHOT even when it is shorter than the date and the time"
              + " to the minute (like 2026).")
  boolean allowShortPrefix;

  @Option(names = "--json", description = "Print {snapshotId, tombstone} as JSON.")
  boolean json;

  /** What `forget --json` prints. */
  public record Forgotten(String snapshotId, String tombstone) {}

  @Override
  public Integer call() {
    String named = Snapshots.required(snapshotArg, snapshotId, "forget");
    if (Snapshots.LATEST.equals(named.strip())) {
      throw new UsageException(
          "forget takes a snapshot id or a unique prefix of one, not latest: name the snapshot (see `strata snapshots`)");
    }
    Forgotten done;
    try (BlobStoreManager store = storeOptions.open()) {
      store.checkAccess();
      // The key of an encrypted store, checked as every other command checks it: forgetting is no
      // less a use of the store than listing it.
      SnapshotCatalog catalog = new SnapshotCatalog(storeOptions.repository(store));
      String id =
          Snapshots.resolveToDestroy(
              catalog, named, null, allowShortPrefix, "name a snapshot to forget");
      done = new Forgotten(id, catalog.forget(id));
    }
    if (json) {
      Output.json(spec.commandLine().getOut(), done);
    } else {
      spec.commandLine()
          .getOut()
          .printf(
              "forgot snapshot %s; its blobs are reclaimed by `strata gc` after the grace period%n",
              done.snapshotId());
    }
    return 0;
  }
}
