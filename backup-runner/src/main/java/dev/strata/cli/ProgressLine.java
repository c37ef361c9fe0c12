package dev.strata.cli;

import dev.strata.engine.Progress;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * A live progress line on a terminal's stderr: files, bytes, rate and ETA, redrawn twice a second.
 */
final class ProgressLine implements AutoCloseable {

  private final Thread thread;
  private final PrintWriter err;
  private volatile boolean running = true;

  private ProgressLine(String verb, Progress progress, PrintWriter err) {
    this.err = err;
    this.thread =
        new Thread(
            () -> {
              while (running) {
                draw(verb, progress.view());
                try {
                  Thread.sleep(500);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "strata-progress");
    thread.setDaemon(true);
  }

  /**
   * Starts a line only when stderr is a terminal; otherwise a no-op, so logs and pipes stay clean.
   */
  static ProgressLine startIfTerminal(String verb, Progress progress, PrintWriter err) {
    ProgressLine line = new ProgressLine(verb, progress, err);
    if (System.console() != null) {
      line.thread.start();
    }
    return line;
  }

  static String format(String verb, Progress.View v) {
    long eta = v.etaSeconds();
    return String.format(
        Locale.ROOT,
        "%s %d/%d%s files  %s/%s  %s  ETA %s",
        verb,
        v.filesDone(),
        v.filesTotal(),
        v.totalsKnown() ? "" : "+",
        Output.bytes(v.bytesDone()),
        Output.bytes(v.bytesTotal()),
        Output.rate(v.bytesPerSecond()),
        eta < 0 ? "?" : eta + "s");
  }

  private void draw(String verb, Progress.View v) {
    err.print("\r" + format(verb, v) + "\033[K");
    err.flush();
  }

  @Override
  public void close() {
    if (thread.isAlive()) {
      running = false;
      thread.interrupt();
      try {
        thread.join(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      err.print("\r\033[K");
      err.flush();
    }
  }
}
