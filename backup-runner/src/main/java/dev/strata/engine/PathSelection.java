package dev.strata.engine;

import java.util.List;

/**
 * Which paths of a snapshot a restore takes: those that match an include pattern (all when there is
 * none) and no exclude pattern, a match of a directory covering everything in it; see {@link
 * PathGlob}. A restore of a selection writes and, in sync mode, removes only selected paths:
 * nothing outside them changes. Directories that lead to a selected path are made as the snapshot
 * has them.
 */
public record PathSelection(List<PathGlob> includes, List<PathGlob> excludes) {

  public PathSelection {
    includes = List.copyOf(includes);
    excludes = List.copyOf(excludes);
  }

  /**
   * @throws IllegalArgumentException naming a pattern that is not a glob
   */
  public static PathSelection of(List<String> includes, List<String> excludes) {
    return new PathSelection(
        includes == null ? List.of() : includes.stream().map(PathGlob::of).toList(),
        excludes == null ? List.of() : excludes.stream().map(PathGlob::of).toList());
  }

  /** Whether a path (relative to the snapshot's root, or the target's) is selected. */
  public boolean selects(String relPath) {
    if (!includes.isEmpty() && includes.stream().noneMatch(g -> g.matchesOrUnder(relPath))) {
      return false;
    }
    return excludes.stream().noneMatch(g -> g.matchesOrUnder(relPath));
  }
}
