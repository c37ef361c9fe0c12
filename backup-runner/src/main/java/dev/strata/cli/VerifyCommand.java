package dev.strata.cli;

import dev.strata.engine.Names;
import dev.strata.engine.Snapshot;
import dev.strata.engine.SnapshotCatalog;
import dev.strata.engine.SnapshotNotFoundException;
import dev.strata.engine.SnapshotVerifier;
import dev.strata.engine.format.Repository;
import dev.strata.engine.index.IndexFormatException;
import dev.strata.engine.report.VerifyReport;
import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.Metadata;
import dev.strata.engine.store.StoreLayout;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "verify",
    description = {
      "Check that snapshots can be restored; exits 1 when one cannot.",
      "Each index must pass the validator a restore runs, every blob it references must exist with the right size, and"
          + " with --read-data its content must match its checksum.",
      "With --repair, every missing or corrupt blob is marked damaged (and a corrupt format-1 blob object removed), so the next"
          + " backup of a source that still holds the content stores it again, and the damaged snapshots become whole."
    })
final class VerifyCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin StoreOptions storeOptions;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "SNAPSHOT",
      description = "The snapshot to verify: an id, a unique prefix of one, or latest.")
  String snapshotArg;

  static final class Which {
    @Option(
        names = "--snapshot",
        required = true,
        paramLabel = "ID",
        description =
            "The snapshot, as SNAPSHOT names it (the older spelling; both may be given when they agree).")
    String snapshotId;

    @Option(names = "--all", required = true, description = "Verify every snapshot in the store.")
    boolean all;
  }

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  Which which;

  @Option(names = "--read-data", description = "Download every blob and check its SHA-256.")
  boolean readData;

  @Option(
      names = "--repair",
      description = {
        "Mark blobs that are missing or whose content is wrong damaged (damaged/<blob id>; a corrupt format-1 blob object is deleted);"
            + " the next backup re-reads files that hold them and uploads them again. Use with --read-data to find corrupt content."
      })
  boolean repair;

  @Option(
      names = "--parallelism",
      paramLabel = "N",
      defaultValue = "8",
      description = "Blobs checked at once (1-256, default: ${DEFAULT-VALUE}).")
  int parallelism;

  @Option(
      names = "--json",
      description =
          "Print the result as one JSON object: each snapshot's checks, the repair's, and the"
              + " report --result-file writes.")
  boolean json;

  @Mixin RunReportOptions report;

  /** A problem with one blob of a snapshot. */
  public record Problem(String path, String blobId, String what) {}

  /**
   * One snapshot's checks: ok, problems, or refused (its index cannot be read or fails validation).
   */
  public record Checked(
      String snapshotId,
      String status,
      long blobsChecked,
      long bytesChecked,
      List<Problem> problems,
      String error) {}

  /** What --repair did. */
  public record Repair(int removedBlobs, int damagedBlobs, List<String> snapshotsAffected) {}

  /**
   * What `verify --json` prints: every snapshot's checks, and the run's report (the one
   * --result-file writes, which must fit a termination message, so it names only the first damaged
   * snapshots).
   */
  public record Result(
      boolean ok, boolean readData, List<Checked> snapshots, Repair repair, VerifyReport report) {}

  @Override
  public Integer call() {
    return report.reporting(this::run);
  }

  private int run() {
    boolean all = which != null && which.all;
    if (all && snapshotArg != null) {
      throw new UsageException(
          "give either a SNAPSHOT ('" + Names.safe(snapshotArg) + "') or --all, not both");
    }
    String named =
        all ? null : Snapshots.chosen(snapshotArg, which == null ? null : which.snapshotId);
    if (!all && named == null) {
      throw new UsageException(
          "name the snapshot to verify (an id, a unique prefix of one, or latest), or give --all");
    }
    long start = System.nanoTime();
    // With --json, the lines per snapshot are left out: stdout holds the one JSON object.
    PrintWriter out =
        json ? new PrintWriter(java.io.Writer.nullWriter()) : spec.commandLine().getOut();
    List<Checked> results = new ArrayList<>();
    Repair repaired = null;
    PrintWriter err = spec.commandLine().getErr();
    SnapshotVerifier verifier;
    int failed = 0;
    Map<String, String> damaged = new LinkedHashMap<>(); // blob id -> what, for the markers
    Map<String, List<String>> affected = new LinkedHashMap<>(); // blob id -> snapshots
    int removed = 0;
    List<String> damagedSnapshots = new ArrayList<>();
    long checked = 0;
    long blobs = 0;
    long bytes = 0;
    int workers = Limits.parallelism(parallelism);
    try (BlobStoreManager store = storeOptions.open()) {
      store.checkAccess();
      Repository repo = storeOptions.repository(store);
      verifier = new SnapshotVerifier(repo, workers);
      SnapshotCatalog catalog = new SnapshotCatalog(repo);
      List<String> ids = new ArrayList<>();
      if (all) {
        catalog.entries(null).forEach(e -> ids.add(e.snapshotId()));
      } else {
        ids.add(Snapshots.resolve(catalog, named, null));
      }
      for (String id : ids) {
        Snapshot index;
        SnapshotVerifier.Report r;
        try {
          index = catalog.load(id);
          r = verifier.verify(index, readData);
        } catch (SnapshotNotFoundException e) {
          if (!all) {
            throw e;
          }
          continue; // forgotten since it was listed (retention, an expiry): nothing to verify
        } catch (IndexFormatException | dev.strata.engine.IntegrityException e) {
          failed++;
          checked++;
          damagedSnapshots.add(id);
          out.printf("snapshot %s: refused: %s%n", id, Names.safe(e.getMessage()));
          results.add(new Checked(id, "refused", 0, 0, List.of(), Names.safe(e.getMessage())));
          continue;
        }
        results.add(
            new Checked(
                id,
                r.ok() ? "ok" : "problems",
                r.blobsChecked(),
                r.bytesChecked(),
                r.problems().stream()
                    .map(p -> new Problem(Names.safe(p.path()), p.blobId(), p.what()))
                    .toList(),
                null));
        checked++;
        blobs += r.blobsChecked();
        bytes += r.bytesChecked();
        if (r.ok()) {
          out.printf(
              "snapshot %s: ok (%d blobs, %s%s)%n",
              id, r.blobsChecked(), Output.bytes(r.bytesChecked()), readData ? " read" : "");
          continue;
        }
        failed++;
        damagedSnapshots.add(id);
        out.printf("snapshot %s: %d problems%n", id, r.problems().size());
        for (SnapshotVerifier.Problem p : r.problems()) {
          if (!json) {
            err.printf("  %s: blob %s %s%n", Names.safe(p.path()), p.blobId(), p.what());
          }
          affected.computeIfAbsent(p.blobId(), k -> new ArrayList<>()).add(id);
          if (repair && !damaged.containsKey(p.blobId())) {
            damaged.put(p.blobId(), p.path());
            if (index.formatVersion() == 1 && !p.what().startsWith("missing")) {
              // Format 1: the corrupt blob is an object of its own. Format 2: it sits in a pack
              // with intact blobs; the
              // marker makes the next backup store it again, and garbage collection drops the
              // damaged copy.
              String key = StoreLayout.blobKey(p.blobId());
              store.delete(key, Metadata.of(index.metadata().sourceId(), key));
              removed++;
            }
          }
        }
      }
      if (ids.isEmpty()) {
        out.println("no snapshots");
      }
      if (repair) {
        for (Map.Entry<String, String> e : damaged.entrySet()) {
          String key = StoreLayout.damagedKey(e.getKey());
          byte[] note =
              Output.compactJson(
                      Map.of("file", e.getValue(), "snapshots", affected.get(e.getKey())))
                  .getBytes(StandardCharsets.UTF_8);
          store.put(key, note, note.length, null, Metadata.of(null, key).withSize(note.length));
        }
        TreeSet<String> snapshots = new TreeSet<>();
        affected.values().forEach(snapshots::addAll);
        repaired = new Repair(removed, damaged.size(), List.copyOf(snapshots));
        out.printf(
            "repair: removed %d corrupt format-1 blobs, marked %d blobs damaged; %d snapshots affected%s. The next backup of a source"
                + " that still holds their content stores them again (or back up with --full-check)%n",
            removed,
            damaged.size(),
            snapshots.size(),
            snapshots.isEmpty() ? "" : " (" + String.join(", ", snapshots) + ")");
      }
    }
    VerifyReport result =
        new VerifyReport(
            checked,
            damagedSnapshots.size(),
            damagedSnapshots.stream().limit(VerifyReport.MAX_IDS).toList(),
            blobs,
            bytes,
            readData,
            repair ? (long) removed : null,
            repair ? (long) damaged.size() : null,
            (System.nanoTime() - start) / 1_000_000);
    report.writeResult(result);
    if (json) {
      Output.json(
          spec.commandLine().getOut(),
          new Result(failed == 0, readData, results, repaired, result));
    }
    return failed == 0 ? 0 : 1;
  }
}
