package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A runner that may not change what it does not own (non-root, or root without CAP_FOWNER and
 * CAP_CHOWN) restores into a target that belongs to someone else: a new volume's root is root's,
 * while a Restricted runner runs as the app's uid. The real node showed "cannot chmod
 * /strata/target: operation not permitted". The data must be restored all the same.
 */
class RestoreIntoForeignTargetTest {

  @TempDir Path tmp;

  @Test
  void aTargetOwnedByAnotherUserIsRestoredIntoAndOnlyItsOwnModeIsLeftAlone() throws Exception {
    // The restore runs in a child JVM without CAP_FOWNER and CAP_CHOWN (setpriv drops them), which
    // is what makes chmod of another
    // user's directory fail; only root can start a process so, and CI runs as root.
    assumeTrue(
        "root".equals(System.getProperty("user.name")) && new File("/usr/bin/setpriv").canExecute(),
        "needs root and setpriv to run the restore without CAP_FOWNER and CAP_CHOWN");
    Path source = Files.createDirectories(tmp.resolve("source"));
    Files.writeString(
        Files.createDirectories(source.resolve("db")).resolve("CURRENT"), "MANIFEST-000004\n");
    Files.setPosixFilePermissions(source, PosixFilePermissions.fromString("rwxr-x---"));
    String store = tmp.resolve("store").toUri().toString();
    assertThat(
            strata(
                false,
                "backup",
                "--store",
                store,
                "--source",
                source.toString(),
                "--source-id",
                "ns/pvc/"))
        .isZero();

    Path target = Files.createDirectories(tmp.resolve("target"));
    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxrwxr-x"));
    assertThat(
            new ProcessBuilder("chown", "12345:12345", target.toString())
                .inheritIO()
                .start()
                .waitFor())
        .isZero();

    int code =
        strata(
            true,
            "restore",
            "--store",
            store,
            "--source-id",
            "ns/pvc/",
            "--snapshot",
            "latest",
            "--target",
            target.toString());

    assertThat(code).as(Files.readString(tmp.resolve("err"))).isZero();
    assertThat(Files.readString(target.resolve("db/CURRENT"))).isEqualTo("MANIFEST-000004\n");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target)))
        .isEqualTo("rwxrwxr-x");
    assertThat(Files.readString(tmp.resolve("err")))
        .contains("are not restored: it belongs to another user");
  }

  private int strata(boolean withoutFowner, String... args) throws Exception {
    String classpath =
        Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .filter(e -> !Path.of(e).endsWith(Path.of("target", "test-classes")))
            .collect(Collectors.joining(File.pathSeparator));
    List<String> cmd = new ArrayList<>();
    if (withoutFowner) {
      cmd.addAll(
          List.of(
              "/usr/bin/setpriv",
              "--inh-caps=-fowner,-chown",
              "--bounding-set=-fowner,-chown",
              "--"));
    }
    cmd.addAll(
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            classpath,
            StrataCli.class.getName()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectOutput(tmp.resolve("out").toFile())
            .redirectError(tmp.resolve("err").toFile());
    pb.environment().put("STRATA_LOG_LEVEL", "INFO");
    return pb.start().waitFor();
  }
}
