package dev.strata.cli;

import dev.strata.engine.BackupEngine;
import dev.strata.engine.BackupOptions;
import dev.strata.engine.BackupResult;
import dev.strata.engine.FileChangePolicy;
import dev.strata.engine.Names;
import dev.strata.engine.Progress;
import dev.strata.engine.ProgressPublisher;
import dev.strata.engine.index.SnapshotStats;
import dev.strata.engine.report.BackupReport;
import dev.strata.engine.store.BlobStoreManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "backup",
    description = {
      "Back up a directory as a new snapshot of a source.",
      "Only files whose name, size or mtime changed since the source's latest snapshot are read;"
          + " content already in the store is not uploaded again. The snapshot exists once its index is written, last.",
      "A store that does not exist yet is created in format 2: encrypted when a key is given, else not (see `strata init`)."
    })
final class BackupCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin StoreOptions storeOptions;

  @Option(
      names = "--source",
      required = true,
      paramLabel = "DIR",
      description = "The directory to back up.")
  Path source;

  @Option(
      names = "--source-id",
      paramLabel = "ID",
      description =
          "The source identity snapshots are diffed and listed by (default: the absolute source path).")
  String sourceId;

  @Option(
      names = "--former-source-id",
      paramLabel = "ID",
      description =
          "An identity the source had before (repeatable): while the source has no snapshot under --source-id, the"
              + " newest under the first of these that has one is the snapshot it is diffed against.")
  List<String> formerSourceIds = new ArrayList<>();

  @Option(
      names = "--label",
      paramLabel = "KEY=VALUE",
      description =
          "A label to record in the snapshot's metadata (repeatable), e.g. the schedule or group that made it.")
  Map<String, String> labels = new LinkedHashMap<>();

  @Option(
      names = "--parallelism",
      paramLabel = "N",
      defaultValue = "" + BackupOptions.DEFAULT_PARALLELISM,
      description = "Chunks read, hashed and uploaded at once (default: ${DEFAULT-VALUE}).")
  int parallelism;

  @Option(
      names = "--full-check",
      description = "Hash every file instead of trusting unchanged name, size and mtime.")
  boolean fullCheck;

  @Option(
      names = "--created-by",
      paramLabel = "WHO",
      description = "The job or workload making this snapshot, recorded in it.")
  String createdBy;

  @Option(
      names = "--refresh-age",
      paramLabel = "DURATION",
      defaultValue = "1h",
      description = {
        "A blob found in the store that no known snapshot references has its age restarted when older than this (default: ${DEFAULT-VALUE}),"
            + " so a collector cannot delete it before this snapshot commits. Keep it below the store's GC grace period."
      })
  String refreshAge;

  @Option(
      names = "--on-file-change",
      paramLabel = "POLICY",
      defaultValue = "fail",
      description = {
        "A file that changes while it is read (size, mtime, ctime or inode differ before and after) is read again"
            + " (--file-change-retries); if it still changes: fail: the backup fails naming it, nothing is committed (default);"
            + " record: its last read is committed, marked \"changed\" in the index and listed in the result (for a live"
            + " database whose logs grow all the time). A file that vanishes is left out with a warning either way."
      })
  String onFileChange;

  @Option(
      names = "--file-change-retries",
      paramLabel = "N",
      defaultValue = "" + BackupOptions.DEFAULT_CHANGE_RETRIES,
      description =
          "How many times a file that changed while read is read again (0-100, default: ${DEFAULT-VALUE}).")
  int fileChangeRetries;

  @Option(
      names = "--compression",
      paramLabel = "MODE",
      defaultValue = "auto",
      description = {
        "How new blobs are compressed (zstd): auto tries a sample of each chunk and stores what does not shrink as it is"
            + " (default); max compresses harder, for more CPU; off stores every chunk as it is."
      })
  String compression;

  @Option(names = "--json", description = "Print one JSON object with the result at the end.")
  boolean json;

  @Mixin RunReportOptions report;

  @Override
  public Integer call() {
    return report.reporting(this::run);
  }

  private int run() {
    String id = sourceId != null ? sourceId : source.toAbsolutePath().normalize().toString();
    if (id.isBlank()) {
      throw new UsageException("--source-id must not be empty");
    }
    java.time.Duration refresh;
    try {
      refresh = dev.strata.engine.Durations.parse(refreshAge);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--refresh-age: " + e.getMessage());
    }
    FileChangePolicy policy;
    try {
      policy = FileChangePolicy.parse(onFileChange);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--on-file-change: " + e.getMessage());
    }
    for (Map.Entry<String, String> label : labels.entrySet()) {
      if (label.getKey().isBlank() || label.getValue() == null) {
        throw new UsageException(
            "--label must be KEY=VALUE with a non-empty KEY, got '" + label.getKey() + "'");
      }
    }
    dev.strata.engine.format.Compression comp;
    try {
      comp = dev.strata.engine.format.Compression.parse(compression);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--compression: " + e.getMessage());
    }
    if (fileChangeRetries < 0 || fileChangeRetries > 100) {
      throw new UsageException(
          "--file-change-retries must be between 0 and 100, got " + fileChangeRetries);
    }
    BackupOptions options =
        BackupOptions.defaults()
            .withParallelism(Limits.parallelism(parallelism))
            .withFullCheck(fullCheck)
            .withCreatedBy(createdBy)
            .withRefreshAge(refresh)
            .withChangeRetries(fileChangeRetries)
            .withOnFileChange(policy)
            .withCompression(comp)
            .withKey(storeOptions.key());
    Progress progress = new Progress();
    BackupResult result;
    try (BlobStoreManager store = storeOptions.open();
        ProgressLine line =
            ProgressLine.startIfTerminal("backup", progress, spec.commandLine().getErr());
        ProgressPublisher published = report.startProgress(store, progress)) {
      result =
          new BackupEngine(store, options, progress)
              .withFormerSourceIds(formerSourceIds)
              .withLabels(labels)
              .backup(source, id);
    }
    SnapshotStats s = result.index().stats();
    boolean changed = !result.changedFiles().isEmpty() || !result.vanishedFiles().isEmpty();
    // At most 20 names each: the result must fit a termination message.
    BackupReport out =
        new BackupReport(
            result.index().snapshotId(),
            id,
            result.index().previousSnapshotId(),
            result.indexKey(),
            s.files(),
            s.directories(),
            s.symlinks(),
            s.totalBytes(),
            s.uploadedBytes(),
            s.reusedBytes(),
            result.durationMs(),
            changed ? result.changedFiles().stream().limit(20).map(Names::safe).toList() : null,
            changed ? result.changedFiles().size() : null,
            changed ? result.vanishedFiles().stream().limit(20).map(Names::safe).toList() : null,
            changed ? result.vanishedFiles().size() : null,
            result.storedBytes(),
            result.packsWritten());
    report.writeResult(out);
    if (json) {
      Output.json(spec.commandLine().getOut(), out);
    } else {
      spec.commandLine()
          .getOut()
          .printf(
              "snapshot %s of %s: %d files, %d directories, %s (%s uploaded, %s reused) in %.1f s%n",
              result.snapshot().snapshotId(),
              id,
              s.files(),
              s.directories(),
              Output.bytes(s.totalBytes()),
              Output.bytes(s.uploadedBytes()),
              Output.bytes(s.reusedBytes()),
              result.durationMs() / 1000.0);
    }
    return 0;
  }
}
