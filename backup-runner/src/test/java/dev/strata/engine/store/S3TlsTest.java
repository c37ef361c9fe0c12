package dev.strata.engine.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.X509TrustManager;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An S3 server on HTTPS with a private certificate, as MinIO with its own CA would be:
 * spec.caBundle makes it work.
 */
class S3TlsTest {

  static final String ACCESS = "tls-access";
  static final String SECRET = "tls-secret-0123456789";
  static final Metadata META = Metadata.of("tls", "payload");

  @TempDir static Path dir;

  static Path caPem;
  static S3Proxy proxy;
  static String endpoint;

  @BeforeAll
  static void start() throws Exception {
    // A self-signed certificate for 127.0.0.1 from the JDK's keytool; its PEM is the "CA bundle".
    Path keyStore = dir.resolve("server.p12");
    caPem = dir.resolve("ca.pem");
    keytool(
        "-genkeypair",
        "-alias",
        "s3",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=127.0.0.1",
        "-ext",
        "san=ip:127.0.0.1",
        "-validity",
        "2",
        "-keystore",
        keyStore.toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        "changeit",
        "-keypass",
        "changeit");
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        "s3",
        "-keystore",
        keyStore.toString(),
        "-storepass",
        "changeit",
        "-file",
        caPem.toString());

    BlobStore blobStore = new TransientNio2BlobStore();
    blobStore.createContainer("tls-bucket");
    proxy =
        S3Proxy.builder()
            .blobStore(blobStore)
            .secureEndpoint(URI.create("https://127.0.0.1:0"))
            .keyStore(keyStore.toString(), "changeit")
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS, SECRET)
            .build();
    proxy.start();
    while (!"STARTED".equals(proxy.getState())) {
      Thread.sleep(5);
    }
    endpoint = "https://127.0.0.1:" + proxy.getSecurePort();
  }

  @AfterAll
  static void stop() throws Exception {
    proxy.stop();
  }

  static S3StoreConfig config(Path caBundle) {
    return new S3StoreConfig(endpoint, "tls-bucket", "p", null, true, ACCESS, SECRET, caBundle);
  }

  @Test
  void withTheCaBundleEverythingWorksOverHttps() {
    try (S3BlobStoreManager store = new S3BlobStoreManager(config(caPem))) {
      store.checkAccess();
      byte[] data = "over tls".getBytes(StandardCharsets.UTF_8);
      store.put("k", data, data.length, null, META);
      assertThat(store.get("k", META)).isEqualTo(data);
      // A wrong digest is refused over HTTPS too: the client signs the caller's digest rather than
      // UNSIGNED-PAYLOAD.
      byte[] wrong = S3BlobStoreManagerTest.sha256(new byte[1], 1);
      StoreException e =
          catchThrowableOfType(
              () -> store.put("bad", data, data.length, wrong, META), StoreException.class);
      assertThat(e.kind()).isEqualTo(StoreException.Kind.INTEGRITY);
    }
  }

  @Test
  void withoutTheCaBundleTheCertificateIsNotTrustedAndTheMessageSaysWhatToSet() {
    try (S3BlobStoreManager store = new S3BlobStoreManager(config(null))) {
      StoreException e = catchThrowableOfType(store::checkAccess, StoreException.class);
      assertThat(e.kind()).isEqualTo(StoreException.Kind.PERMANENT);
      assertThat(e.getMessage())
          .contains("could not reach " + endpoint)
          .contains("not trusted")
          .contains("spec.caBundle");
      StoreException put =
          catchThrowableOfType(
              () -> store.put("k", new byte[1], 1, null, META), StoreException.class);
      assertThat(put.kind()).isEqualTo(StoreException.Kind.PERMANENT);
    }
  }

  @Test
  void theBundleIsTrustedInAdditionToTheDefaultCas() {
    X509TrustManager trust = S3HttpClients.trustManager(caPem);
    List<X509Certificate> issuers = Arrays.asList(trust.getAcceptedIssuers());
    assertThat(issuers).anyMatch(c -> c.getSubjectX500Principal().getName().equals("CN=127.0.0.1"));
    assertThat(issuers.size()).isGreaterThan(10); // the JVM's public CAs are still there, for AWS
  }

  @Test
  void badBundlesAreRejectedWithTheirPath() throws IOException {
    Path empty = Files.writeString(dir.resolve("empty.pem"), "");
    Path garbage =
        Files.writeString(
            dir.resolve("garbage.pem"),
            "-----BEGIN CERTIFICATE-----\nnot base64 !!\n-----END CERTIFICATE-----\n");
    assertThatThrownBy(() -> S3HttpClients.trustManager(empty))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(empty.toString());
    assertThatThrownBy(() -> S3HttpClients.trustManager(garbage))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("garbage.pem");
    assertThatThrownBy(() -> S3HttpClients.trustManager(dir.resolve("missing.pem")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot read the CA bundle");
  }

  private static void keytool(String... args) throws Exception {
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    List<String> command = new java.util.ArrayList<>(List.of(keytool));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("keytool failed: " + out);
    }
  }
}
