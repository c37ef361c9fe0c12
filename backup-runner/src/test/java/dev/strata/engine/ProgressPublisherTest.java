package dev.strata.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.strata.engine.report.RunProgress;
import dev.strata.engine.report.RunReports;
import dev.strata.engine.store.LocalBlobStoreManager;
import dev.strata.engine.store.StoreLayout;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProgressPublisherTest {

  @TempDir Path tmp;

  @Test
  void publishesCountersWhileRunningAndRemovesThemAtTheEnd() throws Exception {
    LocalBlobStoreManager store = new LocalBlobStoreManager(tmp);
    Progress progress = new Progress();
    progress.addTotal(10, 1000);
    progress.bytesDone(400);
    String key = StoreLayout.progressKey("ns.snap-1");
    try (ProgressPublisher p =
        new ProgressPublisher(
            store, "ns.snap-1", progress, Duration.ofMillis(200), Clock.systemUTC())) {
      await().atMost(Duration.ofSeconds(5)).until(() -> store.stat(key, null).isPresent());
      RunProgress doc = RunReports.readValue(store.get(key, null), RunProgress.class);
      assertThat(doc.bytesDone()).isEqualTo(400);
      assertThat(doc.bytesTotal()).isEqualTo(1000);
      assertThat(doc.filesTotal()).isEqualTo(10);
    }
    assertThat(store.stat(key, null)).isEmpty();
  }
}
