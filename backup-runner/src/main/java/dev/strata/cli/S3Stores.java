package dev.strata.cli;

import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.RetryPolicy;
import dev.strata.engine.store.RetryingBlobStoreManager;
import dev.strata.engine.store.S3BlobStoreManager;
import dev.strata.engine.store.S3StoreConfig;
import java.nio.file.Path;
import java.util.Map;

/** Opens an S3 or MinIO store from command-line options and credentials in the environment. */
final class S3Stores {
  private S3Stores() {}

  static BlobStoreManager open(
      String uri, String endpoint, String region, boolean pathStyle, Path caBundle, java.time.Duration retryDeadline, Map<String, String> env) {
    String accessKey = blankToNull(env.get("AWS_ACCESS_KEY_ID"));
    String secretKey = blankToNull(env.get("AWS_SECRET_ACCESS_KEY"));
    if (accessKey == null || secretKey == null) {
      throw new UsageException("an s3:// store needs credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
    }
    S3StoreConfig config;
    try {
      config = S3StoreConfig.parse(uri, endpoint, region, pathStyle, accessKey, secretKey, caBundle);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
    return new RetryingBlobStoreManager(new S3BlobStoreManager(config), RetryPolicy.defaults().withDeadline(retryDeadline));
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
