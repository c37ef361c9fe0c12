package dev.strata.cli;

import dev.strata.engine.SnapshotCatalog;
import dev.strata.engine.store.BlobStoreManager;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "forget",
    description = {
      "Forget a snapshot: it no longer exists, and cannot be listed or restored. Its",
      "index is kept as a tombstone for the garbage collector's grace period, so a",
      "backup that started from it still finds its blobs; after that, `strata gc`",
      "reclaims the blobs no other snapshot references."
    })
final class ForgetCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin StoreOptions storeOptions;

  @Option(names = "--snapshot", required = true, paramLabel = "ID", description = "The snapshot to forget.")
  String snapshotId;

  @Override
  public Integer call() {
    try (BlobStoreManager store = storeOptions.open()) {
      store.checkAccess();
      new SnapshotCatalog(store).forget(Snapshots.requireId(snapshotId));
    }
    spec.commandLine().getOut().printf("forgot snapshot %s; its blobs are reclaimed by `strata gc` after the grace period%n", snapshotId);
    return 0;
  }
}
