package dev.strata.operator.hooks;

import java.time.Duration;
import java.util.List;

/**
 * Runs a command in a container of a pod, as {@code kubectl exec} does, and waits for it to exit.
 * Blocking.
 */
public interface PodExec {

  /**
   * How a command ended: it exited (with a code), did not exit in time, or could not be run at all.
   */
  record Outcome(Kind kind, Integer exitCode, String output, String error) {
    public enum Kind {
      EXITED,
      TIMED_OUT,
      NOT_RUN
    }

    public static Outcome exited(int code, String output) {
      return new Outcome(Kind.EXITED, code, output, null);
    }

    public static Outcome timedOut(String output) {
      return new Outcome(Kind.TIMED_OUT, null, output, null);
    }

    public static Outcome notRun(String error) {
      return new Outcome(Kind.NOT_RUN, null, "", error);
    }
  }

  Outcome exec(
      String namespace, String pod, String container, List<String> command, Duration timeout);
}
