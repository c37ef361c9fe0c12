package dev.strata.cli;

import dev.strata.engine.BlobSource;
import dev.strata.engine.Names;
import dev.strata.engine.PathGlob;
import dev.strata.engine.Snapshot;
import dev.strata.engine.SnapshotCatalog;
import dev.strata.engine.SnapshotNotFoundException;
import dev.strata.engine.format.Repository;
import dev.strata.engine.store.BlobStoreManager;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "find",
    description = {
      "Find files, symlinks and directories by name or path in every snapshot, or in some.",
      "A pattern without a slash, like '*.sst', matches a name at any depth; one with a slash, like 'data/*/CURRENT',"
          + " a whole path from the snapshot's root. * matches within a name, ** across names, ? one character."
          + " Quote patterns, so the shell does not expand them."
    })
final class FindCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin StoreOptions storeOptions;

  @Parameters(
      arity = "1..*",
      paramLabel = "PATTERN",
      description = "What to look for; an entry matching any pattern is printed.")
  List<String> patterns;

  @Option(
      names = "--source-id",
      paramLabel = "ID",
      description = "Only the snapshots of this source.")
  String sourceId;

  @Option(
      names = "--snapshot",
      paramLabel = "ID",
      description = "Only this snapshot: an id, a unique prefix of one, or latest.")
  String snapshotId;

  @Option(names = "--json", description = "Print a JSON array of {snapshotId, sourceId, entry}.")
  boolean json;

  /** One match, as `find --json` prints it. */
  public record Match(String snapshotId, String sourceId, TreeWalk.Node entry) {}

  @Override
  public Integer call() {
    List<PathGlob> globs = new ArrayList<>();
    for (String p : patterns) {
      try {
        globs.add(PathGlob.of(p));
      } catch (IllegalArgumentException e) {
        throw new UsageException(e.getMessage());
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    List<Match> matches = new ArrayList<>();
    int searched = 0;
    try (BlobStoreManager store = storeOptions.open()) {
      store.checkAccess();
      Repository repo = storeOptions.repository(store);
      SnapshotCatalog catalog = new SnapshotCatalog(repo);
      List<String> ids = new ArrayList<>();
      if (snapshotId != null) {
        ids.add(Snapshots.resolve(catalog, snapshotId, sourceId));
      } else {
        catalog.summaries(sourceId).forEach(s -> ids.add(s.snapshotId()));
      }
      BlobSource blobs = new BlobSource(repo, null);
      for (String id : ids) {
        Snapshot s;
        try {
          s = catalog.load(id);
        } catch (SnapshotNotFoundException forgottenMeanwhile) {
          continue;
        }
        searched++;
        List<Match> here = new ArrayList<>();
        TreeWalk.walk(
            blobs.tree(s),
            (p, e) -> {
              if (!p.isEmpty() && globs.stream().anyMatch(g -> g.matches(p))) {
                here.add(new Match(id, s.metadata().sourceId(), TreeWalk.Node.of(p, e)));
              }
              return true;
            });
        if (!json && !here.isEmpty()) {
          out.printf(
              "snapshot %s of %s, created %s UTC:%n",
              id, Names.safe(s.metadata().sourceId()), Output.time(s.metadata().createdAt()));
          here.forEach(m -> out.println("  " + m.entry().longLine()));
        }
        matches.addAll(here);
      }
    }
    if (json) {
      Output.json(out, matches);
    } else if (matches.isEmpty()) {
      out.printf("no match in %d snapshots%n", searched);
    }
    return 0;
  }
}
