package dev.strata.engine.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.engine.GcReport;
import dev.strata.engine.report.RunError.Cause;
import org.junit.jupiter.api.Test;

/**
 * The runner writes and the operator reads the same records; old and new writers and readers
 * understand each other.
 */
class RunReportsTest {

  @Test
  void reportsRoundTrip() {
    BackupReport backup =
        new BackupReport(
            "20261126T101502.113Z-9c1f0e",
            "ns/pvc/rocksdb",
            null,
            "snapshots/k.json.gz",
            41,
            3,
            0,
            2_151_677_952L,
            16_846_848L,
            2_134_831_104L,
            4_100,
            null,
            null,
            null,
            null);
    assertThat(RunReports.read(RunReports.toJson(backup), BackupReport.class).report())
        .contains(backup);
    assertThat(RunReports.toJson(backup))
        .contains("\"previousSnapshotId\":null")
        .doesNotContain("changedFiles");
    BackupReport changed =
        new BackupReport(
            "id",
            "ns/pvc/",
            "parent",
            "k",
            1,
            0,
            0,
            1,
            1,
            0,
            1,
            java.util.List.of("a.sst"),
            1,
            java.util.List.of(),
            0);
    assertThat(RunReports.read(RunReports.toJson(changed), BackupReport.class).report())
        .contains(changed);

    RestoreReport restore =
        RestoreReport.restored("id", "/strata/target", "sync", 3, 30, 10, 20, 5);
    assertThat(RunReports.read(RunReports.toJson(restore), RestoreReport.class).report())
        .contains(restore);
    RestoreReport fresh = RestoreReport.freshStart("ns/pvc/", "/strata/target");
    assertThat(RunReports.toJson(fresh))
        .isEqualTo(
            "{\"restored\":false,\"reason\":\"no snapshot of ns/pvc/ yet\",\"sourceId\":\"ns/pvc/\",\"target\":\"/strata/target\"}");
    assertThat(RunReports.read(RunReports.toJson(fresh), RestoreReport.class).report())
        .contains(fresh);

    GcReport gc = new GcReport(4, 1, 1, 100, 90, 10, 4096, 2, 0, false, 2500);
    assertThat(RunReports.read(RunReports.toJson(gc), GcReport.class).report()).contains(gc);
  }

  @Test
  void anErrorIsReadWhateverReportWasExpected() {
    RunError denied =
        new RunError(
            "checkAccess on s3://b failed: access denied for access key AKIA…",
            Cause.ACCESS_DENIED);
    String json = RunReports.toJson(denied);
    assertThat(json)
        .isEqualTo(
            "{\"error\":\"checkAccess on s3://b failed: access denied for access key AKIA…\",\"cause\":\"ACCESS_DENIED\"}");
    RunReports.Result<BackupReport> read = RunReports.read(json, BackupReport.class);
    assertThat(read.report()).isEmpty();
    assertThat(read.error()).contains(denied);
  }

  @Test
  void anErrorOfARunnerFromBeforeCausesIsInternalAndNewFieldsAreIgnored() {
    assertThat(RunReports.read("{\"error\":\"boom\"}", BackupReport.class).error())
        .contains(new RunError("boom", Cause.INTERNAL));
    BackupReport later =
        RunReports.read(
                "{\"snapshotId\":\"x\",\"files\":2,\"somethingNew\":[1,2]}", BackupReport.class)
            .report()
            .orElseThrow();
    assertThat(later.snapshotId()).isEqualTo("x");
    assertThat(later.files()).isEqualTo(2);
  }

  @Test
  void textThatIsNotAResultIsRefused() {
    assertThatThrownBy(
            () ->
                RunReports.read(
                    "Picked up JAVA_TOOL_OPTIONS\nstrata: out of memory", BackupReport.class))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RunReports.read("[1]", BackupReport.class))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
