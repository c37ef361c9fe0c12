package dev.strata.e2e.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One server process of the test stack (etcd, kube-apiserver, MinIO...): its stdout and stderr go
 * to a log file that is kept for failure reports; stopping sends SIGTERM, then SIGKILL after a
 * grace period.
 */
public final class ManagedProcess {

  private static final Logger LOG = LoggerFactory.getLogger(ManagedProcess.class);

  private final String name;
  private final List<String> command;
  private final Map<String, String> environment;
  private final Path logFile;
  private Process process;

  public ManagedProcess(
      String name, List<String> command, Map<String, String> environment, Path logFile) {
    this.name = name;
    this.command = List.copyOf(command);
    this.environment = Map.copyOf(environment);
    this.logFile = logFile;
  }

  public synchronized ManagedProcess start() {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException(name + " is already running");
    }
    try {
      Files.createDirectories(logFile.getParent());
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      builder.environment().putAll(environment);
      process = ProcessLauncher.start(builder);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start " + name + " (" + command.get(0) + ")", e);
    }
    LOG.info("started {} pid={} log={}", name, process.pid(), logFile);
    return this;
  }

  /**
   * Waits until {@code ready} is true; fails at once, with the log tail, if the process exits
   * meanwhile, and with the log tail on timeout.
   */
  public void awaitReady(Duration timeout, Supplier<Boolean> ready) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    while (true) {
      Process current = process;
      if (current == null || !current.isAlive()) {
        throw new IllegalStateException(
            name
                + " exited with code "
                + (current == null ? "?" : current.exitValue())
                + " before it was ready. Last log lines of "
                + logFile
                + ":\n"
                + tail(40));
      }
      try {
        if (Boolean.TRUE.equals(ready.get())) {
          return;
        }
      } catch (RuntimeException e) {
        last = e;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            name
                + " not ready after "
                + timeout.toSeconds()
                + "s"
                + (last == null ? "" : " (last check: " + last.getMessage() + ")")
                + ". Last log lines of "
                + logFile
                + ":\n"
                + tail(40));
      }
      Waits.sleep(Duration.ofMillis(200));
    }
  }

  /** SIGTERM, then SIGKILL when it is still alive after {@code grace}. */
  public synchronized void stop(Duration grace) {
    Process current = process;
    if (current == null) {
      return;
    }
    if (current.isAlive()) {
      current.destroy();
      try {
        if (!current.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
          LOG.warn("{} did not stop within {}s, killing it", name, grace.toSeconds());
          current.destroyForcibly();
          current.waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        current.destroyForcibly();
      }
    }
    LOG.info("stopped {}", name);
    process = null;
  }

  /** SIGKILL at once: what a crashed or OOM-killed process looks like to everything else. */
  public synchronized void kill() {
    Process current = process;
    if (current != null && current.isAlive()) {
      current.destroyForcibly();
      try {
        current.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      LOG.info("killed {}", name);
    }
    process = null;
  }

  /**
   * Sends {@code signal} (a name {@code kill -s} knows: STOP, CONT...) to the process; SIGSTOP
   * freezes it without closing its sockets: the kernel still accepts connections, and nothing
   * answers them until SIGCONT.
   */
  public synchronized void signal(String signal) {
    if (process == null || !process.isAlive()) {
      throw new IllegalStateException(name + " is not running");
    }
    CommandResult.run(
            List.of("kill", "-s", signal, Long.toString(process.pid())),
            Map.of(),
            Duration.ofSeconds(10))
        .assertSuccess();
    LOG.info("sent SIG{} to {} pid={}", signal, name, process.pid());
  }

  public synchronized boolean isAlive() {
    return process != null && process.isAlive();
  }

  public String name() {
    return name;
  }

  public Path logFile() {
    return logFile;
  }

  /** The last lines of each process's log under a header naming it, for failure reports. */
  public static String tails(List<ManagedProcess> processes, int lines) {
    StringBuilder out = new StringBuilder();
    for (ManagedProcess process : processes) {
      out.append("---- ")
          .append(process.name())
          .append(" (")
          .append(process.logFile())
          .append("), last ")
          .append(lines)
          .append(" lines ----\n")
          .append(process.tail(lines))
          .append('\n');
    }
    return out.toString();
  }

  public String tail(int lines) {
    return LogTail.lastLines(logFile, lines);
  }
}
