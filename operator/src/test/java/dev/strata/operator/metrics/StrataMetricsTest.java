package dev.strata.operator.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.api.v1alpha1.GarbageCollectionStatus;
import dev.strata.api.v1alpha1.VerificationStatus;
import dev.strata.build.BuildInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What Prometheus sees: series that exist before their first event, histograms with buckets, gauges
 * that go.
 */
class StrataMetricsTest {

  final StrataMetrics metrics = new StrataMetrics();

  @Test
  void theBuildsVersionAndCommitAreAnInfoSeries() {
    assertThat(new StrataMetrics("1.2.3", "0123456789ab").scrape())
        .contains("strata_build_info{commit=\"0123456789ab\",version=\"1.2.3\"} 1");
    assertThat(new StrataMetrics("1.2.3", null).scrape())
        .contains("strata_build_info{commit=\"unknown\",version=\"1.2.3\"} 1");
    // This build's, as build.properties gives it (the pom's version and the checkout's commit).
    String version = BuildInfo.version();
    assertThat(version).matches("\\d+\\.\\d+\\.\\d+.*");
    assertThat(metrics.scrape())
        .containsPattern(
            "(?m)^strata_build_info\\{commit=\"(?:[0-9a-f]{7,40}|unknown)\",version=\""
                + Pattern.quote(version)
                + "\"} 1(\\.0)?$");
  }

  @Test
  void aKnownNamespacesCountersExistAtZeroBeforeTheFirstFailure() {
    metrics.namespaceSeen("team-a");
    String before = metrics.scrape();
    assertThat(before)
        .contains("strata_snapshots_total{namespace=\"team-a\",result=\"failed\"} 0.0")
        .contains("strata_snapshots_total{namespace=\"team-a\",result=\"succeeded\"} 0.0")
        .contains("strata_restores_total{namespace=\"team-a\",result=\"failed\"} 0.0")
        .contains("strata_snapshot_uploaded_bytes_total{namespace=\"team-a\"} 0.0");

    metrics.snapshotFinished(
        "team-a",
        "team-a/data-0/",
        false,
        Duration.ofSeconds(40),
        0,
        0,
        Instant.parse("2026-11-26T10:00:00Z"));
    assertThat(metrics.scrape())
        .contains("strata_snapshots_total{namespace=\"team-a\",result=\"failed\"} 1.0");
  }

  @Test
  void durationsAreHistogramsWithBuckets() {
    metrics.snapshotFinished(
        "team-a",
        "team-a/data-0/",
        true,
        Duration.ofSeconds(40),
        10,
        90,
        Instant.parse("2026-11-26T10:00:00Z"));
    String text = metrics.scrape();
    assertThat(text)
        .contains("# TYPE strata_snapshot_duration_seconds histogram")
        .contains(
            "strata_snapshot_duration_seconds_bucket{namespace=\"team-a\",result=\"succeeded\",le=\"30.0\"} 0")
        .contains(
            "strata_snapshot_duration_seconds_bucket{namespace=\"team-a\",result=\"succeeded\",le=\"60.0\"} 1")
        .contains(
            "strata_snapshot_duration_seconds_count{namespace=\"team-a\",result=\"succeeded\"} 1");
  }

  @Test
  void aSourcesLastSuccessIsZeroUntilOneIsKnownNeverGoesBackAndGoesWithTheSource() {
    metrics.sourceSeen("team-a", "team-a/data-0/", null);
    assertThat(metrics.scrape())
        .contains(
            "strata_snapshot_last_success_timestamp_seconds{namespace=\"team-a\",source=\"team-a/data-0/\"} 0.0");
    metrics.sourceSeen("team-a", "team-a/data-0/", Instant.ofEpochSecond(1_700_000_100L));
    metrics.sourceSeen(
        "team-a",
        "team-a/data-0/",
        Instant.ofEpochSecond(1_700_000_000L)); // an older snapshot listed later
    assertThat(metrics.scrape())
        .contains(
            "strata_snapshot_last_success_timestamp_seconds{namespace=\"team-a\",source=\"team-a/data-0/\"} 1.7000001E9");
    metrics.sourceGone("team-a", "team-a/data-0/");
    assertThat(metrics.scrape()).doesNotContain("source=\"team-a/data-0/\"");
    metrics.sourceSeen("team-a", "team-a/data-0/", null);
    assertThat(metrics.scrape())
        .contains(
            "strata_snapshot_last_success_timestamp_seconds{namespace=\"team-a\",source=\"team-a/data-0/\"} 0.0");
  }

