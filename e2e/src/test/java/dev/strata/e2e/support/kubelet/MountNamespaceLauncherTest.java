package dev.strata.e2e.support.kubelet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.e2e.support.kubelet.MountNamespaceLauncher.Mount;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MountNamespaceLauncherTest {

  @TempDir Path tmp;

  @Test
  void scriptMountsParentsFirstAndQuotes() throws Exception {
    HostMountPoints points = new HostMountPoints();
    MountNamespaceLauncher launcher = new MountNamespaceLauncher(points);
    Path volume = Files.createDirectories(tmp.resolve("vol"));
    Path config = Files.createDirectories(tmp.resolve("cfg"));
    Path target = tmp.resolve("mnt/data");
    String script =
        launcher.script(
            List.of(
                new Mount(config, target.resolve("conf").toString(), true),
                new Mount(volume, target.toString(), false)),
            "/work",
            List.of("java", "it's"));
    assertThat(script.indexOf("--bind '" + volume + "'"))
        .isLessThan(script.indexOf("--bind '" + config + "'"));
    assertThat(script)
        .contains("mkdir -p '" + target.resolve("conf") + "'")
        .contains("-o remount,bind,ro '" + target.resolve("conf") + "'")
        .contains("exec 'java' 'it'\\''s'");
    assertThat(target).isDirectory(); // created on the host: it is not under another mount
    points.removeCreated();
    assertThat(tmp.resolve("mnt")).doesNotExist();
  }

  /** Runs for real: needs root and mount namespaces, as the stand-in does. */
  @Test
  void processSeesVolumesAtMountPathsAndReadOnlyIsEnforced() throws Exception {
    MountNamespaceLauncher.checkAvailable();
    HostMountPoints points = new HostMountPoints();
    MountNamespaceLauncher launcher = new MountNamespaceLauncher(points);
    Path volume = Files.createDirectories(tmp.resolve("vol"));
    Files.writeString(volume.resolve("seed.txt"), "seeded");
    Path ro = Files.createDirectories(tmp.resolve("ro"));
    Path target = tmp.resolve("container/data");
    Path log = tmp.resolve("out.log");
    Process process =
        launcher.launch(
            List.of(
                new Mount(volume, target.toString(), false),
                new Mount(ro, target.resolve("ro").toString(), true)),
            null,
            List.of(
                "/bin/sh",
                "-c",
                "cat "
                    + target
                    + "/seed.txt; echo written > "
                    + target
                    + "/out.txt;"
                    + " touch "
                    + target
                    + "/ro/x 2>/dev/null && echo ro-writable || echo ro-refused; echo $GREETING"),
            Map.of("PATH", "/usr/bin:/bin", "GREETING", "hello"),
            log);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(output).contains("seeded").contains("ro-refused").contains("hello");
    assertThat(volume.resolve("out.txt")).hasContent("written");
    assertThat(target.resolve("seed.txt")).doesNotExist(); // nothing was mounted on the host
    points.removeCreated();
    assertThat(tmp.resolve("container")).doesNotExist();
  }

  /**
   * Issue 14: from a checkout under /tmp every runner pod failed with "Unable to access jarfile
   * /tmp/…": the pod's emptyDir at /tmp hid the jar. A program file under a mount target is bound
   * into the stage before the volumes; arguments that name files in the volumes (the termination
   * log, a path in a volume) are left as they are.
   */
  @Test
  void programFilesUnderAVolumesMountPathStayVisible() throws Exception {
    MountNamespaceLauncher.checkAvailable();
    HostMountPoints points = new HostMountPoints();
    MountNamespaceLauncher launcher = new MountNamespaceLauncher(points);
    Path scratch = Files.createDirectories(tmp.resolve("scratch")); // the pod's emptyDir
    Path hidden = Files.createDirectories(tmp.resolve("container/tmp"));
    Path program =
        Files.writeString(hidden.resolve("program.sh"), "#!/bin/sh\necho program ran > \"$1\"\n");
    program.toFile().setExecutable(true);
    Files.createDirectories(hidden.resolve("classes/a"));
    Path result = Files.createFile(tmp.resolve("result"));
    Path log = tmp.resolve("out.log");
    List<Mount> mounts =
        List.of(
            new Mount(scratch, hidden.toString(), false),
            new Mount(result, hidden.resolve("result").toString(), false));
    Process process =
        launcher.launch(
            mounts,
            null,
            List.of(program.toString(), hidden.resolve("result").toString()),
            Map.of("PATH", "/usr/bin:/bin"),
            log);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(output).isZero();
    assertThat(result)
        .as("written through the volume's mount, not a staged copy")
        .hasContent("program ran");
    String script =
        launcher.script(
            mounts,
            null,
            List.of(
                "java",
                "-cp",
                "/usr/lib:" + hidden.resolve("classes"),
                "-jar",
                program.toString(),
                "--result-file",
                hidden.resolve("result").toString(),
                hidden.resolve("classes").toString()));
    assertThat(script)
        .contains(
            "exec 'java' '-cp' '/usr/lib:"
                + MountNamespaceLauncher.STAGE
                + "/program-0' '-jar' '"
                + MountNamespaceLauncher.STAGE
                + "/program-1' '--result-file' '"
                + hidden.resolve("result")
                + "' '"
                + hidden.resolve("classes")
                + "'");
    points.removeCreated();
  }
}
