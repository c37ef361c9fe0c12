package dev.strata.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.e2e.support.CommandResult;
import dev.strata.e2e.support.ControlPlane;
import dev.strata.e2e.support.ControlPlaneExtension;
import dev.strata.e2e.support.Examples;
import dev.strata.e2e.support.TestNamespace;
import dev.strata.operator.schedule.CronSchedule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What users see of the resources through the real API server with the committed CRDs: `kubectl
 * get` columns in the order the docs show, cron expressions checked at admission, and validation
 * messages that say what to write instead of echoing a regex.
 */
@ExtendWith(ControlPlaneExtension.class)
class ResourceViewsTest {

  @TempDir Path tmp;

  @BeforeAll
  static void crds(ControlPlane plane) {
    plane.kubectl("apply", "-f", Examples.dir().resolveSibling("crds").toString()).assertSuccess();
  }

  /** The columns of each kind, and the page that shows them. */
  private record View(String example, String doc, List<String> columns) {}

  private static final Map<String, View> VIEWS = new LinkedHashMap<>();

  static {
    VIEWS.put(
        "snapshotstores",
        new View(
            "snapshot-store.yaml",
            "snapshots.md",
            List.of("NAME", "BUCKET", "ENDPOINT", "READY", "REASON", "HEALTHY", "AGE")));
    VIEWS.put(
        "statesnapshots",
        new View(
            "state-snapshot.yaml",
            "snapshots.md",
            List.of("NAME", "PHASE", "SOURCE", "SIZE", "UPLOADED", "AGE")));
    VIEWS.put(
        "snapshotschedules",
        new View(
            "snapshot-schedule.yaml",
            "schedules-and-retention.md",
            List.of(
                "NAME", "SCHEDULE", "SUSPEND", "LAST", "NEXT", "LAST SUCCESS", "READY", "AGE")));
    VIEWS.put(
        "retentionpolicies",
        new View(
            "retention-policy.yaml",
            "schedules-and-retention.md",
            List.of("NAME", "LAST", "DAILY", "MAX AGE", "DRY RUN", "APPLIED", "AGE")));
    VIEWS.put(
        "staterestores",
        new View(
            "restore.yaml",
            "restore-runbook.md",
            List.of("NAME", "PHASE", "SNAPSHOT", "TARGET", "PROGRESS", "AGE")));
    VIEWS.put(
        "restorepolicies",
        new View(
            "restore-policy.yaml",
            "restore-policy.md",
            List.of("NAME", "VOLUME", "STORE", "READY", "REASON", "RESTORES", "AGE")));
  }

  /**
   * kubectl separates columns by at least three spaces; a column name has at most one between its
   * words.
   */
  private static List<String> columns(String headerLine) {
    return Arrays.asList(headerLine.trim().split("\\s{2,}"));
  }

  @Test
  void kubectlGetShowsTheColumnsTheDocsShowWithAgeLast(ControlPlane plane, TestNamespace ns)
      throws IOException {
    for (var v : VIEWS.entrySet()) {
      Examples.apply(plane, ns.name(), v.getValue().example()).assertSuccess();
      // kubectl asks the API server for a Table (Accept:
      // application/json;as=Table;v=v1;g=meta.k8s.io) and prints its
      // columns in the CRD's order.
      String out = plane.kubectl("get", v.getKey(), "-n", ns.name()).assertSuccess().stdout();
      assertThat(columns(out.lines().findFirst().orElseThrow()))
          .as(v.getKey())
          .isEqualTo(v.getValue().columns());
      String page =
          Files.readString(Examples.dir().resolveSibling("docs").resolve(v.getValue().doc()));
      assertThat(page.lines().filter(l -> l.startsWith("NAME ")).map(ResourceViewsTest::columns))
          .as("docs/%s shows `kubectl get %s` as it is", v.getValue().doc(), v.getKey())
          .contains(v.getValue().columns());
    }
    // docs/troubleshooting.md's view of every object's kstatus.
    String states =
        plane
            .kubectl(
                "get",
                "strata",
                "-n",
                ns.name(),
                "-o",
                "custom-columns=KIND:.kind,NAMESPACE:.metadata.namespace,"
                    + "NAME:.metadata.name,READY:.status.conditions[?(@.type==\"Ready\")].status,STALLED:.status.conditions[?(@.type==\"Stalled\")]"
                    + ".status,REASON:.status.conditions[?(@.type==\"Ready\")].reason")
            .assertSuccess()
            .stdout();
    assertThat(columns(states.lines().findFirst().orElseThrow()))
        .containsExactly("KIND", "NAMESPACE", "NAME", "READY", "STALLED", "REASON");
    assertThat(states.lines()).hasSize(1 + VIEWS.size());
    assertThat(
            Files.readString(Examples.dir().resolveSibling("docs").resolve("troubleshooting.md")))
        .contains(
            "-o custom-columns='KIND:.kind,NAMESPACE:.metadata.namespace,NAME:.metadata.name,READY:.status.conditions[?(@.type==\"Ready\")]"
                + ".status,STALLED:.status.conditions[?(@.type==\"Stalled\")].status,REASON:.status.conditions[?(@.type==\"Ready\")].reason'");
    String wide =
        plane
            .kubectl("get", "statesnapshots", "-n", ns.name(), "-o", "wide")
            .assertSuccess()
            .stdout();
    assertThat(columns(wide.lines().findFirst().orElseThrow()))
        .containsExactly("NAME", "PHASE", "SOURCE", "SIZE", "UPLOADED", "TAKEN", "EXPIRES", "AGE");
  }