  @Test
  void aStoresSeriesExistFromTheStartAndGoWithIt() {
    metrics.storeSeen(
        "team-a",
        "minio",
        new GarbageCollectionStatus(
            "2026-11-26T03:17:40Z", "Succeeded", null, 1L, 1L, 0L, 1L, "ok"));
    String text = metrics.scrape();
    assertThat(text)
        .contains(
            "strata_gc_runs_total{namespace=\"team-a\",result=\"failed\",store=\"minio\"} 0.0")
        .contains(
            "strata_store_checks_total{namespace=\"team-a\",ready=\"false\",store=\"minio\"} 0.0")
        .contains(
            "strata_gc_last_run_timestamp_seconds{namespace=\"team-a\",store=\"minio\"} "
                + (double) Instant.parse("2026-11-26T03:17:40Z").getEpochSecond());
    metrics.storeChecked("team-a", "minio", false);
    assertThat(metrics.scrape())
        .contains("strata_store_ready{namespace=\"team-a\",store=\"minio\"} 0.0");
    metrics.storeChecked("team-a", "minio", true);
    assertThat(metrics.scrape())
        .contains("strata_store_ready{namespace=\"team-a\",store=\"minio\"} 1.0");
    metrics.garbageCollected(
        "team-a",
        "minio",
        new GarbageCollectionStatus(
            "2026-11-27T03:17:40Z", "Failed", "RunnerFailed", null, null, null, null, "boom"));
    assertThat(metrics.scrape())
        .contains(
            "strata_gc_runs_total{namespace=\"team-a\",result=\"failed\",store=\"minio\"} 1.0");

    metrics.storeGone("team-a", "minio");
    assertThat(metrics.scrape())
        .doesNotContain("store=\"minio\"")
        .contains("strata_snapshots_total{namespace=\"team-a\"");
  }

  @Test
  void aSchedulesOutcomesExistAtZeroAndCount() {
    metrics.scheduleSeen("team-a", "nightly", Instant.ofEpochSecond(1_700_003_600L));
    assertThat(metrics.scrape())
        .contains(
            "strata_schedule_runs_total{namespace=\"team-a\",outcome=\"missed\",schedule=\"nightly\"} 0.0")
        .contains(
            "strata_schedule_next_run_timestamp_seconds{namespace=\"team-a\",schedule=\"nightly\"} 1.7000036E9");
    metrics.scheduleRun("team-a", "nightly", "skipped");
    assertThat(metrics.scrape())
        .contains(
            "strata_schedule_runs_total{namespace=\"team-a\",outcome=\"skipped\",schedule=\"nightly\"} 1.0");
  }

  @Test
  void
      verificationsHaveTheSeriesOfAStoresRunsAndTheDamagedCountStaysUntilAVerificationThatRanSaysOtherwise() {
    metrics.storeSeen("team-a", "minio", null, null);
    assertThat(metrics.scrape())
        .contains(
            "strata_verify_runs_total{namespace=\"team-a\",result=\"failed\",store=\"minio\"} 0.0")
        .contains(
            "strata_verify_last_run_timestamp_seconds{namespace=\"team-a\",store=\"minio\"} 0.0")
        .contains("strata_store_damaged_snapshots{namespace=\"team-a\",store=\"minio\"} 0.0");
    metrics.verificationFinished(
        "team-a",
        "minio",
        new VerificationStatus(
            "2026-11-29T04:30:00Z", "Succeeded", null, 12L, 2L, null, true, null, 60_000L, "x"));
    assertThat(metrics.scrape())
        .contains("strata_store_damaged_snapshots{namespace=\"team-a\",store=\"minio\"} 2.0")
        .contains(
            "strata_verify_runs_total{namespace=\"team-a\",result=\"succeeded\",store=\"minio\"} 1.0")
        .contains("strata_verify_duration_seconds_count{namespace=\"team-a\",store=\"minio\"} 1");
    metrics.verificationFinished(
        "team-a", "minio", VerificationStatus.failed("2026-12-06T04:01:00Z", "RunnerFailed", "x"));
    assertThat(metrics.scrape())
        .contains("strata_store_damaged_snapshots{namespace=\"team-a\",store=\"minio\"} 2.0")
        .contains(
            "strata_verify_runs_total{namespace=\"team-a\",result=\"failed\",store=\"minio\"} 1.0");

    // A restarted operator learns the count from the store's status.
    StrataMetrics restarted = new StrataMetrics();
    restarted.storeSeen(
        "team-a",
        "minio",
        null,
        new VerificationStatus(
            "2026-11-29T04:30:00Z", "Succeeded", null, 12L, 2L, null, true, null, 1L, "x"));
    assertThat(restarted.scrape())
        .contains("strata_store_damaged_snapshots{namespace=\"team-a\",store=\"minio\"} 2.0");
  }
}
