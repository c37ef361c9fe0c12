package dev.strata.engine;

/** A snapshot that a command names, or "latest" of a source, does not exist in the store. */
public class SnapshotNotFoundException extends RuntimeException {
  public SnapshotNotFoundException(String message) {
    super(message);
  }
}
