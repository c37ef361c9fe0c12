package dev.strata.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.e2e.support.ControlPlane;
import dev.strata.e2e.support.DirectoryTree;
import dev.strata.e2e.support.Examples;
import dev.strata.e2e.support.MinioServer;
import dev.strata.e2e.support.node.RealCluster;
import dev.strata.e2e.support.node.RealClusterExtension;
import dev.strata.e2e.support.node.RealNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/walkthrough.md, run as a newcomer would follow it (issue 17): every {@code sh} block of its
 * steps, word for word, in order, in one bash session from the repository's root, on the project's
 * real cluster (the one {@code e2e/sandbox up --cluster-only} starts), with the variables the
 * sandbox prints ({@link RealCluster#userEnvironment}). Left out: the blocks the page marks "not
 * run by WalkthroughTest" (starting and stopping the sandbox: this JVM's cluster is that cluster)
 * and the kind appendix, which the page says no test runs. Before the clean-up step, the test
 * compares the restored volume with the original on the node itself.
 */
@ExtendWith(RealClusterExtension.class)
class WalkthroughTest {

  static final Path DOC = Examples.dir().getParent().resolve("docs/walkthrough.md");
  static final String NOT_RUN = "<!-- not run by WalkthroughTest";
  static final String CLEAN_UP = "## 9. Clean up";
  static final String APPENDIX = "## Appendix";

  @TempDir Path tmp;

  /** One sh block: the step it is in, and whether the page marks it as not run. */
  record Block(String step, boolean run, String text) {}

  static List<Block> blocks(String markdown) {
    List<Block> out = new ArrayList<>();
    String step = "";
    String previous = "";
    StringBuilder block = null;
    boolean run = true;
    for (String line : markdown.split("\n", -1)) {
      if (block != null) {
        if (line.equals("```")) {
          out.add(new Block(step, run, block.toString()));
          block = null;
        } else {
          block.append(line).append('\n');
        }
        continue;
      }
      if (line.startsWith(APPENDIX)) {
        break;
      }
      if (line.startsWith("## ")) {
        step = line;
      } else if (line.equals("```sh")) {
        block = new StringBuilder();
        run = !previous.startsWith(NOT_RUN);
      }
      if (!line.isBlank()) {
        previous = line;
      }
    }
    return out;
  }

  @Test
  void theWalkthroughRunsWordForWordAndRestoresTheSameBytes(
      RealCluster cluster, ControlPlane plane, RealNode node, MinioServer minio) throws Exception {
    minio.createBucket(Examples.EXAMPLE_BUCKET);
    List<Block> blocks = blocks(Files.readString(DOC));
    List<Block> steps =
        blocks.stream().filter(b -> b.run() && !b.step().startsWith(CLEAN_UP)).toList();
    List<Block> cleanUp =
        blocks.stream().filter(b -> b.run() && b.step().startsWith(CLEAN_UP)).toList();
    // What the page promises to run is there: a doc edit cannot drop it unnoticed.
    String all = String.join("", steps.stream().map(Block::text).toList());
    assertThat(all)
        .contains(
            "helm install strata charts/strata",
            "examples/snapshot-store.yaml",
            "examples/state-snapshot.yaml",
            "kubectl strata ls",
            "examples/restore.yaml",
            "diff -r",
            "strata dump");
    assertThat(blocks.stream().filter(b -> !b.run()).map(Block::text))
        .containsExactly("e2e/sandbox up --cluster-only\n", "e2e/sandbox down\n");
    assertThat(cleanUp).isNotEmpty();

    Map<String, String> env =
        new HashMap<>(cluster.userEnvironment(plane.kubeconfig(), System.getenv("PATH")));
    // Helm's own files in a directory of this test's, so the machine's repositories and plugins
    // stay out of it.
    env.put("HELM_CONFIG_HOME", tmp.resolve("helm/config").toString());
    env.put("HELM_CACHE_HOME", tmp.resolve("helm/cache").toString());
    env.put("HELM_DATA_HOME", tmp.resolve("helm/data").toString());
    boolean cleanedUp = false;
    try {
      String log = bash(steps, env, "steps");
      assertThat(log).contains("identical");

      Path original = node.hostPathOf("demo", "data-kafka-streams-0").resolve("rocksdb");
      Path restored = node.hostPathOf("demo", "data-kafka-streams-0-restored").resolve("rocksdb");
      Map<String, DirectoryTree.Entry> expected = DirectoryTree.describe(original);
      assertThat(expected).containsKeys("CURRENT", "000042.sst");
      assertThat(expected.get("000042.sst").size()).isEqualTo(8 << 20);
      assertThat(DirectoryTree.describe(restored))
          .as("the restored volume, on the node")
          .isEqualTo(expected);
      assertThat(Files.getLastModifiedTime(restored.resolve("000042.sst")))
          .isEqualTo(Files.getLastModifiedTime(original.resolve("000042.sst")));

      bash(cleanUp, env, "clean-up");
      cleanedUp = true;
      assertThat(plane.client().namespaces().withName("demo").get()).isNull();
    } finally {
      if (!cleanedUp) {
        // The page's own clean-up did not run: put the cluster back for the next test class.
        plane.kubectl("delete", "namespace", "demo", "--ignore-not-found", "--timeout=3m");
        cluster.uninstallOperator();
      }
    }
  }

  /**
   * Runs the blocks as one bash script in the repository's root; fails with its whole output when
   * it fails.
   */
  String bash(List<Block> blocks, Map<String, String> env, String name)
      throws IOException, InterruptedException {
    StringBuilder script = new StringBuilder("set -euo pipefail\nset -x\n");
    blocks.forEach(b -> script.append("# ").append(b.step()).append('\n').append(b.text()));
    Path file = Files.writeString(tmp.resolve(name + ".sh"), script);
    Path output = tmp.resolve(name + ".log");
    ProcessBuilder builder =
        new ProcessBuilder("bash", file.toString())
            .directory(Examples.dir().getParent().toFile())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    builder.environment().remove("KUBECONFIG");
    builder.environment().putAll(env);
    Process process = builder.start();
    boolean finished = process.waitFor(20, TimeUnit.MINUTES);
    if (!finished) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
    String log = Files.readString(output, StandardCharsets.UTF_8);
    System.out.println("==== docs/walkthrough.md, " + name + " ====\n" + log);
    assertThat(finished)
        .as("the walkthrough's %s finished within 20 minutes:\n%s", name, log)
        .isTrue();
    assertThat(process.exitValue()).as("the walkthrough's %s:\n%s", name, log).isZero();
    return log;
  }
}
