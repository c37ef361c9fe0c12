package dev.strata.e2e.support;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * The binaries built by {@code e2e/tools/install.sh}, read from {@code tools.properties} in
 * {@code ${STRATA_TOOLS_HOME:-$HOME/.cache/strata-tools}}. A missing tool throws: tests must fail, never skip,
 * when the tools are not installed.
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
  public static final String PROMTOOL = "promtool";

  private static final String HINT = "Run e2e/tools/install.sh (it builds the test tools into the cache), "
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

  /** The executable for {@code name}; throws with the install hint when it is absent or not executable. */
  public Path require(String name) {
    String value = properties.getProperty(name);
    if (value == null || value.isBlank()) {
      throw new MissingToolException("Tool '" + name + "' is not listed in " + home.resolve("tools.properties")
          + ". " + HINT);
    }
    Path path = Path.of(value.trim());
    if (!Files.isExecutable(path)) {
      throw new MissingToolException("Tool '" + name + "' at " + path + " is missing or not executable. " + HINT);
    }
    return path;
  }

  public Optional<Path> optional(String name) {
    String value = properties.getProperty(name);
    if (value == null || value.isBlank() || !Files.isExecutable(Path.of(value.trim()))) {
      return Optional.empty();
    }
    return Optional.of(Path.of(value.trim()));
  }

  /** A version key such as {@code kubernetes.version}, or "unknown". */
  public String version(String key) {
    return properties.getProperty(key, "unknown").trim();
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
