package dev.strata.engine.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A credentials provider that fails inside minio-java (here: a web identity whose token file is
 * missing) reaches the caller as the provider's own StoreException on every path, whatever
 * minio-java wraps it in on the way. No request leaves: the endpoint is a closed port.
 */
class CredentialsFailureTest {

  @TempDir Path tmp;

  @ParameterizedTest(name = "region {0}")
  @ValueSource(strings = {"", "us-east-1"})
  void aMissingTokenFileFailsEveryOperationWithItsOwnMessage(String region) {
    S3Credentials.WebIdentity identity =
        new S3Credentials.WebIdentity(
            "arn:aws:iam::123456789012:role/strata",
            tmp.resolve("no-token"),
            "http://127.0.0.1:1",
            null);
    S3StoreConfig config =
        new S3StoreConfig("http://127.0.0.1:1", "bucket", "p", region, true, identity, null);
    try (S3BlobStoreManager store = new S3BlobStoreManager(config)) {
      Consumer<ThrowingRunnable> fails =
          op ->
              assertThatThrownBy(op::run)
                  .isInstanceOfSatisfying(
                      StoreException.class,
                      e -> {
                        assertThat(e.kind()).isEqualTo(StoreException.Kind.PERMANENT);
                        assertThat(e.reason()).isEqualTo(StoreException.Reason.INVALID_CREDENTIALS);
                      })
                  .hasMessageContaining("no-token does not exist");
      fails.accept(store::checkAccess);
      fails.accept(() -> store.put("k", new byte[] {1}, 1, null, null));
      fails.accept(() -> store.get("k", null));
      fails.accept(() -> store.stat("k", null));
      fails.accept(() -> store.list("", o -> {}, null));
      fails.accept(() -> store.delete("k", null));
      fails.accept(() -> store.removeTTL("k", null));
    }
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }
}
