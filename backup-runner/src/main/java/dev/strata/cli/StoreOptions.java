package dev.strata.cli;

import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.LocalBlobStoreManager;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Where the snapshots are: the options every command shares, each defaulting to a STRATA_* variable
 * and then to the config file (see {@link Settings}). S3 secrets come only from the environment or
 * from files it names, never flags.
 */
public final class StoreOptions {

  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  @Option(
      names = "--store",
      paramLabel = "URI",
      description =
          "The store: file:///absolute/dir (a local directory), or s3://bucket[/prefix] (default: STRATA_STORE, else store in the config file).")
  String store;

  @Option(
      names = "--endpoint",
      paramLabel = "URL",
      description =
          "S3 endpoint, e.g. http://127.0.0.1:9000 (default: STRATA_ENDPOINT, else AWS S3).")
  String endpoint;

  @Option(
      names = "--region",
      paramLabel = "R",
      description = "S3 region (default: STRATA_REGION, else us-east-1).")
  String region;

  @Option(
      names = "--path-style",
      arity = "0..1",
      fallbackValue = "true",
      paramLabel = "true|false",
      description =
          "Address the bucket in the path, as MinIO needs (default: STRATA_PATH_STYLE, else virtual-host style).")
  Boolean pathStyle;

  @Option(
      names = "--ca-bundle",
      paramLabel = "FILE",
      description =
          "PEM file of CA certificates to trust for the S3 endpoint (default: STRATA_CA_BUNDLE).")
  Path caBundle;

  @Option(
      names = "--retry-deadline",
      paramLabel = "SECONDS",
      description =
          "How long one S3 request may be retried on transient errors (5xx, SlowDown, resets, timeouts) before the run fails (default: STRATA_RETRY_DEADLINE, else 300).")
  Integer retryDeadlineSeconds;

  @Mixin CredentialOptions credentials;

  @Option(
      names = "--key-file",
      paramLabel = "FILE",
      description =
          "The key of an encrypted store, in a file (default: the file named by STRATA_KEY_FILE, else the key in STRATA_KEY).")
  Path keyFile;

  /**
   * The settings of the command line this is part of (the process's environment when used on its
   * own).
   */
  Settings settings() {
    Object root = mixee == null ? null : mixee.root().userObject();
    return root instanceof StrataCli cli ? cli.settings() : Settings.of(System.getenv());
  }

  /** The store URI: --store, STRATA_STORE or the config file's store. */
  String storeUri() {
    if (store != null && !store.isBlank()) {
      return store.strip();
    }
    Settings s = settings();
    String uri = s.get("store");
    if (uri == null) {
      throw new UsageException(
          "name the store: --store URI, or set STRATA_STORE, or write store = URI in "
              + (s.configFile() != null
                  ? s.configFile()
                  : "a config file (STRATA_CONFIG, or ~/.config/strata/config)")
              + "; a URI is file:///absolute/dir or s3://bucket[/prefix]");
    }
    return uri;
  }

  private boolean pathStyle() {
    if (pathStyle != null) {
      return pathStyle;
    }
    String v = settings().get("path-style");
    if (v == null) {
      return false;
    }
    return switch (v.toLowerCase(java.util.Locale.ROOT)) {
      case "true", "yes", "1" -> true;
      case "false", "no", "0" -> false;
      default ->
          throw new UsageException(
              "path-style ("
                  + settings().origin("path-style")
                  + ") is '"
                  + dev.strata.engine.Names.safe(v)
                  + "': use true or false");
    };
  }

  private int retryDeadline() {
    int seconds;
    if (retryDeadlineSeconds != null) {
      seconds = retryDeadlineSeconds;
    } else {
      String v = settings().get("retry-deadline");
      try {
        seconds = v == null ? 300 : Integer.parseInt(v);
      } catch (NumberFormatException e) {
        throw new UsageException(
            "retry-deadline ("
                + settings().origin("retry-deadline")
                + ") is '"
                + dev.strata.engine.Names.safe(v)
                + "': give whole seconds, like 300");
      }
    }
    if (seconds < 0) {
      throw new UsageException("--retry-deadline must not be negative");
    }
    return seconds;
  }

  private String orSetting(String flag, String name) {
    return flag != null && !flag.isBlank() ? flag : settings().get(name);
  }

  /**
   * The user's key, from --key-file, STRATA_KEY_FILE (or key-file in the config file) or
   * STRATA_KEY; null when none is given.
   */
  dev.strata.engine.format.UserKey key() {
    try {
      return dev.strata.engine.format.UserKey.from(keyFile, settings().credentialEnv(false));
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  /** The store opened to read, with its key (a store without a config is of format 1, or empty). */
  dev.strata.engine.format.Repository repository(BlobStoreManager store) {
    return dev.strata.engine.format.Repository.open(store, key());
  }

  BlobStoreManager open() {
    String uri = storeUri();
    if (uri.startsWith("/")) {
      return new LocalBlobStoreManager(
          Path.of(uri)); // a plain absolute directory, as restic takes one
    }
    if (uri.startsWith("file:")) {
      return new LocalBlobStoreManager(fileRoot(uri));
    }
    if (uri.startsWith("s3://")) {
      int deadline = retryDeadline();
      String ca = caBundle != null ? caBundle.toString() : settings().get("ca-bundle");
      String r = orSetting(region, "region");
      return S3Stores.open(
          uri,
          orSetting(endpoint, "endpoint"),
          r,
          pathStyle(),
          ca == null ? null : Path.of(ca),
          java.time.Duration.ofSeconds(deadline),
          credentials.resolve(r, settings().credentialEnv(true)));
    }
    throw new UsageException(
        "unsupported store URI '"
            + uri
            + "': use file:///absolute/dir or s3://bucket[/prefix] (or an absolute path)");
  }

  static Path fileRoot(String uri) {
    try {
      URI u = new URI(uri);
      if (u.getPath() == null
          || !u.getPath().startsWith("/")
          || (u.getAuthority() != null && !u.getAuthority().isEmpty())) {
        throw new UsageException(
            "the store URI '"
                + uri
                + "' must name an absolute directory, like file:///var/lib/strata");
      }
      return Path.of(u.getPath());
    } catch (URISyntaxException e) {
      throw new UsageException("the store URI '" + uri + "' is malformed: " + e.getReason());
    }
  }
}
