package dev.strata.e2e.support;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * The binaries built by {@code e2e/tools/install.sh}, read from {@code tools.properties} in {@code
 * ${STRATA_TOOLS_HOME:-$HOME/.cache/strata-tools}}. A missing tool throws: tests must fail, never
 * skip, when the tools are not installed.
 */
public final class Tools {

  public static final String ETCD = "etcd";
  public static final String KUBE_APISERVER = "kube-apiserver";
  public static final String KUBE_CONTROLLER_MANAGER = "kube-controller-manager";
  public static final String KUBECTL = "kubectl";
  public static final String MINIO = "minio";
  public static final String MC = "mc";
  public static final String HELM = "helm";
  public static final String RESTIC = "restic";
  public static final String RCLONE = "rclone";
  public static final String KUBELET = "kubelet";
  public static final String KUBE_SCHEDULER = "kube-scheduler";
  public static final String KUBE_PROXY = "kube-proxy";
  public static final String COREDNS = "coredns";
  public static final String PAUSE = "pause";
  public static final String PROMTOOL = "promtool";

  /**
   * Where install.sh puts each binary: {@code <tool>-<version>/<binary>} with the version from
   * versions.env. Used when tools.properties lacks a key: an install.sh of another checkout (which
   * knows fewer tools) may have rewritten it.
   */
  private static final java.util.Map<String, String[]> DIRECTORIES =
      java.util.Map.ofEntries(
          java.util.Map.entry(ETCD, new String[] {"etcd", "ETCD_VERSION"}),
          java.util.Map.entry(KUBE_APISERVER, new String[] {"kubernetes", "KUBERNETES_VERSION"}),
          java.util.Map.entry(
              KUBE_CONTROLLER_MANAGER, new String[] {"kubernetes", "KUBERNETES_VERSION"}),
          java.util.Map.entry(KUBECTL, new String[] {"kubernetes", "KUBERNETES_VERSION"}),
          java.util.Map.entry(KUBELET, new String[] {"kubernetes-node", "KUBERNETES_VERSION"}),
          java.util.Map.entry(
              KUBE_SCHEDULER, new String[] {"kubernetes-node", "KUBERNETES_VERSION"}),
          java.util.Map.entry(KUBE_PROXY, new String[] {"kubernetes-node", "KUBERNETES_VERSION"}),
          java.util.Map.entry(COREDNS, new String[] {"coredns", "COREDNS_VERSION"}),
          java.util.Map.entry(PAUSE, new String[] {"pause", "PAUSE_VERSION"}),
          java.util.Map.entry(MINIO, new String[] {"minio", "MINIO_VERSION"}),
          java.util.Map.entry(MC, new String[] {"mc", "MC_VERSION"}),
          java.util.Map.entry(HELM, new String[] {"helm", "HELM_VERSION"}),
          java.util.Map.entry(PROMTOOL, new String[] {"promtool", "PROMTOOL_VERSION"}));

  private static final String HINT =
      "Run e2e/tools/install.sh (it builds the test tools into the cache), "
          + "or point STRATA_TOOLS_HOME at a directory holding tools.properties.";

  private final Path home;
  private final Properties properties;

  private Tools(Path home, Properties properties) {
    this.home = home;
    this.properties = properties;
  }

  /** The tools of this machine; throws {@link MissingToolException} when install.sh has not run. */
  public static Tools installed() {
    return at(defaultHome());
  }

  public static Tools at(Path home) {
    Path file = home.resolve("tools.properties");
    if (!Files.isRegularFile(file)) {
      throw new MissingToolException("No " + file + ": the e2e tools are not installed. " + HINT);
    }
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file)) {
      properties.load(reader);
    } catch (IOException e) {
      throw new MissingToolException("Cannot read " + file + ": " + e.getMessage() + ". " + HINT);
    }
    return new Tools(home, properties);
  }

  public static Path defaultHome() {
    String configured = System.getenv("STRATA_TOOLS_HOME");
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    return Path.of(System.getProperty("user.home"), ".cache", "strata-tools");
  }

  /**
   * The executable for {@code name}; throws with the install hint when it is absent or not
   * executable.
   */
  public Path require(String name) {
    String value = properties.getProperty(name);
    if (value == null || value.isBlank()) {
      Optional<Path> found = inVersionedDirectory(name);
      if (found.isPresent()) {
        return found.get();
      }
      throw new MissingToolException(
          "Tool '" + name + "' is not listed in " + home.resolve("tools.properties") + ". " + HINT);
    }
    Path path = Path.of(value.trim());
    if (!Files.isExecutable(path)) {
      throw new MissingToolException(
          "Tool '" + name + "' at " + path + " is missing or not executable. " + HINT);
    }
    return path;
  }

  public Optional<Path> optional(String name) {
    String value = properties.getProperty(name);
    if (value == null || value.isBlank()) {
      return inVersionedDirectory(name);
    }
    if (!Files.isExecutable(Path.of(value.trim()))) {
      return Optional.empty();
    }
    return Optional.of(Path.of(value.trim()));
  }

  /**
   * {@code <home>/<tool>-<version>/<name>} when this checkout's versions.env names the version and
   * it is there.
   */
  private Optional<Path> inVersionedDirectory(String name) {
    String[] where = DIRECTORIES.get(name);
    if (where == null) {
      return Optional.empty();
    }
    return versionsEnv()
        .map(env -> env.getProperty(where[1]))
        .filter(v -> !v.isBlank())
        .map(version -> home.resolve(where[0] + "-" + version.trim()).resolve(name))
        .filter(Files::isExecutable);
  }

  /**
   * This checkout's e2e/tools/versions.env (plain KEY=VALUE lines), if the working directory is
   * inside one.
   */
  static Optional<Properties> versionsEnv() {
    return RunnerLaunch.repositoryRoot()
        .map(root -> root.resolve("e2e/tools/versions.env"))
        .filter(Files::isRegularFile)
        .map(
            file -> {
              Properties env = new Properties();
              try (Reader reader = Files.newBufferedReader(file)) {
                env.load(reader);
              } catch (IOException e) {
                return null;
              }
              return env;
            });
  }

  /**
   * A version key such as {@code kubernetes.version}, or "unknown". A key missing from
   * tools.properties is this checkout's version of that tool when its directory {@code
   * <tool>-<version>} is installed (as {@link #require}).
   */
  public String version(String key) {
    String value = properties.getProperty(key);
    if (value != null && !value.isBlank()) {
      return value.trim();
    }
    String tool =
        key.endsWith(".version") ? key.substring(0, key.length() - ".version".length()) : key;
    return DIRECTORIES.values().stream()
        .filter(where -> where[0].equals(tool))
        .findFirst()
        .flatMap(where -> versionsEnv().map(env -> env.getProperty(where[1])))
        .map(String::trim)
        .filter(v -> !v.isEmpty() && Files.isDirectory(home.resolve(tool + "-" + v)))
        .orElse("unknown");
  }

  public Path home() {
    return home;
  }

  /** A required tool is missing: the message says how to install it. */
  public static final class MissingToolException extends IllegalStateException {
    public MissingToolException(String message) {
      super(message);
    }
  }
}
