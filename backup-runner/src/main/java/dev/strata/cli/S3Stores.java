package dev.strata.cli;

import dev.strata.engine.store.BlobStoreManager;
import java.nio.file.Path;
import java.util.Map;

/** Opens an S3 or MinIO store from command-line options and credentials in the environment. */
final class S3Stores {
  private S3Stores() {}

  static BlobStoreManager open(String uri, String endpoint, String region, boolean pathStyle, Path caBundle, Map<String, String> env) {
    throw new UsageException("S3 stores are being wired in"); // replaced when the S3 store lands (same session)
  }
}