  private CommandResult applySchedule(
      TestNamespace ns, ControlPlane plane, String name, String cron) {
    String yaml =
        Examples.read("snapshot-schedule.yaml")
            .replaceFirst("(?m)^  name: .*$", "  name: " + name)
            .replaceFirst("(?m)^  schedule: .*$", "  schedule: \"" + cron + "\"");
    return Examples.apply(plane, ns.name(), yaml, tmp);
  }

  @Test
  void cronExpressionsAreCheckedAtAdmissionWithWhatToWrite(ControlPlane plane, TestNamespace ns) {
    List<String> good =
        List.of(
            "0 3 * * *",
            "*/15 * * * *",
            "@daily",
            "@Weekly",
            "0 0 1 jan-mar mon-fri",
            "0 3 * * 7",
            "0,30 1-5/2 ? * SUN",
            "5 4  * *  1",
            "59 23 31 12 0");
    int i = 0;
    for (String cron : good) {
      CommandResult r = applySchedule(ns, plane, "good-" + i++, cron);
      assertThat(r.exitCode()).as(cron + ": " + r.stderr()).isZero();
      // Admission and the schedule reconciler agree: what the API server takes, CronSchedule reads.
      assertThatCode(() -> CronSchedule.parse(cron, "UTC")).as(cron).doesNotThrowAnyException();
    }
    Map<String, String> bad = new LinkedHashMap<>();
    bad.put(
        "99 99 * * *",
        "spec.schedule: Invalid value: \"string\": the minute field '99' is out of range or not a number: use"
            + " numbers 0-59, lists (1,5), ranges (1-5) and steps (*/15); write a 5-field cron such as '0 3 * * *' or a macro such as"
            + " @daily");
    bad.put("0 24 * * *", "the hour field '24' is out of range");
    bad.put("0 0 32 * *", "the day-of-month field '32' is out of range");
    bad.put("0 0 * 13 *", "the month field '13' is out of range");
    bad.put("0 0 * * 8", "the day-of-week field '8' is out of range");
    bad.put("*/0 * * * *", "the minute field '*/0' is out of range");
    bad.put(
        "0 3 * *",
        "write a 5-field cron (minute hour day-of-month month day-of-week) such as '0 3 * * *', or a macro");
    bad.put("@fortnightly", "or a macro: @hourly, @daily, @weekly, @monthly or @yearly");
    for (var b : bad.entrySet()) {
      CommandResult r = applySchedule(ns, plane, "bad-" + i++, b.getKey());
      assertThat(r.exitCode()).as(b.getKey()).isNotZero();
      assertThat(r.stderr()).as(b.getKey()).contains(b.getValue()).doesNotContain("should match");
      assertThatThrownBy(() -> CronSchedule.parse(b.getKey(), "UTC"))
          .as(b.getKey())
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(
            plane
                .kubectl("get", "snapshotschedules", "-n", ns.name(), "-o", "name")
                .assertSuccess()
                .stdout()
                .lines())
        .hasSize(good.size());
  }

  @Test
  void timeZonesAreCheckedAtAdmissionAgainstTheZonesTheOperatorReads(
      ControlPlane plane, TestNamespace ns) {
    String schedule = Examples.read("snapshot-schedule.yaml");
    String retention = Examples.read("retention-policy.yaml");
    int i = 0;
    for (String zone :
        List.of("Europe/Berlin", "America/Argentina/Buenos_Aires", "UTC", "Etc/GMT-14", "+02:00")) {
      String yaml =
          schedule
              .replaceFirst("(?m)^  name: .*$", "  name: zone-" + i++)
              .replace("timeZone: Europe/Berlin", "timeZone: \"" + zone + "\"");
      CommandResult r = Examples.apply(plane, ns.name(), yaml, tmp);
      assertThat(r.exitCode()).as(zone + ": " + r.stderr()).isZero();
      assertThatCode(() -> CronSchedule.parse("@daily", zone)).as(zone).doesNotThrowAnyException();
    }
    assertThatThrownBy(() -> CronSchedule.parse("@daily", "Mars/Olympus"))
        .hasMessageContaining("unknown time zone 'Mars/Olympus'");
    String mars =
        "spec.timeZone: Invalid value: \"string\": unknown time zone 'Mars/Olympus': use an IANA name such as Europe/Berlin or UTC";
    CommandResult s =
        Examples.apply(
            plane,
            ns.name(),
            schedule.replace("timeZone: Europe/Berlin", "timeZone: Mars/Olympus"),
            tmp);
    assertThat(s.exitCode()).isNotZero();
    assertThat(s.stderr()).contains(mars);
    CommandResult r =
        Examples.apply(
            plane,
            ns.name(),
            retention.replace("  dryRun: false", "  dryRun: false\n  timeZone: Mars/Olympus"),
            tmp);
    assertThat(r.exitCode()).isNotZero();
    assertThat(r.stderr()).contains(mars);
    // The same on update: a valid schedule cannot be changed to an unknown zone.
    CommandResult update =
        plane.kubectl(
            "patch",
            "snapshotschedule",
            "zone-0",
            "-n",
            ns.name(),
            "--type=merge",
            "-p",
            "{\"spec\":{\"timeZone\":\"Mars/Olympus\"}}");
    assertThat(update.exitCode()).isNotZero();
    assertThat(update.stderr()).contains(mars);
  }

  @Test
  void fieldsOnceCheckedByARegexSayWhatToWrite(ControlPlane plane, TestNamespace ns) {
    Map<String, String[]> cases = new LinkedHashMap<>();
    cases.put(
        "store name",
        new String[] {
          "state-snapshot.yaml",
          "    name: minio",
          "    name: Minio_Store",
          "spec.storeRef.name: Invalid value: \"string\": must be an object name: lower-case letters, digits, '-' and '.'"
        });
    cases.put(
        "endpoint",
        new String[] {
          "snapshot-store.yaml",
          "  endpoint: http://minio.strata-system:9000",
          "  endpoint: minio:9000",
          "spec.endpoint: Invalid value: \"string\": must be an http:// or https:// URL"
        });
    cases.put(
        "prefix",
        new String[] {
          "snapshot-store.yaml",
          "  prefix: snapshots",
          "  prefix: /backups/",
          "spec.prefix: Invalid value: \"string\": must be a key prefix like backups/prod"
        });
    cases.put(
        "compression",
        new String[] {
          "snapshot-store.yaml",
          "  bucket: strata",
          "  bucket: strata\n  compression: fast",
          "spec.compression: Invalid value: \"string\": must be auto, off or max"
        });
    cases.put(
        "as of",
        new String[] {
          "restore.yaml",
          "  source:",
          "  source:\n    asOf: yesterday",
          "spec.source.asOf: Invalid value: \"string\": must be an RFC 3339 time such as 2026-12-01T03:00:00Z"
        });
    cases.put(
        "snapshot id",
        new String[] {
          "state-snapshot.yaml",
          "  storeRef:",
          "  snapshotId: latest\n  storeRef:",
          "spec.snapshotId: Invalid value: \"string\": must be a snapshot id as `strata snapshots` prints it"
        });
    cases.put(
        "gc schedule",
        new String[] {
          "snapshot-store.yaml",
          "  bucket: strata",
          "  bucket: strata\n  gc:\n    schedule: \"0 25 * * *\"",
          "spec.gc.schedule: Invalid value: \"string\": the hour field '25' is out of range"
        });
    for (var c : cases.entrySet()) {
      String[] v = c.getValue();
      String yaml = Examples.read(v[0]);
      assertThat(yaml).as(c.getKey()).contains(v[1]);
      CommandResult r =
          Examples.apply(
              plane, ns.name(), yaml.replaceFirst(java.util.regex.Pattern.quote(v[1]), v[2]), tmp);
      assertThat(r.exitCode()).as(c.getKey()).isNotZero();
      assertThat(r.stderr()).as(c.getKey()).contains(v[3]).doesNotContain("should match");
    }
    assertThat(
            plane.kubectl("get", "strata", "-n", ns.name(), "-o", "name").assertSuccess().stdout())
        .isBlank();
  }
}
