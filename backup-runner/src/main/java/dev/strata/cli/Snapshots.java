package dev.strata.cli;

import dev.strata.engine.Names;
import dev.strata.engine.SnapshotCatalog;
import dev.strata.engine.SnapshotIds;
import dev.strata.engine.SnapshotNotFoundException;
import dev.strata.engine.store.StoreLayout;
import java.util.List;
import java.util.TreeSet;

/** How commands name a snapshot: its id, a unique prefix of one, or "latest". */
final class Snapshots {
  private Snapshots() {}

  static final String LATEST = "latest";
  private static final int MAX_LISTED = 10;

  /**
   * The snapshot a command was given, as restic takes it (a positional SNAPSHOT) or as earlier
   * versions did ({@code --snapshot}): either, or both when they agree; null when neither.
   *
   * @throws UsageException when both are given and differ
   */
  static String chosen(String positional, String option) {
    if (positional != null && option != null && !positional.strip().equals(option.strip())) {
      throw new UsageException(
          "the snapshot is named twice, as '"
              + Names.safe(positional)
              + "' and as --snapshot '"
              + Names.safe(option)
              + "': give it once (--snapshot is the older spelling of the SNAPSHOT argument)");
    }
    return positional != null ? positional : option;
  }

  /** {@link #chosen}, and one of them is needed. */
  static String required(String positional, String option, String command) {
    String id = chosen(positional, option);
    if (id == null) {
      throw new UsageException(
          "name the snapshot to "
              + command
              + ": an id, a unique prefix of one, or latest, like `strata "
              + command
              + " latest` (see `strata snapshots`)");
    }
    return id;
  }

  static String requireId(String id) {
    try {
      return SnapshotIds.require(id);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  /**
   * The full id a user's argument names: a full id as it is (without listing the store), "latest"
   * the newest snapshot (of {@code sourceIdOrNull}, or of the store's only source), else the one
   * snapshot whose id starts with it. With {@code sourceIdOrNull}, a snapshot of that source: a
   * prefix chooses among its snapshots only, and an id or prefix of another source's is refused.
   *
   * @throws UsageException when the argument is empty, names several snapshots (listing them), or
   *     names only snapshots of another source than {@code sourceIdOrNull}
   * @throws SnapshotNotFoundException when it names none
   */
  static String resolve(SnapshotCatalog catalog, String arg, String sourceIdOrNull) {
    if (arg == null || arg.isBlank()) {
      throw new UsageException(
          "name a snapshot: an id, a unique prefix of one, or latest (see `strata snapshots`)");
    }
    String a = arg.strip();
    if (a.equals(LATEST)) {
      return latest(catalog, sourceIdOrNull);
    }
    if (SnapshotIds.isValid(a) && sourceIdOrNull == null) {
      return a;
    }
    TreeSet<String> matches = new TreeSet<>();
    TreeSet<String> otherSources = new TreeSet<>();
    String folder = sourceIdOrNull == null ? null : StoreLayout.sourceFolder(sourceIdOrNull);
    for (SnapshotCatalog.Entry e : catalog.entries(null)) {
      if (e.snapshotId().startsWith(a)) {
        (folder == null || e.key().startsWith(folder) ? matches : otherSources).add(e.snapshotId());
      }
    }
    if (matches.isEmpty() && !otherSources.isEmpty()) {
      List<String> shown = otherSources.stream().limit(MAX_LISTED).toList();
      throw new UsageException(
          (SnapshotIds.isValid(a)
                  ? a + " is not a snapshot of source '" + Names.safe(sourceIdOrNull) + "'"
                  : "'"
                      + Names.safe(a)
                      + "' names no snapshot of source '"
                      + Names.safe(sourceIdOrNull)
                      + "', only "
                      + String.join(", ", shown)
                      + (otherSources.size() > shown.size() ? ", …" : ""))
              + " of another source (see `strata snapshots`): name a snapshot of '"
              + Names.safe(sourceIdOrNull)
              + "', or leave out --source-id");
    }
    if (SnapshotIds.isValid(a)) {
      return a; // of the source, or of none: loading it says it does not exist
    }
    if (matches.isEmpty()) {
      throw new SnapshotNotFoundException(
          "no snapshot id starts with '" + Names.safe(a) + "' (see `strata snapshots`)");
    }
    if (matches.size() > 1) {
      List<String> shown = matches.stream().limit(MAX_LISTED).toList();
      throw new UsageException(
          "'"
              + Names.safe(a)
              + "' names "
              + matches.size()
              + " snapshots: "
              + String.join(", ", shown)
              + (matches.size() > shown.size() ? ", …" : "")
              + "; give more of the id");
    }
    return matches.first();
  }

  /**
   * How much of an id a command that destroys data needs when it is given a prefix: the date and
   * the time to the minute, like {@code 20261207T0915}.
   */
  static final int MIN_PREFIX = "yyyyMMddTHHmm".length();

  /** The option that lets such a command take a shorter prefix. */
  static final String ALLOW_SHORT_PREFIX = "--allow-short-prefix";

  /**
   * {@link #resolve}, for a command that destroys data (forget; restore over a target's files): a
   * prefix shorter than {@link #MIN_PREFIX} ({@code 2026}, {@code 202612}) is refused even when one
   * snapshot alone matches it, with the id to type instead, unless {@code allowShortPrefix}: such a
   * prefix names whatever snapshot happens to be the only match, more likely a slip than a choice.
   *
   * @throws UsageException for a prefix too short, and as {@link #resolve}
   */
  static String resolveToDestroy(
      SnapshotCatalog catalog,
      String arg,
      String sourceIdOrNull,
      boolean allowShortPrefix,
      String action) {
    String id = resolve(catalog, arg, sourceIdOrNull);
    String a = arg.strip();
    if (allowShortPrefix
        || a.length() >= MIN_PREFIX
        || a.equals(LATEST)
        || SnapshotIds.isValid(a)) {
      return id;
    }
    throw new UsageException(
        "'"
            + Names.safe(a)
            + "' is too short to "
            + action
            + ": only snapshot "
            + id
            + " starts so, but a prefix shorter than the date and the time to the minute (like"
            + " 20261207T0915) names whatever snapshot happens to match. Give its id, "
            + id
            + ", or add "
            + ALLOW_SHORT_PREFIX
            + " to take the one match");
  }

  private static String latest(SnapshotCatalog catalog, String sourceIdOrNull) {
    if (sourceIdOrNull != null) {
      return catalog
          .latest(sourceIdOrNull)
          .orElseThrow(
              () ->
                  new SnapshotNotFoundException(
                      "source '"
                          + Names.safe(sourceIdOrNull)
                          + "' has no snapshot (see `strata snapshots`)"))
          .snapshotId();
    }
    // The folder of an index is its source's: two folders, two sources, and "latest" would be a
    // guess.
    TreeSet<String> folders = new TreeSet<>();
    String newest = null;
    for (SnapshotCatalog.Entry e : catalog.entries(null)) {
      folders.add(e.key().substring(0, e.key().lastIndexOf('/')));
      if (newest == null || e.snapshotId().compareTo(newest) > 0) {
        newest = e.snapshotId();
      }
    }
    if (newest == null) {
      throw new SnapshotNotFoundException(
          "the store has no snapshots, so none is the latest (see `strata snapshots`)");
    }
    if (folders.size() > 1) {
      throw new UsageException(
          "latest is ambiguous: the store holds snapshots of "
              + folders.size()
              + " sources; add --source-id (see `strata snapshots`)");
    }
    return newest;
  }
}
