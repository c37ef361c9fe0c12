package dev.strata.cli;

import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.RetryPolicy;
import dev.strata.engine.store.RetryingBlobStoreManager;
import dev.strata.engine.store.S3BlobStoreManager;
import dev.strata.engine.store.S3Credentials;
import dev.strata.engine.store.S3StoreConfig;
import java.nio.file.Path;

/**
 * Opens an S3 or MinIO store from command-line options and the credentials they and the environment
 * name.
 */
final class S3Stores {
  private S3Stores() {}

  static BlobStoreManager open(
      String uri,
      String endpoint,
      String region,
      boolean pathStyle,
      Path caBundle,
      java.time.Duration retryDeadline,
      S3Credentials credentials) {
    S3StoreConfig config;
    try {
      config = S3StoreConfig.parse(uri, endpoint, region, pathStyle, credentials, caBundle);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    return new RetryingBlobStoreManager(
        new S3BlobStoreManager(config), RetryPolicy.defaults().withDeadline(retryDeadline));
  }
}
