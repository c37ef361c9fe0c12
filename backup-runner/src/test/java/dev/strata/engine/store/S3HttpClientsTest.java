package dev.strata.engine.store;

import static org.assertj.core.api.Assertions.assertThat;

import okhttp3.ConnectionSpec;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/** The one OkHttpClient of a store: TLS set up only where an endpoint can use it. */
class S3HttpClientsTest {

  @Test
  void plainHttpEndpointSetsUpNoTls() {
    OkHttpClient c =
        S3HttpClients.create(
            new S3StoreConfig(
                "http://127.0.0.1:9000", "bucket", "", null, true, "a", "secret-key-0", null),
            8);
    // Building a TLS-capable client loads the JVM's trust store and an SSL context: a fifth of a
    // CLI run's start-up.
    assertThat(c.connectionSpecs()).containsExactly(ConnectionSpec.CLEARTEXT);
    assertThat(c.x509TrustManager()).isNull();
    assertThat(c.dispatcher().getMaxRequestsPerHost()).isEqualTo(8);
  }

  @Test
  void httpsEndpointKeepsTls() {
    OkHttpClient c =
        S3HttpClients.create(
            new S3StoreConfig(
                "https://s3.example.com", "bucket", "", null, true, "a", "secret-key-0", null),
            8);
    assertThat(c.connectionSpecs()).anyMatch(ConnectionSpec::isTls);
    assertThat(c.x509TrustManager()).isNotNull();
  }
}
