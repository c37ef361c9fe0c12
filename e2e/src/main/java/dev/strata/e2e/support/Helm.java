package dev.strata.e2e.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The helm binary from {@code e2e/tools/install.sh} ({@link Tools#HELM}), run offline against the
 * repository's chart. A missing helm throws {@link Tools.MissingToolException} with the install
 * hint: tests fail, never skip. Helm's configuration, cache and data directories are private
 * temporary ones, so the machine's repositories and plugins never leak into a test.
 */
public final class Helm {

  private final Path binary;
  private final Map<String, String> env;

  private Helm(Path binary, Path home) {
    this.binary = binary;
    this.env =
        Map.of(
            "HELM_CONFIG_HOME", home.resolve("config").toString(),
            "HELM_CACHE_HOME", home.resolve("cache").toString(),
            "HELM_DATA_HOME", home.resolve("data").toString(),
            // helm template never contacts a cluster; make sure no kubeconfig of the machine is
            // even read.
            "KUBECONFIG", home.resolve("no-kubeconfig").toString());
  }

  /** The installed helm; throws with the install hint when install.sh has not built it. */
  public static Helm installed() {
    Path binary = Tools.installed().require(Tools.HELM);
    try {
      return new Helm(binary, Files.createTempDirectory("strata-helm-"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code charts/strata} of this checkout. */
  public static Path chartDir() {
    return Examples.dir().resolveSibling("charts").resolve("strata");
  }

  /** Runs {@code helm args...}; the caller checks the exit code. */
  public CommandResult run(List<String> args) {
    return run(args, Duration.ofMinutes(1));
  }

  /** Runs {@code helm args...} with a time limit; the caller checks the exit code. */
  public CommandResult run(List<String> args, Duration timeout) {
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.addAll(args);
    return CommandResult.run(command, env, timeout);
  }

  /** {@code helm lint --strict chart [args]}. */
  public CommandResult lint(Path chart, List<String> args) {
    List<String> all = new ArrayList<>(List.of("lint", "--strict", chart.toString()));
    all.addAll(args);
    return run(all);
  }

  /** {@code helm template release chart --namespace ns [args]}; the caller checks the exit code. */
  public CommandResult template(Path chart, String release, String namespace, List<String> args) {
    List<String> all =
        new ArrayList<>(List.of("template", release, chart.toString(), "--namespace", namespace));
    all.addAll(args);
    return run(all);
  }

  public Path binary() {
    return binary;
  }
}
