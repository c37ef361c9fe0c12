package dev.strata.operator.store;

import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.TransferProgress;
import dev.strata.engine.report.RunProgress;
import dev.strata.engine.report.RunReports;
import dev.strata.engine.store.Metadata;
import dev.strata.engine.store.StoreLayout;
import dev.strata.operator.runner.ProgressSource;
import java.util.Optional;

/** Reads a running runner's live counters from the store, with the store's shared client. */
public final class ProgressReader implements ProgressSource {

  private final StoreClients clients;

  public ProgressReader(StoreClients clients) {
    this.clients = clients;
  }

  @Override
  public Optional<TransferProgress> read(SnapshotStore store, String progressObject) {
    String key = StoreLayout.progressKey(progressObject);
    try {
      byte[] json = clients.client(store).get(key, Metadata.of(null, key));
      return Optional.of(shown(RunReports.readValue(json, RunProgress.class)));
    } catch (RuntimeException e) {
      return Optional.empty(); // advisory: not published yet, or unreadable; no update this time
    }
  }

  /**
   * The counters as the status shows them: capped below 100%, since only the runner's result says
   * it is done.
   */
  static TransferProgress shown(RunProgress p) {
    long bytesDone =
        p.bytesTotal() > 0 && p.bytesDone() >= p.bytesTotal() ? p.bytesTotal() - 1 : p.bytesDone();
    long filesDone =
        p.filesTotal() > 0 && p.filesDone() >= p.filesTotal() ? p.filesTotal() - 1 : p.filesDone();
    return new TransferProgress(
        filesDone, p.filesTotal(), bytesDone, p.bytesTotal(), p.bytesPerSecond());
  }
}
