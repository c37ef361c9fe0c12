package dev.strata.e2e.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * How to start the {@code strata} command line as a local process: {@code java -jar
 * strata-runner.jar} or, when no fresh jar exists (a plain {@code mvn test} never shades it),
 * {@code java -cp <test classpath> StrataCli}.
 *
 * <p>Resolution order: system property {@code strata.runner.jar} or environment {@code
 * STRATA_RUNNER_JAR} (must exist); else {@code backup-runner/target/strata-runner.jar} when it is
 * newer than every compiled class of backup-runner; else the CLI's main class on this JVM's
 * classpath. Otherwise it fails, saying how to build it.
 */
public final class RunnerLaunch {

  public static final String MAIN_CLASS = "dev.strata.cli.StrataCli";
  private static final String JAR_PROPERTY = "strata.runner.jar";

  private final Path jar;
  private final String classpath;
  private final List<String> jvmOptions;

  private RunnerLaunch(Path jar, String classpath, List<String> jvmOptions) {
    this.jar = jar;
    this.classpath = classpath;
    this.jvmOptions = List.copyOf(jvmOptions);
  }

  public static RunnerLaunch ofJar(Path jar) {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          "Runner jar "
              + jar
              + " does not exist. Build it with "
              + "`mvn -pl backup-runner -am package -DskipTests`.");
    }
    return new RunnerLaunch(jar.toAbsolutePath(), null, defaultJvmOptions());
  }

  public static RunnerLaunch ofClasspath(String classpath) {
    return new RunnerLaunch(null, classpath, defaultJvmOptions());
  }

  /** The launch this test JVM should use; see the class comment. */
  public static RunnerLaunch detect() {
    String configured = System.getProperty(JAR_PROPERTY, System.getenv("STRATA_RUNNER_JAR"));
    if (configured != null && !configured.isBlank()) {
      return ofJar(Path.of(configured));
    }
    Path moduleDir = repositoryRoot().map(root -> root.resolve("backup-runner")).orElse(null);
    if (moduleDir != null) {
      Path jar = moduleDir.resolve("target/strata-runner.jar");
      if (Files.isRegularFile(jar) && isFresh(jar, moduleDir.resolve("target/classes"))) {
        return ofJar(jar);
      }
    }
    if (onClasspath()) {
      return ofClasspath(testClasspath());
    }
    throw new IllegalStateException(
        "The strata runner is not available: no fresh backup-runner/target/strata-runner.jar"
            + " and no "
            + MAIN_CLASS
            + " on the classpath. Build it with `mvn -pl backup-runner -am package -DskipTests`"
            + " or set -D"
            + JAR_PROPERTY
            + "=/path/to/strata-runner.jar.");
  }

  public RunnerLaunch withJvmOptions(List<String> options) {
    return new RunnerLaunch(jar, classpath, options);
  }

  /** The full command for {@code strata <args>}. */
  public List<String> command(List<String> strataArgs) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    if (jar != null) {
      command.add("-jar");
      command.add(jar.toString());
    } else {
      command.add("-cp");
      command.add(classpath);
      command.add(MAIN_CLASS);
    }
    command.addAll(strataArgs);
    return command;
  }

  public String describe() {
    return jar != null ? "java -jar " + jar : "java -cp <test classpath> " + MAIN_CLASS;
  }

  /**
   * Small heap and fast start: runner processes are short-lived and several may run on two cores.
   */
  private static List<String> defaultJvmOptions() {
    return List.of("-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto");
  }

  private static boolean onClasspath() {
    try {
      Class.forName(MAIN_CLASS, false, RunnerLaunch.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  /**
   * Surefire hides the real classpath behind a manifest-only jar and publishes it in this property.
   */
  private static String testClasspath() {
    return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
  }

  private static boolean isFresh(Path jar, Path classes) {
    if (!Files.isDirectory(classes)) {
      return true;
    }
    try (Stream<Path> files = Files.walk(classes)) {
      FileTime jarTime = Files.getLastModifiedTime(jar);
      return files
          .filter(Files::isRegularFile)
          .allMatch(
              f -> {
                try {
                  return Files.getLastModifiedTime(f).compareTo(jarTime) <= 0;
                } catch (IOException e) {
                  return false;
                }
              });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The directory holding backup-runner/, searched upwards from the working directory. */
  public static java.util.Optional<Path> repositoryRoot() {
    Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    while (dir != null) {
      if (Files.isRegularFile(dir.resolve("backup-runner/pom.xml"))) {
        return java.util.Optional.of(dir);
      }
      dir = dir.getParent();
    }
    return java.util.Optional.empty();
  }
}
