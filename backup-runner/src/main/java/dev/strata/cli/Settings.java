package dev.strata.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Store settings a command line does not repeat: STRATA_* environment variables, then a config file
 * of {@code name = value} lines (STRATA_CONFIG, else $XDG_CONFIG_HOME/strata/config, else
 * ~/.config/strata/config). A flag wins over its variable, a variable over the file. Secrets are
 * never values here: the file names files that hold them.
 */
final class Settings {

  /** The config file's names, each with the variable that overrides it. */
  static final Map<String, String> NAMES = names();

  private static Map<String, String> names() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("store", "STRATA_STORE");
    m.put("endpoint", "STRATA_ENDPOINT");
    m.put("region", "STRATA_REGION");
    m.put("path-style", "STRATA_PATH_STYLE");
    m.put("ca-bundle", "STRATA_CA_BUNDLE");
    m.put("retry-deadline", "STRATA_RETRY_DEADLINE");
    m.put("key-file", "STRATA_KEY_FILE");
    m.put("access-key-id-file", "STRATA_ACCESS_KEY_ID_FILE");
    m.put("secret-access-key-file", "STRATA_SECRET_ACCESS_KEY_FILE");
    return java.util.Collections.unmodifiableMap(m);
  }

  private final Map<String, String> env;
  private final Map<String, String> file;
  private final Path configFile;

  private Settings(Map<String, String> env, Map<String, String> file, Path configFile) {
    this.env = env;
    this.file = file;
    this.configFile = configFile;
  }

  /**
   * Settings of no file, from these variables only (for tests and callers that bring their own).
   */
  static Settings of(Map<String, String> env) {
    return new Settings(Map.copyOf(env), Map.of(), null);
  }

  /**
   * Reads the config file the environment names, if any.
   *
   * @throws UsageException when STRATA_CONFIG names a file that cannot be read, or a file has a
   *     line it does not know
   */
  static Settings load(Map<String, String> env) {
    String named = blankToNull(env.get("STRATA_CONFIG"));
    Path path;
    if (named != null) {
      path = Path.of(named);
    } else if (blankToNull(env.get("XDG_CONFIG_HOME")) != null) {
      path = Path.of(env.get("XDG_CONFIG_HOME"), "strata", "config");
    } else if (blankToNull(env.get("HOME")) != null) {
      path = Path.of(env.get("HOME"), ".config", "strata", "config");
    } else {
      return new Settings(Map.copyOf(env), Map.of(), null);
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(path, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      if (named != null) {
        throw new UsageException(
            "the config file "
                + path
                + " named by STRATA_CONFIG does not exist: fix or unset STRATA_CONFIG");
      }
      return new Settings(Map.copyOf(env), Map.of(), null);
    } catch (IOException e) {
      throw new UsageException(
          "cannot read the config file "
              + path
              + ": "
              + dev.strata.engine.Names.reason(e, false)
              + (named == null ? " (name another with STRATA_CONFIG)" : ""));
    }
    return new Settings(Map.copyOf(env), parse(path, lines), path);
  }

  static Map<String, String> parse(Path path, List<String> lines) {
    Map<String, String> out = new HashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int eq = line.indexOf('=');
      String where = "the config file " + path + ", line " + (i + 1);
      if (eq <= 0) {
        throw new UsageException(
            where + ": expected name = value, like store = s3://bucket/prefix");
      }
      String name = line.substring(0, eq).strip();
      String value = line.substring(eq + 1).strip();
      if (!NAMES.containsKey(name)) {
        throw new UsageException(
            where
                + ": unknown setting '"
                + dev.strata.engine.Names.safe(name)
                + "'; known are "
                + String.join(", ", NAMES.keySet())
                + (name.contains("secret") || name.contains("access-key")
                    ? " (keys go in files: name them with access-key-id-file and secret-access-key-file)"
                    : ""));
      }
      if (out.containsKey(name)) {
        throw new UsageException(where + ": '" + name + "' is set twice");
      }
      out.put(name, value);
    }
    return Map.copyOf(out);
  }

  /** The value of a setting: its variable when set, else the config file's line, else null. */
  String get(String name) {
    String variable = NAMES.get(name);
    if (variable == null) {
      throw new IllegalArgumentException("no setting " + name);
    }
    String v = blankToNull(env.get(variable));
    return v != null ? v : blankToNull(file.get(name));
  }

  /** Where a setting's value came from, for messages. */
  String origin(String name) {
    String variable = NAMES.get(name);
    if (blankToNull(env.get(variable)) != null) {
      return variable;
    }
    return "'" + name + "' in " + configFile;
  }

  Path configFile() {
    return configFile;
  }

  /** The process environment as given. */
  Map<String, String> env() {
    return env;
  }

  /**
   * The environment the store's key and credentials are read from: the process's, plus
   * STRATA_KEY_FILE from the config file, and AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY read from
   * the files that access-key-id-file and secret-access-key-file (or their variables) name, unless
   * the variables themselves are set.
   */
  Map<String, String> credentialEnv(boolean readKeyFiles) {
    Map<String, String> out = new HashMap<>(env);
    String keyFile = get("key-file");
    if (keyFile != null) {
      out.put("STRATA_KEY_FILE", keyFile);
    }
    if (readKeyFiles
        && blankToNull(env.get("AWS_ACCESS_KEY_ID")) == null
        && blankToNull(env.get("AWS_SECRET_ACCESS_KEY")) == null) {
      String idFile = get("access-key-id-file");
      String secretFile = get("secret-access-key-file");
      if ((idFile == null) != (secretFile == null)) {
        throw new UsageException(
            idFile == null
                ? "secret-access-key-file is set ("
                    + origin("secret-access-key-file")
                    + ") but access-key-id-file is not: set both"
                : "access-key-id-file is set ("
                    + origin("access-key-id-file")
                    + ") but secret-access-key-file is not: set both");
      }
      if (idFile != null) {
        out.put("AWS_ACCESS_KEY_ID", readSecret(idFile, "access-key-id-file"));
        out.put("AWS_SECRET_ACCESS_KEY", readSecret(secretFile, "secret-access-key-file"));
      }
    }
    return out;
  }

  /**
   * A secret from a file (a mounted Secret, say): its content without the trailing line break;
   * never shown.
   */
  private String readSecret(String file, String name) {
    String s;
    try {
      s = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new UsageException(
          "cannot read "
              + file
              + ", the "
              + name
              + " ("
              + origin(name)
              + "): "
              + dev.strata.engine.Names.reason(e, false));
    }
    if (s.isEmpty()) {
      throw new UsageException("the " + name + " " + file + " (" + origin(name) + ") is empty");
    }
    return s;
  }

  static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }
}
