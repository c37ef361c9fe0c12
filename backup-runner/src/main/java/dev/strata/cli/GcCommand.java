package dev.strata.cli;

import dev.strata.engine.Durations;
import dev.strata.engine.GarbageCollector;
import dev.strata.engine.GcOptions;
import dev.strata.engine.GcReport;
import dev.strata.engine.store.BlobStoreManager;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "gc",
    description = {
      "Reclaim the space of blobs no snapshot references, once the grace period has passed.",
      "Deletes blobs that no snapshot references and that are older than the grace"
          + " period (whole packs, or by repacking packs that are mostly unreferenced),"
          + " tombstones of snapshots forgotten longer ago than that, and progress objects"
          + " of runs that died. Safe while backups run: it takes no lock, and keeps every"
          + " blob a backup may be about to reference."
    })
final class GcCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin StoreOptions storeOptions;

  @Option(
      names = "--grace",
      paramLabel = "DURATION",
      defaultValue = "6h",
      description =
          "Keep unreferenced blobs younger than this, and forgotten snapshots' blobs this long: at least 1h, and more"
              + " than 1h plus any clock skew; backups may run longer (they renew what they rely on before committing)."
              + " Like 6h, 30m, 2d, 1h30m or PT6H (default: ${DEFAULT-VALUE}).")
  String grace;

  @Option(names = "--dry-run", description = "Delete nothing; report what would be deleted.")
  boolean dryRun;

  @Option(names = "--json", description = "Print the report as one JSON object.")
  boolean json;

  @Option(
      names = "--allow-short-grace",
      description =
          "Accept a grace period below 1h. Safe only while every backup lasts less than the grace period minus the age"
              + " at which backups refresh the blobs they reuse (1h): for tests with short backups.")
  boolean allowShortGrace;

  @Option(
      names = "--result-file",
      paramLabel = "FILE",
      description =
          "Also write the JSON report, or {\"error\": …} on failure, to this file (e.g. /dev/termination-log).")
  Path resultFile;

  @Option(
      names = "--parallelism",
      paramLabel = "N",
      defaultValue = "" + GcOptions.DEFAULT_PARALLELISM,
      description = "Indexes read and objects deleted at once (default: ${DEFAULT-VALUE}).")
  int parallelism;

  @Option(
      names = "--repack-below",
      paramLabel = "FRACTION",
      defaultValue = "" + GcOptions.DEFAULT_REPACK_BELOW,
      description =
          "Repack a pack older than the grace period when its referenced blobs take less than this fraction of it (0-1, default: ${DEFAULT-VALUE}; 0: never).")
  double repackBelow;

  @Option(
      names = "--max-repack",
      paramLabel = "SIZE",
      defaultValue = "1GiB",
      description =
          "Copy at most this much while repacking, per collection (default: ${DEFAULT-VALUE}; the rest waits for the next).")
  String maxRepack;

  @Override
  public Integer call() {
    RunReportOptions result = new RunReportOptions();
    result.resultFile = resultFile;
    try {
      GcReport report = collect();
      result.writeResult(report);
      return 0;
    } catch (RuntimeException e) {
      result.writeError(e);
      throw e;
    }
  }

  private GcReport collect() {
    GcOptions options;
    try {
      options =
          new GcOptions(
              Durations.parse(grace),
              dryRun,
              Limits.parallelism(parallelism),
              Clock.systemUTC(),
              allowShortGrace);
    } catch (IllegalArgumentException e) {
      throw new UsageException("--grace: " + e.getMessage());
    }
    long maxBytes;
    try {
      maxBytes = dev.strata.engine.Sizes.parse(maxRepack);
      options = options.withRepack(repackBelow, maxBytes).withKey(storeOptions.key());
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    GcReport report;
    try (BlobStoreManager store = storeOptions.open()) {
      store.checkAccess();
      report = new GarbageCollector(store, options).collect();
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      Output.json(out, report);
    } else {
      out.println(summary(report));
    }
    return report;
  }

  /**
   * e.g. "deleted 3 packs (2 repacked, 12.0 MiB copied), 12 blobs (48.0 MiB) and 2 tombstones; kept
   * 3 young unreferenced blobs; 40 snapshots reference 1,024 blobs"
   */
  static String summary(GcReport r) {
    StringBuilder b = new StringBuilder();
    b.append(r.dryRun() ? "would delete " : "deleted ");
    if (r.packs() > 0) {
      b.append(count(r.packsDeleted(), "pack"));
      if (r.packsRepacked() > 0) {
        b.append(" (")
            .append(r.packsRepacked())
            .append(" repacked, ")
            .append(Output.bytes(r.bytesRepacked()))
            .append(" copied)");
      }
      b.append(", ");
    }
    b.append(count(r.blobsDeleted(), "blob"))
        .append(" (")
        .append(Output.bytes(r.bytesDeleted()))
        .append(")")
        .append(r.progressObjectsDeleted() > 0 ? ", " : " and ")
        .append(count(r.tombstonesDeleted(), "tombstone"));
    if (r.progressObjectsDeleted() > 0) {
      b.append(" and ").append(count(r.progressObjectsDeleted(), "stale progress object"));
    }
    b.append("; kept ")
        .append(count(r.blobsKeptYoung(), "young unreferenced blob"))
        .append("; ")
        .append(count(r.snapshots(), "snapshot"))
        .append(r.snapshots() == 1 ? " references " : " reference ")
        .append(count(r.blobsReferenced(), "blob"));
    if (r.packsIndexed() > 0) {
      // Packs whose index file was lost (or orphans of failed backups), read from their headers.
      b.append(r.dryRun() ? "; would list " : "; listed ")
          .append(count(r.packsIndexed(), "pack"))
          .append(" no index file listed in a new index file, from their headers");
    }
    return b.toString();
  }

  private static String count(long n, String noun) {
    return String.format(Locale.ROOT, "%,d %s%s", n, noun, n == 1 ? "" : "s");
  }
}
