package dev.strata.engine.store;

import java.util.Locale;
import okhttp3.HttpUrl;

/**
 * The STS a web identity is exchanged at: AWS's (global or regional) unless a store names another
 * (MinIO, Ceph).
 */
public final class StsEndpoints {

  public static final String AWS_GLOBAL = "https://sts.amazonaws.com";

  private StsEndpoints() {}

  /**
   * AWS STS for a region (https://sts.eu-west-1.amazonaws.com), or the global endpoint when the
   * region is unknown.
   */
  public static String aws(String region) {
    if (region == null || region.isBlank()) {
      return AWS_GLOBAL;
    }
    String r = region.strip().toLowerCase(Locale.ROOT);
    return "https://sts." + r + (r.startsWith("cn-") ? ".amazonaws.com.cn" : ".amazonaws.com");
  }

  /**
   * Checks an STS endpoint: {@code http(s)://host[:port]}, with no path, user info or query.
   *
   * @throws IllegalArgumentException saying what to write
   */
  public static String check(String endpoint) {
    if (endpoint == null || endpoint.isBlank()) {
      throw new IllegalArgumentException(
          "the STS endpoint is empty: give a URL like https://sts.eu-west-1.amazonaws.com");
    }
    String text = endpoint.strip();
    HttpUrl url = HttpUrl.parse(text);
    boolean bare =
        url != null
            && url.encodedPath().equals("/")
            && url.encodedQuery() == null
            && url.encodedFragment() == null
            && url.encodedUsername().isEmpty()
            && url.encodedPassword().isEmpty();
    if (!bare) {
      throw new IllegalArgumentException(
          "STS endpoint '"
              + text
              + "' must be http(s)://host[:port], like https://sts.eu-west-1.amazonaws.com or http://minio:9000");
    }
    boolean defaultPort = url.port() == HttpUrl.defaultPort(url.scheme());
    String host = url.host().contains(":") ? "[" + url.host() + "]" : url.host();
    return url.scheme() + "://" + host + (defaultPort ? "" : ":" + url.port());
  }
}
