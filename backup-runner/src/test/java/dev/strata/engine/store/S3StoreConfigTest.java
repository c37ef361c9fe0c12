package dev.strata.engine.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class S3StoreConfigTest {

  @Test
  void parsesBucketAndPrefix() {
    S3StoreConfig c =
        S3StoreConfig.parse(
            "s3://snapshots/team/app/",
            "http://127.0.0.1:9000",
            null,
            true,
            "AKIA1234",
            "secret",
            null);
    assertThat(c.bucket()).isEqualTo("snapshots");
    assertThat(c.prefix()).isEqualTo("team/app");
    assertThat(c.endpoint()).isEqualTo("http://127.0.0.1:9000");
    assertThat(c.location()).isEqualTo("s3://snapshots/team/app at http://127.0.0.1:9000");
  }

  @Test
  void bucketAloneHasAnEmptyPrefix() {
    S3StoreConfig c =
        S3StoreConfig.parse("S3://snapshots", null, "eu-west-1", false, null, null, null);
    assertThat(c.prefix()).isEmpty();
    assertThat(c.endpoint()).isEqualTo(S3StoreConfig.DEFAULT_ENDPOINT);
    assertThat(c.region()).isEqualTo("eu-west-1");
    assertThat(c.location()).isEqualTo("s3://snapshots at https://s3.amazonaws.com");
    assertThat(S3StoreConfig.parse("s3://snapshots/", null, null, false, null, null, null).prefix())
        .isEmpty();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "''                        | store URI is empty",
        "snapshots/x               | does not start with s3://",
        "http://snapshots/x        | does not start with s3://",
        "s3://                     | names no bucket",
        "s3:///prefix              | names no bucket",
        "s3://My_Bucket/x          | bucket name 'My_Bucket' is invalid",
        "s3://ab                   | bucket name 'ab' is invalid",
        "s3://bad..dots            | is invalid",
        "s3://-dash                | is invalid",
        "s3://snapshots/a//b       | empty, '.' or '..' segment",
        "s3://snapshots/a/../b     | empty, '.' or '..' segment",
        "s3://snapshots/a?versionId=1 | query or fragment"
      })
  void malformedUrisAreRejectedWithAClearMessage(String uri, String message) {
    assertThatThrownBy(() -> S3StoreConfig.parse(uri, null, null, false, null, null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "ftp://host:21             | must start with http:// or https://",
        "minio:9000                | must start with http:// or https://",
        "http://                   | not a URL",
        "http://host:9000/bucket   | has a path",
        "http://user:pw@host:9000  | no user info"
      })
  void badEndpointsAreRejected(String endpoint, String message) {
    assertThatThrownBy(
            () -> new S3StoreConfig(endpoint, "bucket", "", null, true, null, null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }

  @Test
  void endpointIsNormalised() {
    assertThat(
            new S3StoreConfig(
                    "HTTP://Minio.minio.svc:9000/", "bucket", "", null, true, null, null, null)
                .endpoint())
        .isEqualTo("http://Minio.minio.svc:9000");
    assertThat(new S3StoreConfig(" ", "bucket", "", null, true, null, null, null).endpoint())
        .isEqualTo("https://s3.amazonaws.com");
  }

  @Test
  void prefixLosesLeadingAndTrailingSlashes() {
    assertThat(new S3StoreConfig(null, "bucket", "//a/b//", null, true, null, null, null).prefix())
        .isEqualTo("a/b");
    assertThat(new S3StoreConfig(null, "bucket", null, null, true, null, null, null).prefix())
        .isEmpty();
    assertThat(new S3StoreConfig(null, "bucket", "/", null, true, null, null, null).prefix())
        .isEmpty();
  }

  @Test
  void toStringNeverShowsTheSecretAndShowsOnlyFourCharactersOfTheAccessKey() {
    S3StoreConfig c =
        new S3StoreConfig(
            "http://h:1",
            "bucket",
            "p",
            null,
            true,
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            Path.of("/etc/ca.pem"));
    assertThat(c.toString())
        .doesNotContain("wJalrXUtnFEMI")
        .doesNotContain("AKIAIOSFODNN7EXAMPLE")
        .contains("AKIA…")
        .contains("secretKey=****")
        .contains("/etc/ca.pem");
    assertThat(c.accessKeyHint()).isEqualTo("AKIA…");
  }

  @Test
  void credentialsComeInPairs() {
    assertThatThrownBy(
            () -> new S3StoreConfig(null, "bucket", "", null, true, "AKIA1234", null, null))
        .hasMessageContaining("both an access key and a secret key");
    assertThat(new S3StoreConfig(null, "bucket", "", null, true, null, null, null).accessKeyHint())
        .isEqualTo("(anonymous)");
  }
}
