package dev.strata.cli;

import dev.strata.engine.SnapshotIds;

/** Argument checks shared by the commands that name a snapshot. */
final class Snapshots {
  private Snapshots() {}

  static String requireId(String id) {
    try {
      return SnapshotIds.require(id);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }
}
