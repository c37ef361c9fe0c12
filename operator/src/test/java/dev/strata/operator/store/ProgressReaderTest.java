package dev.strata.operator.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.api.v1alpha1.TransferProgress;
import dev.strata.engine.Progress;
import dev.strata.engine.ProgressPublisher;
import dev.strata.engine.report.RunProgress;
import dev.strata.engine.report.RunReports;
import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.StoreLayout;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProgressReaderTest {

  @TempDir Path tmp;

  @Test
  void readsWhatTheRunnerPublishesWithTheStoresSharedClient() {
    BlobStoreManager store = new ScriptedStore(tmp, null).store;
    ProgressReader reader = new ProgressReader(new StoreClients(s -> store));
    assertThat(reader.read(StoreCheckerTest.store(1), "statesnapshot-uid"))
        .as("nothing published yet")
        .isEmpty();

    Progress progress = new Progress();
    progress.addTotal(10, 1000);
    progress.bytesDone(400);
    byte[] doc =
        RunReports.toJsonBytes(ProgressPublisher.document(progress.view(), Clock.systemUTC()));
    String key = StoreLayout.progressKey("statesnapshot-uid");
    store.put(key, doc, doc.length, null, null);

    TransferProgress p = reader.read(StoreCheckerTest.store(1), "statesnapshot-uid").orElseThrow();
    assertThat(p.bytesDone()).isEqualTo(400);
    assertThat(p.bytesTotal()).isEqualTo(1000);
    assertThat(p.filesTotal()).isEqualTo(10);

    store.put(key, "not json".getBytes(), 8, null, null);
    assertThat(reader.read(StoreCheckerTest.store(1), "statesnapshot-uid"))
        .as("unreadable: no update this time")
        .isEmpty();
  }

  @Test
  void progressNeverShowsDoneBeforeTheResult() {
    TransferProgress all =
        ProgressReader.shown(new RunProgress(10, 10, 1000, 1000, 1000, 50, true, "t"));
    assertThat(all.bytesDone()).isEqualTo(999);
    assertThat(all.filesDone()).isEqualTo(9);
    TransferProgress part =
        ProgressReader.shown(new RunProgress(3, 10, 300, 1000, 300, 50, true, "t"));
    assertThat(part).isEqualTo(new TransferProgress(3L, 10L, 300L, 1000L, 50L));
    TransferProgress unknown = ProgressReader.shown(new RunProgress(0, 0, 0, 0, 0, 0, false, "t"));
    assertThat(unknown.bytesDone()).isZero();
  }
}
