package dev.strata.e2e.support.kubelet;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One line per stand-in event, logged and kept (the last few hundred) for failure reports. */
final class EventLog {

  private static final Logger LOG = LoggerFactory.getLogger(KubeletStandIn.class);
  private static final int KEEP = 500;

  private final Deque<String> lines = new ArrayDeque<>();

  void info(String namespace, String name, String event) {
    String line = namespace == null ? name + ": " + event : namespace + "/" + name + ": " + event;
    LOG.info(line);
    remember(line);
  }

  void warn(String namespace, String name, String event) {
    String line = namespace == null ? name + ": " + event : namespace + "/" + name + ": " + event;
    LOG.warn(line);
    remember("WARN " + line);
  }

  private synchronized void remember(String line) {
    lines.addLast(Instant.now() + " " + line);
    if (lines.size() > KEEP) {
      lines.removeFirst();
    }
  }

  /** The last {@code count} lines, optionally only those mentioning {@code namespace/}. */
  synchronized List<String> last(int count, String namespace) {
    List<String> all = new ArrayList<>();
    for (String line : lines) {
      if (namespace == null || line.contains(" " + namespace + "/")) {
        all.add(line);
      }
    }
    return all.subList(Math.max(0, all.size() - count), all.size());
  }
}
