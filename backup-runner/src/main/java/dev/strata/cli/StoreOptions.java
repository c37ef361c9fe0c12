package dev.strata.cli;

import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.LocalBlobStoreManager;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Where the snapshots are: the options every command shares. S3 secrets come only from the environment. */
public final class StoreOptions {

  @Option(
      names = "--store",
      required = true,
      paramLabel = "URI",
      description = "The store: file:///absolute/dir (a local directory), or s3://bucket[/prefix].")
  String store;

  @Option(names = "--endpoint", paramLabel = "URL", description = "S3 endpoint, e.g. http://127.0.0.1:9000 (default: AWS S3).")
  String endpoint;

  @Option(names = "--region", paramLabel = "R", description = "S3 region (default: us-east-1).")
  String region;

  @Option(names = "--path-style", description = "Address the bucket in the path, as MinIO needs (default: virtual-host style).")
  boolean pathStyle;

  @Option(names = "--ca-bundle", paramLabel = "FILE", description = "PEM file of CA certificates to trust for the S3 endpoint.")
  Path caBundle;

  @Option(
      names = "--retry-deadline",
      paramLabel = "SECONDS",
      defaultValue = "300",
      description = "How long one S3 request may be retried on transient errors (5xx, SlowDown, resets, timeouts) before the run fails (default: ${DEFAULT-VALUE}).")
  int retryDeadlineSeconds;

  @Mixin CredentialOptions credentials;

  @Option(
      names = "--key-file",
      paramLabel = "FILE",
      description = "The key of an encrypted store, in a file (default: the file named by STRATA_KEY_FILE, else the key in STRATA_KEY).")
  Path keyFile;

  /** The user's key, from --key-file, STRATA_KEY_FILE or STRATA_KEY; null when none is given. */
  dev.strata.engine.format.UserKey key() {
    try {
      return dev.strata.engine.format.UserKey.from(keyFile, System.getenv());
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  /** The store opened to read, with its key (a store without a config is of format 1, or empty). */
  dev.strata.engine.format.Repository repository(BlobStoreManager store) {
    return dev.strata.engine.format.Repository.open(store, key());
  }

  BlobStoreManager open() {
    if (store.startsWith("file:")) {
      return new LocalBlobStoreManager(fileRoot(store));
    }
    if (store.startsWith("s3://")) {
      if (retryDeadlineSeconds < 0) {
        throw new UsageException("--retry-deadline must not be negative");
      }
      return S3Stores.open(store, endpoint, region, pathStyle, caBundle, java.time.Duration.ofSeconds(retryDeadlineSeconds),
          credentials.resolve(region, System.getenv()));
    }
    throw new UsageException("unsupported store URI '" + store + "': use file:///absolute/dir or s3://bucket[/prefix]");
  }

  static Path fileRoot(String uri) {
    try {
      URI u = new URI(uri);
      if (u.getPath() == null || !u.getPath().startsWith("/") || (u.getAuthority() != null && !u.getAuthority().isEmpty())) {
        throw new UsageException("the store URI '" + uri + "' must name an absolute directory, like file:///var/lib/strata");
      }
      return Path.of(u.getPath());
    } catch (URISyntaxException e) {
      throw new UsageException("the store URI '" + uri + "' is malformed: " + e.getReason());
    }
  }
}
