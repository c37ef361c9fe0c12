package dev.strata.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.engine.index.IndexCodec;
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
    try (ProgressPublisher p = new ProgressPublisher(store, "ns.snap-1", progress, Duration.ofMillis(200), Clock.systemUTC())) {
      await().atMost(Duration.ofSeconds(5)).until(() -> store.stat(key, null).isPresent());
      JsonNode doc = IndexCodec.mapper().readTree(store.get(key, null));
      assertThat(doc.get("bytesDone").asLong()).isEqualTo(400);
      assertThat(doc.get("bytesTotal").asLong()).isEqualTo(1000);
      assertThat(doc.get("filesTotal").asLong()).isEqualTo(10);
    }
    assertThat(store.stat(key, null)).isEmpty();
  }
}
