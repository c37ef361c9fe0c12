package dev.strata.operator.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.api.v1alpha1.CredentialsSecretRef;
import dev.strata.api.v1alpha1.SnapshotStore;
import dev.strata.api.v1alpha1.SnapshotStoreSpec;
import dev.strata.engine.store.BlobStoreManager;
import dev.strata.engine.store.StoreException;
import dev.strata.engine.store.StoreException.Kind;
import dev.strata.engine.store.StoreException.Reason;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StoreCheckerTest {

  @TempDir Path tmp;

  static SnapshotStore store(long generation) {
    SnapshotStore st = new SnapshotStore();
    st.setMetadata(
        new ObjectMetaBuilder()
            .withName("minio")
            .withNamespace("ns")
            .withUid("uid-1")
            .withGeneration(generation)
            .build());
    st.setSpec(
        new SnapshotStoreSpec(
            "http://minio:9000",
            "b",
            null,
            null,
            true,
            new CredentialsSecretRef("c", null, null),
            null,
            null,
            null));
    return st;
  }

  /** A connector that opens a new scripted store per call and keeps them, to look at afterwards. */
  final class Scripted implements StoreConnector {
    final List<ScriptedStore> opened = new ArrayList<>();
    StoreException failure;

    @Override
    public BlobStoreManager open(SnapshotStore store) {
      ScriptedStore s = new ScriptedStore(tmp.resolve("store-" + opened.size()), failure);
      opened.add(s);
      return s.store;
    }
  }

  /**
   * The misclassification this fixes: the wording names an access key in both cases, the reason
   * tells them apart.
   */
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "ACCESS_DENIED, AccessDenied",
    "INVALID_CREDENTIALS, InvalidCredentials",
    "UNTRUSTED_CERTIFICATE, UntrustedCertificate",
    "UNREACHABLE, Unreachable",
    "BUCKET_MISSING, BucketNotFound",
    "REJECTED, StoreError"
  })
  void aFailedCheckIsNamedByTheStoreErrorsReasonNotItsWording(Reason reason, String condition) {
    Scripted connector = new Scripted();
    connector.failure =
        new StoreException(
            Kind.PERMANENT,
            reason,
            "checkAccess on s3://b failed: access denied for access key AKIA… (HTTP 403): check the credentials Secret",
            null);
    StoreCheck check = new StoreChecker(new StoreClients(connector)).check(store(1));
    assertThat(check.ready()).isFalse();
    assertThat(check.reason()).isEqualTo(condition);
    assertThat(check.message()).contains("check the credentials Secret");
    assertThat(connector.opened.get(0).closed)
        .as("a client that failed its check is closed")
        .isTrue();
  }

  @Test
  void aStoreThatCannotBeOpenedSaysWhy() {
    StoreConnector missingSecret =
        s -> {
          throw new StoreAccessException(
              "SecretNotFound",
              "Secret c (spec.credentialsSecretRef.name) does not exist in namespace ns");
        };
    StoreCheck check = new StoreChecker(new StoreClients(missingSecret)).check(store(1));
    assertThat(check.reason()).isEqualTo("SecretNotFound");
    assertThat(check.message()).contains("Secret c");
    assertThat(StoreChecker.reason(new IllegalStateException("bug"))).isEqualTo("CheckFailed");
  }

  @Test
  void aPassingCheckBecomesTheStoresSharedClientAndAFailingOneDropsIt() {
    Scripted connector = new Scripted();
    StoreClients clients = new StoreClients(connector);
    StoreChecker checker = new StoreChecker(clients);
    assertThat(checker.check(store(1)).ready()).isTrue();
    assertThat(clients.client(store(1)))
        .as("no second client for the same store")
        .isSameAs(connector.opened.get(0).store);

    // Rotated credentials: the next check reads them anew, and its client replaces the old one.
    assertThat(checker.check(store(1)).ready()).isTrue();
    assertThat(connector.opened.get(0).closed).isTrue();
    assertThat(clients.client(store(1))).isSameAs(connector.opened.get(1).store);

    connector.failure =
        new StoreException(Kind.PERMANENT, Reason.INVALID_CREDENTIALS, "bad key", null);
    assertThat(checker.check(store(1)).reason()).isEqualTo("InvalidCredentials");
    assertThat(connector.opened.get(1).closed).isTrue();
    assertThat(clients.size()).isZero();
  }
}
