package dev.strata.engine;

import dev.strata.engine.report.RunProgress;
import dev.strata.engine.report.RunReports;
import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.Metadata;
import dev.strata.engine.store.StoreLayout;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a run's live progress to the store as {@code progress/<name>.json} every interval, so
 * whoever started the run (the operator) can show it without any access to the runner. Advisory
 * only: nothing depends on it for correctness, a failed write is logged and skipped, and the object
 * is deleted when the run ends.
 */
public final class ProgressPublisher implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ProgressPublisher.class);

  private final BlobStoreManager store;
  private final String key;
  private final Progress progress;
  private final Clock clock;
  private final ScheduledExecutorService timer;

  public ProgressPublisher(
      BlobStoreManager store, String name, Progress progress, Duration interval, Clock clock) {
    this.store = store;
    this.key = StoreLayout.progressKey(name);
    this.progress = progress;
    this.clock = clock;
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "strata-progress-publisher");
              t.setDaemon(true);
              return t;
            });
    long ms = Math.max(200, interval.toMillis());
    timer.scheduleWithFixedDelay(this::publish, 0, ms, TimeUnit.MILLISECONDS);
  }

  /** The counters the operator reads, and when they were taken. */
  public static RunProgress document(Progress.View v, Clock clock) {
    return new RunProgress(
        v.filesDone(),
        v.filesTotal(),
        v.bytesDone(),
        v.bytesTotal(),
        v.transferredBytes(),
        (long) v.bytesPerSecond(),
        v.totalsKnown(),
        clock.instant().toString());
  }

  private void publish() {
    try {
      byte[] json = RunReports.toJsonBytes(document(progress.view(), clock));
      store.put(key, json, json.length, null, Metadata.of(null, key));
    } catch (Exception e) {
      LOG.debug("progress not published to {}: {}", key, e.toString());
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
      store.delete(key, Metadata.of(null, key));
    } catch (Exception e) {
      LOG.debug("progress object {} not deleted: {}", key, e.toString());
    }
  }
}
