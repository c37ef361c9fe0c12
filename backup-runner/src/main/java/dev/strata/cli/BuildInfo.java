package dev.strata.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version and commit this build was made from (build.properties, filled in by Maven). */
final class BuildInfo {

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

  /** The project's version, like 0.1.0, or "unknown" in a build that did not fill it in. */
  static String version() {
    String v = value("version");
    return v == null ? "unknown" : v;
  }

  /** The commit's short hash, or null when the build was not made from a git checkout. */
  static String commit() {
    String c = value("commit");
    return c == null || c.equals("unknown") ? null : c;
  }

  /** What `strata --version` prints after "strata ". */
  static String describe() {
    String c = commit();
    return version()
        + (c == null ? "" : " (commit " + c + ")")
        + ", Java "
        + Runtime.version().feature();
  }
}
