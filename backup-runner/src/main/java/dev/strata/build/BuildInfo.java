package dev.strata.build;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The version and commit this build was made from (build.properties, filled in by Maven from the
 * pom's version and {@code git rev-parse}). One source for everything that reports a version: the
 * CLI's {@code --version}, the operator's start-up line and its {@code strata_build_info} metric.
 */
public final class BuildInfo {

  private BuildInfo() {}

  private static final Properties PROPS = load();

  private static Properties load() {
    Properties p = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream("build.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // no build information: "unknown" below
    }
    return p;
  }

  private static String value(String name) {
    String v = PROPS.getProperty(name);
    return v == null || v.isBlank() || v.contains("${") ? null : v.strip();
  }

  /**
   * The project's version, like 0.1.0-SNAPSHOT, or "unknown" in a build that did not fill it in.
   */
  public static String version() {
    String v = value("version");
    return v == null ? "unknown" : v;
  }

  /**
   * The version a release of this build carries, the pom's without {@code -SNAPSHOT}: the chart's
   * version and appVersion, and the tag of the images.
   */
  public static String releaseVersion() {
    return version().replaceFirst("-SNAPSHOT$", "");
  }

  /** The commit's short hash, or null when the build was not made from a git checkout. */
  public static String commit() {
    String c = value("commit");
    return c == null || c.equals("unknown") ? null : c;
  }

  /** The version and, when known, the commit: {@code 0.1.0-SNAPSHOT (commit 0123456789ab)}. */
  public static String describe() {
    String c = commit();
    return version() + (c == null ? "" : " (commit " + c + ")");
  }
}
