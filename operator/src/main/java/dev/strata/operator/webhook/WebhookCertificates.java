package dev.strata.operator.webhook;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Issues the webhook's certificates: a fresh self-signed CA and a serving certificate it signs,
 * both ECDSA P-256 (small and fast; the API server's Go TLS stack verifies it). Bouncy Castle only
 * builds and encodes them: keys, signatures and the TLS server are the JDK's own, and no security
 * provider is registered.
 */
public final class WebhookCertificates {

  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * A little backdating, so that an API server whose clock is slightly behind accepts a brand-new
   * certificate.
   */
  private static final Duration BACKDATE = Duration.ofHours(1);

  private WebhookCertificates() {}

  /**
   * A new CA and a serving certificate for the given names, valid from now for {@code validity}.
   * The bundle is the new CA followed by {@code previousCas}.
   */
  public static WebhookTls issue(
      Instant now,
      Duration validity,
      List<String> dnsNames,
      List<String> ips,
      List<X509Certificate> previousCas) {
    try {
      KeyPair caKey = ecKey();
      X500Name caName = new X500Name("CN=strata-webhook-ca-" + now.getEpochSecond());
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      // The CA outlives its certificate by a day so the certificate never outlives its issuer.
      X509v3CertificateBuilder ca =
          new JcaX509v3CertificateBuilder(
              caName,
              serial(),
              Date.from(now.minus(BACKDATE)),
              Date.from(now.plus(validity).plus(Duration.ofDays(1))),
              caName,
              caKey.getPublic());
      ca.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      ca.addExtension(
          Extension.keyUsage,
          true,
          new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
      ca.addExtension(
          Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(caKey.getPublic()));
      X509Certificate caCert = sign(ca, caKey);

      KeyPair servingKey = ecKey();
      List<GeneralName> names = new ArrayList<>();
      dnsNames.forEach(n -> names.add(new GeneralName(GeneralName.dNSName, n)));
      ips.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
      X509v3CertificateBuilder serving =
          new JcaX509v3CertificateBuilder(
              caName,
              serial(),
              Date.from(now.minus(BACKDATE)),
              Date.from(now.plus(validity)),
              new X500Name("CN=" + dnsNames.get(0)),
              servingKey.getPublic());
      serving.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      serving.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      serving.addExtension(
          Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
      serving.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(names.toArray(GeneralName[]::new)));
      serving.addExtension(
          Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCert));
      X509Certificate servingCert = sign(serving, caKey);

      List<X509Certificate> bundle = new ArrayList<>();
      bundle.add(caCert);
      bundle.addAll(previousCas);
      return new WebhookTls(servingKey.getPrivate(), servingCert, List.copyOf(bundle));
    } catch (GeneralSecurityException | OperatorCreationException | java.io.IOException e) {
      throw new IllegalStateException("cannot issue the webhook certificate: " + e.getMessage(), e);
    }
  }

  private static KeyPair ecKey() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return generator.generateKeyPair();
  }

  private static BigInteger serial() {
    return new BigInteger(127, RANDOM).add(BigInteger.ONE);
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair issuer)
      throws OperatorCreationException, GeneralSecurityException {
    return new JcaX509CertificateConverter()
        .getCertificate(
            builder.build(
                new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
  }
}
