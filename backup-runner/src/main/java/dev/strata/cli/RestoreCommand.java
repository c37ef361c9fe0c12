package dev.strata.cli;

import dev.strata.engine.Progress;
import dev.strata.engine.ProgressPublisher;
import dev.strata.engine.RestoreCommitException;
import dev.strata.engine.RestoreEngine;
import dev.strata.engine.RestoreMode;
import dev.strata.engine.RestoreOptions;
import dev.strata.engine.RestoreResult;
import dev.strata.engine.Snapshot;
import dev.strata.engine.SnapshotCatalog;
import dev.strata.engine.SnapshotNotFoundException;
import dev.strata.engine.report.RestoreReport;
import dev.strata.engine.store.BlobStoreManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "restore",
    description = {
      "Restore a snapshot into a directory, verifying every byte against the index.",
      "Files are assembled in a staging directory inside the target and renamed into place;"
          + " a failure before that leaves the target as it was."
    })
final class RestoreCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin StoreOptions storeOptions;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "SNAPSHOT",
      description =
          "The snapshot to restore: an id, a unique prefix of one, or latest (of --source-id, or of the store's only source).")
  String snapshotArg;

  static final class Which {
    @Option(
        names = "--snapshot",
        required = true,
        paramLabel = "ID",
        description =
            "The snapshot to restore, as the SNAPSHOT argument names it (the older spelling; both may be given when they agree).")
    String snapshotId;

    @Option(
        names = "--latest",
        required = true,
        description =
            "Restore the newest snapshot of --source-id (with --former-source-id and --if-none).")
    boolean latest;
  }

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  Which which;

  @Option(
      names = "--source-id",
      paramLabel = "ID",
      description =
          "With --latest (or the snapshot latest): the source whose newest snapshot to restore; with an id or a"
              + " prefix, the source the snapshot must be of.")
  String sourceId;

  @Option(
      names = "--former-source-id",
      paramLabel = "ID",
      description =
          "With --latest: an identity the source had before (repeatable), whose newest snapshot counts while the source has none of its own.")
  List<String> formerSourceIds = new ArrayList<>();

  @Option(
      names = "--target",
      required = true,
      paramLabel = "DIR",
      description = "The directory to restore into (created if missing).")
  Path target;

  @Option(
      names = Snapshots.ALLOW_SHORT_PREFIX,
      description =
          "With --mode overwrite or sync: restore the one snapshot whose id starts with SNAPSHOT even when it is"
              + " shorter than the date and the time to the minute (like 2026).")
  boolean allowShortPrefix;

  @Option(
      names = "--mode",
      paramLabel = "MODE",
      defaultValue = "empty",
      description = {
        "empty: refuse a target that holds anything (default);"
            + " overwrite: write every snapshot file over what is there, leave other files;"
            + " sync: keep files that match, fetch only what differs, remove what the snapshot lacks."
      })
  String mode;

  @Option(
      names = "--parallelism",
      paramLabel = "N",
      defaultValue = "8",
      description = "Chunks fetched, verified and written at once (default: ${DEFAULT-VALUE}).")
  int parallelism;

  @Option(
      names = "--full-check",
      description = "In sync mode, hash local files even when size and mtime match.")
  boolean fullCheck;

  @Option(names = "--json", description = "Print one JSON object with the result at the end.")
  boolean json;

  @Option(
      names = "--if-none",
      paramLabel = "WHAT",
      defaultValue = "fail",
      description = {
        "With --latest, when the source has no snapshot yet:"
            + " fail: exit 1 (default); fresh-start: restore nothing, leave the target as it is, exit 0 and report"
            + " {\"restored\": false} (a pod's first start, before its state was ever snapshotted)."
      })
  String ifNone;

  @Option(
      names = "--on-failure",
      paramLabel = "WHAT",
      defaultValue = "fail",
      description = {
        "fail: exit 1 when the restore fails (default); continue: report the error (stderr, --result-file) and"
            + " exit 0, for an init container whose pod should start anyway. A restore that fails before its commit leaves"
            + " the target exactly as it was (its staging directory is removed). One that fails while moving files into"
            + " place (a file that cannot be replaced, the target changing under it) leaves the target partly restored:"
            + " entries the commit reached are the snapshot's, the rest as they were; the staging directory is removed, and"
            + " that failure exits 1 even with continue. Run the restore again with --mode sync to finish it."
      })
  String onFailure;

  @Option(
      names = "--no-fsync",
      description =
          "Do not flush restored files and directories to disk before reporting done (for scratch targets only).")
  boolean noFsync;

  @Option(
      names = "--range-gap",
      paramLabel = "SIZE",
      defaultValue = "1MiB",
      description = {
        "Blobs of one pack at most this far apart are fetched with one ranged request, the bytes between them read and"
            + " dropped; farther apart, with two (default: ${DEFAULT-VALUE}; raise it for a store far away, where a request costs more)."
      })
  String rangeGap;

  @Option(
      names = "--include",
      paramLabel = "GLOB",
      description =
          "Restore only paths that match (repeatable); a matching directory brings everything in it. data/** and"
              + " data match a whole directory; a glob without a slash, like *.sst, matches names at any depth.")
  java.util.List<String> includes;

  @Option(
      names = "--exclude",
      paramLabel = "GLOB",
      description =
          "Leave out paths that match (repeatable; wins over --include). With --mode sync, only selected paths"
              + " are removed when the snapshot lacks them: files outside the selection stay as they are.")
  java.util.List<String> excludes;

  @Mixin RunReportOptions report;

  @Override
  public Integer call() {
    boolean continueOnFailure =
        switch (onFailure) {
          case "fail" -> false;
          case "continue" -> true;
          default ->
              throw new UsageException(
                  "unknown --on-failure '" + onFailure + "': use fail or continue");
        };
    try {
      return run();
    } catch (RuntimeException e) {
      report.writeError(e);
      if (continueOnFailure
          && !(e instanceof UsageException)
          && !(e instanceof RestoreCommitException)) {
        spec.commandLine()
            .getErr()
            .println("strata: " + StrataCli.message(e) + " (--on-failure continue: exiting 0)");
        return 0;
      }
      throw e;
    }
  }

  /**
   * The snapshot named: a restore over a target's files (overwrite, sync) replaces them, so it
   * takes a prefix only as forget does; mode empty writes only into an empty target.
   */
  private String resolve(SnapshotCatalog catalog, String named, RestoreMode restoreMode) {
    if (restoreMode == RestoreMode.EMPTY) {
      return Snapshots.resolve(catalog, named, sourceId);
    }
    return Snapshots.resolveToDestroy(
        catalog,
        named,
        sourceId,
        allowShortPrefix,
        "name the snapshot to restore with --mode "
            + restoreMode.name().toLowerCase(java.util.Locale.ROOT));
  }

  private int run() {
    boolean latest = which != null && which.latest;
    if (latest && snapshotArg != null) {
      throw new UsageException(
          "give the snapshot either as SNAPSHOT ('"
              + dev.strata.engine.Names.safe(snapshotArg)
              + "') or as --latest, not both");
    }
    String named =
        latest
            ? null
            : Snapshots.required(snapshotArg, which == null ? null : which.snapshotId, "restore");
    RestoreMode restoreMode;
    try {
      restoreMode = RestoreMode.parse(mode);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    if (latest && (sourceId == null || sourceId.isBlank())) {
      throw new UsageException(
          "--latest needs --source-id: the source whose newest snapshot to restore");
    }
    boolean freshStartIfNone =
        switch (ifNone) {
          case "fail" -> false;
          case "fresh-start" -> true;
          default ->
              throw new UsageException(
                  "unknown --if-none '" + ifNone + "': use fail or fresh-start");
        };
    if (!formerSourceIds.isEmpty() && !latest) {
      throw new UsageException(
          "--former-source-id needs --latest: a named snapshot is found by its id alone");
    }
    if (freshStartIfNone && !latest) {
      throw new UsageException(
          "--if-none fresh-start needs --latest: a named snapshot either exists or the restore fails");
    }
    long gap;
    try {
      gap = dev.strata.engine.Sizes.parse(rangeGap);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--range-gap: " + e.getMessage());
    }
    if (gap > 256L << 20) {
      throw new UsageException("--range-gap must be at most 256 MiB, got " + rangeGap);
    }
    dev.strata.engine.PathSelection selection = null;
    if (includes != null || excludes != null) {
      try {
        selection = dev.strata.engine.PathSelection.of(includes, excludes);
      } catch (IllegalArgumentException e) {
        throw new UsageException(
            (includes != null ? "--include/--exclude: " : "--exclude: ") + e.getMessage());
      }
    }
    RestoreOptions options =
        new RestoreOptions(
                restoreMode,
                Limits.parallelism(parallelism),
                fullCheck,
                !noFsync,
                storeOptions.key(),
                (int) gap)
            .withSelection(selection);
    Progress progress = new Progress();
    RestoreResult result;
    try (BlobStoreManager store = storeOptions.open()) {
      store.checkAccess();
      dev.strata.engine.format.Repository repo = storeOptions.repository(store);
      java.util.concurrent.CompletableFuture<dev.strata.engine.pack.BlobIndex> index =
          dev.strata.engine.Workers.background(
              "strata-open-index", () -> dev.strata.engine.pack.BlobIndex.load(repo));
      SnapshotCatalog catalog = new SnapshotCatalog(repo);
      Optional<Snapshot> found =
          latest
              ? catalog.latest(sourceId, formerSourceIds)
              : Optional.of(catalog.load(resolve(catalog, named, restoreMode)));
      if (found.isEmpty() && freshStartIfNone) {
        return freshStart();
      }
      Snapshot snapshot =
          found.orElseThrow(
              () ->
                  new SnapshotNotFoundException(
                      "source '"
                          + sourceId
                          + "' has no snapshot in "
                          + store.location()
                          + " (see `strata snapshots`)"));
      try (ProgressLine line =
              ProgressLine.startIfTerminal("restore", progress, spec.commandLine().getErr());
          ProgressPublisher published = report.startProgress(store, progress)) {
        result = new RestoreEngine(store, options, progress).restore(repo, index, snapshot, target);
      }
    }
    RestoreReport out =
        RestoreReport.restored(
            result.snapshotId(),
            target.toAbsolutePath().normalize().toString(),
            restoreMode.name().toLowerCase(java.util.Locale.ROOT),
            result.files(),
            result.totalBytes(),
            result.downloadedBytes(),
            result.reusedBytes(),
            result.durationMs());
    report.writeResult(out);
    if (json) {
      Output.json(spec.commandLine().getOut(), out);
    } else {
      spec.commandLine()
          .getOut()
          .printf(
              "restored snapshot %s into %s: %d files, %s (%s downloaded, %s reused) in %.1f s%n",
              result.snapshotId(),
              target,
              result.files(),
              Output.bytes(result.totalBytes()),
              Output.bytes(result.downloadedBytes()),
              Output.bytes(result.reusedBytes()),
              result.durationMs() / 1000.0);
    }
    return 0;
  }

  /**
   * No snapshot of the source yet: nothing to restore, the target is left as it is, and that is a
   * success.
   */
  private int freshStart() {
    RestoreReport out =
        RestoreReport.freshStart(sourceId, target.toAbsolutePath().normalize().toString());
    report.writeResult(out);
    if (json) {
      Output.json(spec.commandLine().getOut(), out);
    } else {
      spec.commandLine()
          .getOut()
          .printf(
              "no snapshot of %s yet: nothing restored, %s left as it is (fresh start)%n",
              sourceId, target);
    }
    return 0;
  }
}
