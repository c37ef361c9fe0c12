package dev.strata.operator.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The certificates the operator issues itself, and when it decides they can no longer be served.
 */
class WebhookTlsTest {

  static final Instant NOW = Instant.parse("2026-11-26T10:00:00Z");
  static final List<String> DNS =
      List.of("strata-webhook.strata-system.svc", "strata-webhook.strata-system.svc.cluster.local");
  static final List<String> IPS = List.of("127.0.0.1");

  @Test
  void aFreshCertificateNamesTheServiceAndLoopbackAndChainsToTheFirstCa() throws Exception {
    WebhookTls tls = WebhookCertificates.issue(NOW, Duration.ofDays(365), DNS, IPS, List.of());
    assertThat(tls.problem(NOW, Duration.ofDays(30), DNS, IPS)).isEmpty();
    assertThat(tls.subjectAltNames()).containsAll(DNS).contains("127.0.0.1");
    assertThat(tls.notAfter()).isEqualTo(NOW.plus(Duration.ofDays(365)));
    tls.certificate().verify(tls.caBundle().get(0).getPublicKey());
    assertThat(tls.caBundle().get(0).getBasicConstraints()).isGreaterThanOrEqualTo(0);
    assertThat(tls.certificate().getBasicConstraints()).isEqualTo(-1);
    assertThat(tls.certificate().getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1");
  }

  @Test
  void itRoundTripsThroughSecretData() throws Exception {
    WebhookTls tls = WebhookCertificates.issue(NOW, Duration.ofDays(365), DNS, IPS, List.of());
    WebhookTls read = WebhookTls.fromSecretData(tls.toSecretData());
    assertThat(read.certificate()).isEqualTo(tls.certificate());
    assertThat(read.caBundle()).isEqualTo(tls.caBundle());
    assertThat(read.key().getEncoded()).isEqualTo(tls.key().getEncoded());
    assertThat(read.problem(NOW, Duration.ofDays(30), DNS, IPS)).isEmpty();
  }

  @Test
  void itMustBeReplacedWithinThirtyDaysOfExpiryOrWhenANameIsMissingOrTheKeyIsNotItsOwn()
      throws Exception {
    WebhookTls tls = WebhookCertificates.issue(NOW, Duration.ofDays(365), DNS, IPS, List.of());
    assertThat(tls.problem(NOW.plus(Duration.ofDays(334)), Duration.ofDays(30), DNS, IPS))
        .isEmpty();
    assertThat(tls.problem(NOW.plus(Duration.ofDays(336)), Duration.ofDays(30), DNS, IPS))
        .hasValueSatisfying(p -> assertThat(p).contains("expires"));
    assertThat(tls.problem(NOW, Duration.ofDays(30), List.of("other.ns.svc"), IPS))
        .hasValueSatisfying(p -> assertThat(p).contains("does not name [other.ns.svc]"));
    assertThat(tls.problem(NOW, Duration.ofDays(30), DNS, List.of("192.0.2.9")))
        .hasValueSatisfying(p -> assertThat(p).contains("192.0.2.9"));
    WebhookTls other = WebhookCertificates.issue(NOW, Duration.ofDays(365), DNS, IPS, List.of());
    assertThat(
            new WebhookTls(other.key(), tls.certificate(), tls.caBundle())
                .problem(NOW, Duration.ofDays(30), DNS, IPS))
        .hasValueSatisfying(p -> assertThat(p).contains("key does not belong"));
    assertThat(
            new WebhookTls(tls.key(), tls.certificate(), other.caBundle())
                .problem(NOW, Duration.ofDays(30), DNS, IPS))
        .hasValueSatisfying(p -> assertThat(p).contains("not signed by the first CA"));
  }

  @Test
  void aRotatedBundleKeepsThePreviousCaWhileItIsValid() {
    WebhookTls old = WebhookCertificates.issue(NOW, Duration.ofDays(365), DNS, IPS, List.of());
    Instant later = NOW.plus(Duration.ofDays(340));
    WebhookTls next =
        WebhookCertificates.issue(later, Duration.ofDays(365), DNS, IPS, old.validCas(later));
    assertThat(next.caBundle()).hasSize(2).endsWith(old.caBundle().get(0));
    assertThat(next.validCas(NOW.plus(Duration.ofDays(400))))
        .containsExactly(next.caBundle().get(0));
    assertThat(next.caBundlePem())
        .contains("-----BEGIN CERTIFICATE-----")
        .hasLineCount(next.caBundlePem().split("\n").length);
  }
}
