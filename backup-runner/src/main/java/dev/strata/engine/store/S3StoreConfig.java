package dev.strata.engine.store;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where an S3 or MinIO store is and how to reach it. Validated on construction so that a bad
 * SnapshotStore spec fails with a message naming the field, before any request is made.
 *
 * @param endpoint the server's URL ({@code http://127.0.0.1:9000}); {@code
 *     https://s3.amazonaws.com} when null or blank
 * @param bucket the bucket name
 * @param prefix the key prefix everything lives under; may be empty; stored without leading or
 *     trailing '/'
 * @param region the bucket's region, or null to let the client discover it
 * @param pathStyle address the bucket as {@code endpoint/bucket} rather than {@code
 *     bucket.endpoint} (MinIO, S3Proxy)
 * @param credentials how requests are signed: access keys (with a session token or not), a web
 *     identity, or anonymous; never printed in full
 * @param caBundlePath a PEM file of CA certificates trusted in addition to the JVM's defaults, or
 *     null
 */
public record S3StoreConfig(
    String endpoint,
    String bucket,
    String prefix,
    String region,
    boolean pathStyle,
    S3Credentials credentials,
    Path caBundlePath) {

  public static final String DEFAULT_ENDPOINT = "https://s3.amazonaws.com";

  // S3's bucket naming rules (MinIO follows them too): 3-63 characters, lower case, digits, dots
  // and hyphens.
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

  public S3StoreConfig {
    endpoint = normaliseEndpoint(endpoint);
    bucket = checkBucket(bucket);
    prefix = normalisePrefix(prefix);
    region = region == null || region.isBlank() ? null : region.trim();
    credentials = credentials == null ? new S3Credentials.Anonymous() : credentials;
  }

  /** A store signed with a static access key and secret, or anonymous when both are null. */
  public S3StoreConfig(
      String endpoint,
      String bucket,
      String prefix,
      String region,
      boolean pathStyle,
      String accessKey,
      String secretKey,
      Path caBundlePath) {
    this(endpoint, bucket, prefix, region, pathStyle, keys(accessKey, secretKey), caBundlePath);
  }

  private static S3Credentials keys(String accessKey, String secretKey) {
    if ((accessKey == null) != (secretKey == null)) {
      throw new IllegalArgumentException(
          "give both an access key and a secret key, or neither (anonymous access): only one was set");
    }
    return accessKey == null
        ? new S3Credentials.Anonymous()
        : new S3Credentials.AccessKeys(accessKey, secretKey, null);
  }

  /**
   * Builds a config from a store URI {@code s3://bucket[/prefix]} plus the connection settings the
   * URI cannot carry.
   *
   * @throws IllegalArgumentException naming what is wrong with the URI
   */
  public static S3StoreConfig parse(
      String uri,
      String endpoint,
      String region,
      boolean pathStyle,
      String accessKey,
      String secretKey,
      Path caBundlePath) {
    return parse(uri, endpoint, region, pathStyle, keys(accessKey, secretKey), caBundlePath);
  }

  /**
   * As {@link #parse(String, String, String, boolean, String, String, Path)}, with any kind of
   * credentials.
   */
  public static S3StoreConfig parse(
      String uri,
      String endpoint,
      String region,
      boolean pathStyle,
      S3Credentials credentials,
      Path caBundlePath) {
    if (uri == null || uri.isBlank()) {
      throw new IllegalArgumentException("store URI is empty: expected s3://bucket[/prefix]");
    }
    String text = uri.trim();
    if (!text.regionMatches(true, 0, "s3://", 0, 5)) {
      throw new IllegalArgumentException(
          "store URI '" + uri + "' does not start with s3://: expected s3://bucket[/prefix]");
    }
    String rest = text.substring(5);
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String prefix = slash < 0 ? "" : rest.substring(slash + 1);
    if (bucket.isEmpty()) {
      throw new IllegalArgumentException(
          "store URI '" + uri + "' names no bucket: expected s3://bucket[/prefix]");
    }
    if (prefix.contains("?") || prefix.contains("#")) {
      throw new IllegalArgumentException(
          "store URI '" + uri + "' has a query or fragment: expected s3://bucket[/prefix]");
    }
    try {
      return new S3StoreConfig(
          endpoint, bucket, prefix, region, pathStyle, credentials, caBundlePath);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("store URI '" + uri + "': " + e.getMessage(), e);
    }
  }

  /** The same store with another access key and secret, e.g. to test what bad credentials do. */
  public S3StoreConfig withCredentials(String accessKey, String secretKey) {
    return new S3StoreConfig(
        endpoint, bucket, prefix, region, pathStyle, keys(accessKey, secretKey), caBundlePath);
  }

  public S3StoreConfig withCredentials(S3Credentials credentials) {
    return new S3StoreConfig(
        endpoint, bucket, prefix, region, pathStyle, credentials, caBundlePath);
  }

  public S3StoreConfig withBucket(String bucket) {
    return new S3StoreConfig(
        endpoint, bucket, prefix, region, pathStyle, credentials, caBundlePath);
  }

  public S3StoreConfig withEndpoint(String endpoint) {
    return new S3StoreConfig(
        endpoint, bucket, prefix, region, pathStyle, credentials, caBundlePath);
  }

  public S3StoreConfig withPrefix(String prefix) {
    return new S3StoreConfig(
        endpoint, bucket, prefix, region, pathStyle, credentials, caBundlePath);
  }

  /** {@code s3://bucket/prefix at endpoint}: safe for messages and indexes. */
  public String location() {
    return "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix) + " at " + endpoint;
  }

  /**
   * The static access key id, or null when requests are signed otherwise (a web identity) or not at
   * all.
   */
  public String accessKey() {
    return credentials instanceof S3Credentials.AccessKeys k ? k.accessKey() : null;
  }

  /** The static secret access key, or null; never printed. */
  public String secretKey() {
    return credentials instanceof S3Credentials.AccessKeys k ? k.secretKey() : null;
  }

  /**
   * The first four characters of the access key, enough for a person to recognise it and useless to
   * anyone else; "(web identity)" or "(anonymous)" when there is no static key. {@code
   * credentials().who()} says more.
   */
  public String accessKeyHint() {
    if (credentials instanceof S3Credentials.AccessKeys k) {
      return k.hint();
    }
    return credentials instanceof S3Credentials.WebIdentity ? "(web identity)" : "(anonymous)";
  }

  @Override
  public String toString() {
    return "S3StoreConfig[endpoint="
        + endpoint
        + ", bucket="
        + bucket
        + ", prefix="
        + prefix
        + ", region="
        + region
        + ", pathStyle="
        + pathStyle
        + ", credentials="
        + credentials
        + ", caBundlePath="
        + caBundlePath
        + "]";
  }

  private static String normaliseEndpoint(String endpoint) {
    if (endpoint == null || endpoint.isBlank()) {
      return DEFAULT_ENDPOINT;
    }
    String text = endpoint.trim();
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "endpoint '" + text + "' is not a URL: " + e.getReason(), e);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException(
          "endpoint '"
              + text
              + "' must start with http:// or https:// (e.g. http://minio.minio.svc:9000)");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw new IllegalArgumentException("endpoint '" + text + "' has no host name");
    }
    if (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")) {
      throw new IllegalArgumentException(
          "endpoint '"
              + text
              + "' has a path; put the bucket in spec.bucket and the path in spec.prefix");
    }
    if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException(
          "endpoint '"
              + text
              + "' must be scheme://host[:port] only (no user info, query or fragment)");
    }
    return scheme + "://" + uri.getRawAuthority();
  }

  private static String checkBucket(String bucket) {
    if (bucket == null || bucket.isBlank()) {
      throw new IllegalArgumentException("bucket is empty");
    }
    if (!BUCKET.matcher(bucket).matches() || bucket.contains("..")) {
      throw new IllegalArgumentException(
          "bucket name '"
              + bucket
              + "' is invalid: use 3-63 lower-case letters, digits, '.' and '-', "
              + "starting and ending with a letter or digit");
    }
    return bucket;
  }

  private static String normalisePrefix(String prefix) {
    if (prefix == null) {
      return "";
    }
    String p = prefix.trim();
    int start = 0;
    int end = p.length();
    while (start < end && p.charAt(start) == '/') {
      start++;
    }
    while (end > start && p.charAt(end - 1) == '/') {
      end--;
    }
    p = p.substring(start, end);
    for (String segment : p.split("/", -1)) {
      if (!p.isEmpty() && (segment.isEmpty() || segment.equals(".") || segment.equals(".."))) {
        throw new IllegalArgumentException(
            "prefix '"
                + prefix
                + "' has an empty, '.' or '..' segment; use a plain path like team/app");
      }
    }
    for (int i = 0; i < p.length(); i++) {
      if (Character.isISOControl(p.charAt(i)) || p.charAt(i) == '\\') {
        throw new IllegalArgumentException(
            "prefix '" + prefix + "' contains a control character or backslash");
      }
    }
    return p;
  }
}
