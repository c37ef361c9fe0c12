package dev.strata.e2e.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ToolsTest {

  @TempDir Path home;

  @Test
  void missingPropertiesFailWithTheInstallHint() {
    assertThatThrownBy(() -> Tools.at(home))
        .isInstanceOf(Tools.MissingToolException.class)
        .hasMessageContaining("e2e/tools/install.sh");
  }

  @Test
  void missingOrNonExecutableToolFailsWithTheInstallHint() throws Exception {
    Path etcd = Files.createFile(home.resolve("etcd"));
    Files.writeString(
        home.resolve("tools.properties"), "etcd=" + etcd + "\nkubernetes.version=v1.34.4\n");
    Tools tools = Tools.at(home);
    assertThat(tools.version("kubernetes.version")).isEqualTo("v1.34.4");
    assertThatThrownBy(() -> tools.require("etcd"))
        .hasMessageContaining("not executable")
        .hasMessageContaining("e2e/tools/install.sh");
    assertThatThrownBy(() -> tools.require("minio")).hasMessageContaining("'minio' is not listed");
    etcd.toFile().setExecutable(true);
    assertThat(tools.require("etcd")).isEqualTo(etcd);
  }

  /**
   * Another checkout's install.sh may rewrite tools.properties without the node's keys: the
   * directory still finds them.
   */
  @Test
  void aToolMissingFromThePropertiesIsFoundInItsVersionedDirectory() throws Exception {
    String version = Tools.versionsEnv().orElseThrow().getProperty("KUBERNETES_VERSION");
    Path kubelet =
        Files.createDirectories(home.resolve("kubernetes-node-" + version)).resolve("kubelet");
    Files.createFile(kubelet).toFile().setExecutable(true);
    Files.writeString(home.resolve("tools.properties"), "etcd=/nonexistent\n");
    Tools tools = Tools.at(home);
    assertThat(tools.require(Tools.KUBELET)).isEqualTo(kubelet);
    assertThat(tools.optional(Tools.KUBE_PROXY)).isEmpty();
  }

  /**
   * The same holds for a tool's version key: the real node names its sandbox image by
   * pause.version, and with that key missing it asked containerd for strata.local/pause:unknown and
   * no pod ever started.
   */
  @Test
  void aVersionMissingFromThePropertiesIsTheVersionOfTheInstalledDirectory() throws Exception {
    String version = Tools.versionsEnv().orElseThrow().getProperty("PAUSE_VERSION");
    Files.writeString(home.resolve("tools.properties"), "etcd=/nonexistent\n");
    assertThat(Tools.at(home).version("pause.version")).isEqualTo("unknown");
    Files.createDirectories(home.resolve("pause-" + version));
    assertThat(Tools.at(home).version("pause.version")).isEqualTo(version);
    assertThat(Tools.at(home).version("no-such-tool.version")).isEqualTo("unknown");
  }

  /** install.sh merges: keys it does not know stay while their files exist; its own are added. */
  @Test
  void installScriptMergesThePropertiesFile() throws Exception {
    Path foreign = Files.createFile(home.resolve("foreign-tool"));
    Files.writeString(
        home.resolve("tools.properties"),
        "foreign=" + foreign + "\nforeign.version=v9\ngone=" + home.resolve("deleted") + "\n");
    Path script = RunnerLaunch.repositoryRoot().orElseThrow().resolve("e2e/tools/install.sh");
    CommandResult result =
        CommandResult.run(
            java.util.List.of(script.toString(), "pause"),
            java.util.Map.of("STRATA_TOOLS_HOME", home.toString()),
            java.time.Duration.ofMinutes(3));
    assertThat(result.exitCode()).as(result.stdout() + result.stderr()).isZero();
    java.util.Properties props = new java.util.Properties();
    try (var reader = Files.newBufferedReader(home.resolve("tools.properties"))) {
      props.load(reader);
    }
    assertThat(props.getProperty("foreign")).isEqualTo(foreign.toString());
    assertThat(props.getProperty("foreign.version")).isEqualTo("v9");
    assertThat(props).doesNotContainKey("gone");
    assertThat(Path.of(props.getProperty("pause"))).isExecutable();
  }
}
