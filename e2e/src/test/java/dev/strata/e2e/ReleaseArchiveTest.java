package dev.strata.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.e2e.support.Examples;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What `mvn package` releases (backup-runner/target): an archive whose bin/strata runs with Java
 * alone, in a directory of its own, with completion scripts a shell loads; the kubectl plugin's
 * archive, and a krew manifest naming that archive's sha256 and the build's version.
 */
class ReleaseArchiveTest {

  static final Path ROOT = Examples.dir().getParent();
  static final Path TARGET = ROOT.resolve("backup-runner/target");

  @TempDir Path tmp;

  static String version() throws IOException {
    Matcher m =
        Pattern.compile("<artifactId>strata-parent</artifactId>\\s*<version>([^<]+)</version>")
            .matcher(Files.readString(ROOT.resolve("pom.xml")));
    assertThat(m.find()).isTrue();
    return m.group(1);
  }

  record Result(int code, String out) {}

  Result run(Path dir, Map<String, String> env, String... command) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().clear();
    pb.environment().putAll(env);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), out);
  }

  @Test
  void theArchiveRunsWithJavaAloneAndCompletes() throws Exception {
    String version = version();
    Path archive = TARGET.resolve("strata-" + version + ".tar.gz");
    assertThat(archive).as("built by mvn package").exists();
    assertThat(run(tmp, Map.of("PATH", "/usr/bin:/bin"), "tar", "xzf", archive.toString()).code())
        .isZero();
    Path home = tmp.resolve("strata-" + version);
    for (String f :
        List.of(
            "bin/strata",
            "bin/kubectl-strata",
            "lib/strata-runner.jar",
            "completion/strata.bash",
            "completion/_strata",
            "LICENSE",
            "README.md")) {
      assertThat(home.resolve(f)).as(f).exists();
    }
    assertThat(Files.isExecutable(home.resolve("bin/strata"))).isTrue();
    assertThat(Files.readString(home.resolve("LICENSE")))
        .contains("Apache License")
        .contains("Version 2.0");

    // Only Java on PATH (a directory of its own holding a link to it): no Maven, no checkout around
    // it.
    Path javaOnly = Files.createDirectories(tmp.resolve("java-only"));
    Files.createSymbolicLink(
        javaOnly.resolve("java"), Path.of(ProcessHandle.current().info().command().orElseThrow()));
    Map<String, String> env = Map.of("PATH", javaOnly + ":/bin", "HOME", tmp.toString());
    Result v = run(tmp, env, "/bin/bash", home.resolve("bin/strata").toString(), "--version");
    assertThat(v.code()).as(v.out()).isZero();
    assertThat(v.out()).startsWith("strata " + version);
    // The plugin in the archive carries the same version and commit (`mvn package` writes them in).
    Result pv =
        run(tmp, env, "/bin/bash", home.resolve("bin/kubectl-strata").toString(), "version");
    assertThat(pv.code()).as(pv.out()).isZero();
    // Then the operator's (none here: PluginVersionOfflineTest, ChartOnControlPlaneTest).
    assertThat(pv.out().lines().findFirst()).hasValue("kubectl-strata " + pluginVersion(v.out()));

    Path data = Files.createDirectories(tmp.resolve("data"));
    Files.writeString(data.resolve("f"), "hello");
    Map<String, String> withStore =
        Map.of(
            "PATH",
            javaOnly + ":/bin",
            "HOME",
            tmp.toString(),
            "STRATA_STORE",
            tmp.resolve("store").toUri().toString());
    Result backup =
        run(
            tmp,
            withStore,
            "/bin/bash",
            home.resolve("bin/strata").toString(),
            "backup",
            "--source",
            data.toString(),
            "--source-id",
            "d");
    assertThat(backup.code()).as(backup.out()).isZero();
    Result dump =
        run(
            tmp,
            withStore,
            "/bin/bash",
            home.resolve("bin/strata").toString(),
            "dump",
            "latest",
            "f");
    assertThat(dump.out()).isEqualTo("hello");

    // bash loads the completion script and completes subcommands from it.
    Result complete =
        run(
            tmp,
            Map.of("PATH", "/usr/bin:/bin"),
            "/bin/bash",
            "-c",
            "source "
                + home.resolve("completion/strata.bash")
                + " && complete -p strata"
                + " && COMP_WORDS=(strata sna) COMP_CWORD=1 COMP_LINE='strata sna' COMP_POINT=10 && _complete_strata && echo \"${COMPREPLY[@]}\"");
    assertThat(complete.code()).as(complete.out()).isZero();
    assertThat(complete.out()).contains("-F _complete_strata").contains("snapshots");
  }

  @Test
  void theCheckoutsLauncherRunsTheBuiltJarWithJavaAlone() throws Exception {
    Path javaOnly = Files.createDirectories(tmp.resolve("java-only"));
    Files.createSymbolicLink(
        javaOnly.resolve("java"), Path.of(ProcessHandle.current().info().command().orElseThrow()));
    // A link to bin/strata elsewhere, as on a PATH: it still finds the checkout's jar.
    Path link =
        Files.createSymbolicLink(
            tmp.resolve("strata"), ROOT.resolve("bin/strata").toAbsolutePath());
    Result v =
        run(
            tmp,
            Map.of("PATH", javaOnly + ":/bin", "HOME", tmp.toString()),
            "/bin/bash",
            link.toString(),
            "--version");
    assertThat(v.code()).as(v.out()).isZero();
    assertThat(v.out()).startsWith("strata " + version()).doesNotContain("building");
  }

  /**
   * What the plugin says after "kubectl-strata ": what `strata --version` says of the build (its
   * version, and its commit when built from a checkout), without the Java version.
   */
  static String pluginVersion(String strataVersion) {
    Matcher m = Pattern.compile("^strata (.+), Java \\d+").matcher(strataVersion);
    assertThat(m.find()).as("strata --version: %s", strataVersion).isTrue();
    return m.group(1);
  }

  @Test
  void thePluginsArchiveHoldsTheVersionedPlugin() throws Exception {
    String version = version();
    Path plugin = TARGET.resolve("kubectl-strata-" + version + ".tar.gz");
    assertThat(run(tmp, Map.of("PATH", "/usr/bin:/bin"), "tar", "xzf", plugin.toString()).code())
        .isZero();
    assertThat(Files.isExecutable(tmp.resolve("kubectl-strata"))).isTrue();
    Map<String, String> env = Map.of("PATH", "/usr/bin:/bin");
    for (String arg : List.of("version", "--version")) {
      Result v = run(tmp, env, "/bin/bash", tmp.resolve("kubectl-strata").toString(), arg);
      assertThat(v.code()).as(v.out()).isZero();
      assertThat(v.out()).startsWith("kubectl-strata " + version);
    }
    // The checkout's own copy is not a release: it says so.
    Result dev =
        run(tmp, env, "/bin/bash", ROOT.resolve("bin/kubectl-strata").toString(), "version");
    assertThat(dev.out().lines().findFirst()).hasValue("kubectl-strata dev");
  }

  @Test
  void theKrewManifestNamesThePluginArchiveAndItsChecksum()
      throws IOException, NoSuchAlgorithmException {
    String version = version();
    Path plugin = TARGET.resolve("kubectl-strata-" + version + ".tar.gz");
    assertThat(plugin).exists();
    String sha =
        HexFormat.of()
            .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(plugin)));
    String manifest = Files.readString(TARGET.resolve("krew/strata.yaml"));
    assertThat(manifest)
        .contains("sha256: " + sha)
        .contains("version: v" + version)
        .contains("/kubectl-strata-" + version + ".tar.gz")
        .contains("bin: kubectl-strata")
        .doesNotContain("@");
    assertThat(manifest)
        .contains("kind: Plugin")
        .contains("apiVersion: krew.googlecontainertools.github.com/v1alpha2");
  }
}
