package dev.strata.cli;

/**
 * Range checks of numeric options: a value out of range is a usage error (exit 2), not a failure.
 */
final class Limits {
  static final int MAX_PARALLELISM = 256;

  private Limits() {}

  static int parallelism(int n) {
    if (n < 1 || n > MAX_PARALLELISM) {
      throw new UsageException(
          "--parallelism must be between 1 and " + MAX_PARALLELISM + ", got " + n);
    }
    return n;
  }
}
