package dev.strata.e2e.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ToolsTest {

  @TempDir
  Path home;

  @Test
  void missingPropertiesFailWithTheInstallHint() {
    assertThatThrownBy(() -> Tools.at(home))
        .isInstanceOf(Tools.MissingToolException.class)
        .hasMessageContaining("e2e/tools/install.sh");
  }

  @Test
  void missingOrNonExecutableToolFailsWithTheInstallHint() throws Exception {
    Path etcd = Files.createFile(home.resolve("etcd"));
    Files.writeString(home.resolve("tools.properties"), "etcd=" + etcd + "\nkubernetes.version=v1.34.4\n");
    Tools tools = Tools.at(home);
    assertThat(tools.version("kubernetes.version")).isEqualTo("v1.34.4");
    assertThatThrownBy(() -> tools.require("etcd")).hasMessageContaining("not executable")
        .hasMessageContaining("e2e/tools/install.sh");
    assertThatThrownBy(() -> tools.require("minio")).hasMessageContaining("'minio' is not listed");
    etcd.toFile().setExecutable(true);
    assertThat(tools.require("etcd")).isEqualTo(etcd);
  }
}
