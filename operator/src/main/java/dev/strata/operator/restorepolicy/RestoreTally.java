package dev.strata.operator.restorepolicy;

import dev.strata.api.v1alpha1.PodRestoreResult;
import dev.strata.api.v1alpha1.RestorePolicySource;
import dev.strata.api.v1alpha1.RestorePolicyStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Folds what pods reported into a policy's status: per source the newest report, restores counted
 * once per pod (a pod's uid is remembered in its source's entry, so an operator restart does not
 * count it again), and the reports that are new, for Events. A failure that repeats while the pod
 * retries is reported once.
 */
public final class RestoreTally {

  public static final int MAX_SOURCES = 50;

  public record Update(
      List<RestorePolicySource> sources, long restoresDone, List<PodRestoreReport> fresh) {}

  private RestoreTally() {}

  public static Update apply(RestorePolicyStatus old, Collection<PodRestoreReport> reports) {
    Map<String, RestorePolicySource> bySource = new LinkedHashMap<>();
    if (old != null && old.sources() != null) {
      old.sources().forEach(s -> bySource.put(s.sourceId(), s));
    }
    long done = old == null || old.restoresDone() == null ? 0 : old.restoresDone();
    List<PodRestoreReport> fresh = new ArrayList<>();
    for (PodRestoreReport r :
        reports.stream().sorted(Comparator.comparing(PodRestoreReport::finishedAt)).toList()) {
      RestorePolicySource seen = bySource.get(r.sourceId());
      if (seen != null
          && Objects.equals(seen.podUid(), r.podUid())
          && seen.result() == r.result()) {
        continue; // already recorded
      }
      if (seen != null
          && !Objects.equals(seen.podUid(), r.podUid())
          && seen.resolvedAt() != null
          && !Instant.parse(seen.resolvedAt()).isBefore(r.finishedAt())) {
        continue; // an older pod's report: the source already shows a newer restore
      }
      boolean countedBefore =
          seen != null
              && Objects.equals(seen.podUid(), r.podUid())
              && seen.result() != PodRestoreResult.Failed;
      if (r.result() != PodRestoreResult.Failed && !countedBefore) {
        done++;
      }
      bySource.put(
          r.sourceId(),
          new RestorePolicySource(
              r.sourceId(),
              r.snapshotId(),
              r.finishedAt().toString(),
              r.pod(),
              r.podUid(),
              r.result(),
              r.result() == PodRestoreResult.Restored ? r.downloadedBytes() : null,
              r.result() == PodRestoreResult.Restored ? r.reusedBytes() : null,
              r.message()));
      fresh.add(r);
    }
    List<RestorePolicySource> sources =
        bySource.values().stream()
            .sorted(
                Comparator.comparing(
                        (RestorePolicySource s) -> s.resolvedAt() == null ? "" : s.resolvedAt())
                    .reversed()
                    .thenComparing(RestorePolicySource::sourceId))
            .limit(MAX_SOURCES)
            .toList();
    return new Update(sources, done, fresh);
  }
}
