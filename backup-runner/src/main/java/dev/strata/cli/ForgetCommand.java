package dev.strata.cli;

import dev.strata.engine.SnapshotCatalog;
import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.Metadata;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "forget",
    description = {
      "Delete a snapshot's index, so the snapshot no longer exists.",
      "Its blobs stay until garbage collection finds no snapshot that references them."
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
      SnapshotCatalog.Entry entry = new SnapshotCatalog(store).find(Snapshots.requireId(snapshotId));
      store.delete(entry.key(), Metadata.of(null, entry.key()));
    }
    spec.commandLine().getOut().printf("forgot snapshot %s%n", snapshotId);
    return 0;
  }
}
