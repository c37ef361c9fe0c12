package dev.strata.engine.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What this process may do to files it does not own, from its effective capabilities
 * (/proc/self/status), not from its uid: a runner may be root with only CAP_CHOWN, CAP_FOWNER and
 * CAP_DAC_* left, or a non-root user with none.
 */
public final class Capabilities {

  static final int CAP_CHOWN = 0;
  static final int CAP_DAC_OVERRIDE = 1;

  private static final long EFFECTIVE = read();

  private Capabilities() {}

  /** May set any owner and group (restores record owners only then). */
  public static boolean canChown() {
    return (EFFECTIVE & (1L << CAP_CHOWN)) != 0;
  }

  /** May write into directories whose mode forbids it. */
  public static boolean overridesPermissions() {
    return (EFFECTIVE & (1L << CAP_DAC_OVERRIDE)) != 0;
  }

  private static long read() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("CapEff:")) {
          return Long.parseUnsignedLong(line.substring(7).trim(), 16);
        }
      }
    } catch (IOException | NumberFormatException e) {
      // no /proc: assume nothing is permitted beyond the owner's rights
    }
    return 0;
  }
}
