package dev.strata.e2e.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Starts child processes so that they die with the test JVM, even when it is killed: each is
 * wrapped in {@code setpriv --pdeathsig SIGKILL}. The parent-death signal fires when the
 * <em>thread</em> that forked the child ends, so every start happens on one daemon thread that
 * lives as long as the JVM.
 */
public final class ProcessLauncher {

  private static final Path SETPRIV = Path.of("/usr/bin/setpriv");
  private static final ExecutorService LAUNCHER =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread thread = new Thread(r, "strata-e2e-launcher");
            thread.setDaemon(true);
            return thread;
          });

  private ProcessLauncher() {}

  /** Starts {@code builder}'s command, tied to this JVM's life when setpriv is available. */
  public static Process start(ProcessBuilder builder) throws IOException {
    if (Files.isExecutable(SETPRIV)) {
      List<String> command =
          new ArrayList<>(List.of(SETPRIV.toString(), "--pdeathsig", "SIGKILL", "--"));
      command.addAll(builder.command());
      builder.command(command);
    }
    Future<Process> started = LAUNCHER.submit(builder::start);
    try {
      return started.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("Interrupted while starting " + builder.command(), e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IOException("Cannot start " + builder.command(), e.getCause());
    }
  }
}
