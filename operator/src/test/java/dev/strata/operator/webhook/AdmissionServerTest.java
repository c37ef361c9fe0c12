package dev.strata.operator.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

/**
 * The HTTPS server over a real TLS handshake: it serves the certificate it is given, and a new one
 * without restart.
 */
class AdmissionServerTest {

  static HttpClient trusting(WebhookTls tls) throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    int i = 0;
    for (X509Certificate ca : tls.caBundle()) {
      trust.setCertificateEntry("ca" + i++, ca);
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
  }

  static X509Certificate served(HttpResponse<String> response) throws Exception {
    SSLSession session = response.sslSession().orElseThrow();
    return (X509Certificate) session.getPeerCertificates()[0];
  }

  @Test
  void servesTheCurrentCertificateAndSwapsItWithoutARestart() throws Exception {
    Instant now = Instant.now();
    List<String> dns = List.of("strata-webhook.strata-system.svc");
    WebhookTls first =
        WebhookCertificates.issue(now, Duration.ofDays(365), dns, List.of("127.0.0.1"), List.of());
    ReloadableKeyManager keys = new ReloadableKeyManager();
    keys.use(first);
    try (AdmissionServer server =
        new AdmissionServer(
            0,
            keys,
            "/mutate-pods",
            body ->
                new AdmissionServer.Answer(200, ("{\"echo\":" + body.length + "}").getBytes()))) {
      server.start();
      URI uri = URI.create("https://127.0.0.1:" + server.port() + "/mutate-pods");
      HttpResponse<String> answer =
          trusting(first)
              .send(
                  HttpRequest.newBuilder(uri)
                      .POST(HttpRequest.BodyPublishers.ofString("12345"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(answer.statusCode()).isEqualTo(200);
      assertThat(answer.body()).isEqualTo("{\"echo\":5}");
      assertThat(served(answer)).isEqualTo(first.certificate());

      HttpResponse<String> get =
          trusting(first)
              .send(
                  HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
      assertThat(get.statusCode()).isEqualTo(405);

      // Rotation: the new bundle still holds the old CA, and a new client (new handshake) sees the
      // new certificate.
      WebhookTls second =
          WebhookCertificates.issue(
              now, Duration.ofDays(365), dns, List.of("127.0.0.1"), first.caBundle());
      keys.use(second);
      HttpResponse<String> after =
          trusting(second)
              .send(
                  HttpRequest.newBuilder(uri)
                      .POST(HttpRequest.BodyPublishers.ofString("x"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(served(after)).isEqualTo(second.certificate());
    }
  }
}
