package dev.strata.operator.store;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.TransferProgress;
import dev.strata.engine.index.IndexCodec;
import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.Metadata;
import dev.strata.engine.store.StoreLayout;
import java.util.Optional;

/** Reads a running runner's live counters from the store (the runner publishes them; it never talks to Kubernetes). */
public final class ProgressReader {

  private final StoreConnector connector;

  public ProgressReader(StoreConnector connector) {
    this.connector = connector;
  }

  /** The counters, capped below 100% (only the runner's result says it is done); empty when not (yet) readable. */
  public Optional<TransferProgress> read(SnapshotStore store, String progressObject) {
    String key = StoreLayout.progressKey(progressObject);
    try (BlobStoreManager manager = connector.open(store)) {
      if (manager.stat(key, Metadata.of(null, key)).isEmpty()) {
        return Optional.empty();
      }
      JsonNode doc = IndexCodec.mapper().readTree(manager.get(key, Metadata.of(null, key)));
      long bytesDone = doc.path("bytesDone").asLong();
      long bytesTotal = doc.path("bytesTotal").asLong();
      long filesDone = doc.path("filesDone").asLong();
      long filesTotal = doc.path("filesTotal").asLong();
      if (bytesTotal > 0 && bytesDone >= bytesTotal) {
        bytesDone = bytesTotal - 1;
      }
      if (filesTotal > 0 && filesDone >= filesTotal) {
        filesDone = filesTotal - 1;
      }
      return Optional.of(new TransferProgress(filesDone, filesTotal, bytesDone, bytesTotal, doc.path("bytesPerSecond").asLong()));
    } catch (Exception e) {
      return Optional.empty(); // advisory: no update this time
    }
  }
}
