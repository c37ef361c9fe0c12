package dev.strata.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.e2e.support.CommandResult;
import dev.strata.e2e.support.Examples;
import dev.strata.e2e.support.Tools;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kubectl strata version} works offline: with no cluster to ask, it prints the plugin's
 * version, says why it names no operator, and exits 0, quickly. (ChartOnControlPlaneTest checks the
 * operator's version it reads from an installed chart.)
 */
class PluginVersionOfflineTest {

  static final Path PLUGIN = Examples.dir().resolveSibling("bin").resolve("kubectl-strata");

  @TempDir Path tmp;

  CommandResult plugin(Map<String, String> env, String... args) {
    List<String> command = new ArrayList<>(List.of("/bin/bash", PLUGIN.toString()));
    command.addAll(List.of(args));
    return CommandResult.run(command, env, Duration.ofSeconds(60));
  }

  /** A kubeconfig whose only cluster is {@code server}, its certificate not checked. */
  Path kubeconfig(String server) throws IOException {
    Path file = Files.createTempFile(tmp, "kubeconfig", "");
    Files.writeString(
        file,
        String.join(
            "\n",
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            "- name: nowhere",
            "  cluster:",
            "    server: " + server,
            "    insecure-skip-tls-verify: true",
            "contexts:",
            "- name: nowhere",
            "  context: {cluster: nowhere, user: nobody}",
            "current-context: nowhere",
            "users:",
            "- name: nobody",
            "  user: {token: none}",
            ""));
    return file;
  }

  @Test
  void withNoClusterReachableItPrintsThePluginsVersionAndWhyNoOperator() throws IOException {
    // Nothing listens on port 1 of the loopback address: the connection is refused.
    Path kubeconfig = kubeconfig("https://127.0.0.1:1");
    Map<String, String> env =
        Map.of(
            "KUBECTL",
            Tools.installed().require(Tools.KUBECTL).toString(),
            "KUBECONFIG",
            kubeconfig.toString(),
            "HOME",
            tmp.toString());
    for (List<String> args :
        List.of(
            List.of("version"),
            List.of("--version"),
            List.of("version", "-n", "strata-system"),
            List.of("version", "--namespace", "strata-system"))) {
      long start = System.nanoTime();
      CommandResult r = plugin(env, args.toArray(String[]::new));
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(r.exitCode()).as("%s: %s%s", args, r.stdout(), r.stderr()).isZero();
      assertThat(r.stdout().lines().toList())
          .as("%s", args)
          .containsExactly(
              "kubectl-strata dev",
              "operator: not found (The connection to the server 127.0.0.1:1 was refused"
                  + " - did you specify the right host or port?)");
      assertThat(r.stderr()).as("%s", args).isEmpty();
      assertThat(took).as("%s", args).isLessThan(Duration.ofSeconds(15));
    }
  }

  @Test
  void aClusterThatNeverAnswersIsGivenUpOnInTime() throws IOException {
    // A port whose connections the kernel completes but nobody ever reads from: the TLS handshake
    // waits for an answer that never comes (kubectl alone retries for about 25 seconds).
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      Map<String, String> env =
          Map.of(
              "KUBECTL",
              Tools.installed().require(Tools.KUBECTL).toString(),
              "KUBECONFIG",
              kubeconfig("https://127.0.0.1:" + silent.getLocalPort()).toString(),
              "HOME",
              tmp.toString(),
              "STRATA_VERSION_TIMEOUT",
              "3");
      long start = System.nanoTime();
      CommandResult r = plugin(env, "version");
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
      assertThat(r.stdout().lines().toList())
          .containsExactly(
              "kubectl-strata dev",
              "operator: not found (no answer from the cluster within 3 seconds)");
      assertThat(took).isBetween(Duration.ofSeconds(3), Duration.ofSeconds(10));
    }
  }

  @Test
  void withNoKubectlItPrintsThePluginsVersionAndSaysSo() {
    CommandResult r = plugin(Map.of("KUBECTL", tmp.resolve("no-kubectl").toString()), "version");
    assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isZero();
    assertThat(r.stdout().lines().toList())
        .containsExactly(
            "kubectl-strata dev",
            "operator: not found (cannot run " + tmp.resolve("no-kubectl") + ": no such command)");
  }

  @Test
  void anythingElseAfterVersionIsRefused() {
    CommandResult r = plugin(Map.of(), "version", "extra");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr()).contains("version: unknown argument extra");
    assertThat(r.stdout()).isEmpty();
  }
}
