package dev.strata.cli;

import dev.strata.engine.SnapshotCatalog;
import dev.strata.engine.SnapshotVerifier;
import dev.strata.engine.index.SnapshotIndex;
import dev.strata.engine.store.BlobStoreManager;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "verify",
    description = {
      "Check that snapshots can be restored: every blob they reference exists with the right size,",
      "and with --read-data that its content matches its checksum. Exits 1 when any check fails."
    })
final class VerifyCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin StoreOptions storeOptions;

  static final class Which {
    @Option(names = "--snapshot", required = true, paramLabel = "ID", description = "The snapshot to verify.")
    String snapshotId;

    @Option(names = "--all", required = true, description = "Verify every snapshot in the store.")
    boolean all;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Which which;

  @Option(names = "--read-data", description = "Download every blob and check its SHA-256.")
  boolean readData;

  @Option(names = "--parallelism", paramLabel = "N", defaultValue = "8", description = "Blobs checked at once (default: ${DEFAULT-VALUE}).")
  int parallelism;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    int failed = 0;
    try (BlobStoreManager store = storeOptions.open()) {
      store.checkAccess();
      SnapshotCatalog catalog = new SnapshotCatalog(store);
      List<String> ids = new ArrayList<>();
      if (which.all) {
        catalog.entries(null).forEach(e -> ids.add(e.snapshotId()));
      } else {
        ids.add(Snapshots.requireId(which.snapshotId));
      }
      SnapshotVerifier verifier = new SnapshotVerifier(store, parallelism);
      for (String id : ids) {
        SnapshotIndex index = catalog.load(id);
        SnapshotVerifier.Report r = verifier.verify(index, readData);
        if (r.ok()) {
          out.printf("snapshot %s: ok (%d blobs, %s%s)%n", id, r.blobsChecked(), Output.bytes(r.bytesChecked()), readData ? " read" : "");
        } else {
          failed++;
          out.printf("snapshot %s: %d problems%n", id, r.problems().size());
          r.problems().forEach(p -> err.printf("  %s: blob %s %s%n", p.path(), p.blobId(), p.what()));
        }
      }
      if (ids.isEmpty()) {
        out.println("no snapshots");
      }
    }
    return failed == 0 ? 0 : 1;
  }
}
