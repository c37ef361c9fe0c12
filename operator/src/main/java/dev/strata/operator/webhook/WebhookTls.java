package dev.strata.operator.webhook;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The webhook's serving key and certificate, and the CA bundle the API server trusts for it: the CA
 * that signed the certificate first, then earlier CAs that are still valid, so that replicas still
 * serving a previous certificate during a rotation stay trusted. No CA key is kept anywhere: each
 * rotation makes a new CA.
 */
public record WebhookTls(
    PrivateKey key, X509Certificate certificate, List<X509Certificate> caBundle) {

  public static final String CERT_KEY = "tls.crt";
  public static final String KEY_KEY = "tls.key";
  public static final String CA_KEY = "ca.crt";

  /** Thrown for Secret contents that are not a usable key, certificate and CA bundle. */
  public static final class Unreadable extends Exception {
    Unreadable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  public Instant notAfter() {
    return certificate.getNotAfter().toInstant();
  }

  /**
   * Why this cannot be served as it is (expired or about to, names missing, key or CA not
   * matching); empty if fine.
   */
  public Optional<String> problem(
      Instant now, Duration renewBefore, List<String> dnsNames, List<String> ips) {
    if (now.isAfter(notAfter().minus(renewBefore))) {
      return Optional.of(
          "the certificate expires "
              + notAfter()
              + ", less than "
              + renewBefore.toDays()
              + " days from now");
    }
    Optional<String> serving = servingProblem(now, dnsNames, ips);
    if (serving.isPresent()) {
      return serving;
    }
    if (caBundle.isEmpty()) {
      return Optional.of("the CA bundle is empty");
    }
    try {
      certificate.verify(caBundle.get(0).getPublicKey());
    } catch (GeneralSecurityException e) {
      return Optional.of("the certificate was not signed by the first CA of the bundle");
    }
    return Optional.empty();
  }

  /**
   * Why this certificate cannot be served at all (not valid now, names missing, key not matching);
   * empty if it can. The whole check of a certificate someone else issues and renews
   * (cert-manager), whose CA is none of our business.
   */
  public Optional<String> servingProblem(Instant now, List<String> dnsNames, List<String> ips) {
    if (now.isAfter(notAfter())) {
      return Optional.of("the certificate expired " + notAfter());
    }
    if (now.isBefore(certificate.getNotBefore().toInstant())) {
      return Optional.of(
          "the certificate is not valid before " + certificate.getNotBefore().toInstant());
    }
    List<String> have = subjectAltNames();
    List<String> missing = new ArrayList<>();
    dnsNames.stream().filter(n -> !have.contains(n)).forEach(missing::add);
    ips.stream().filter(n -> !have.contains(n)).forEach(missing::add);
    if (!missing.isEmpty()) {
      return Optional.of("the certificate does not name " + missing);
    }
    if (!keyMatchesCertificate()) {
      return Optional.of("the key does not belong to the certificate");
    }
    return Optional.empty();
  }

  public List<String> subjectAltNames() {
    List<String> names = new ArrayList<>();
    try {
      Collection<List<?>> sans = certificate.getSubjectAlternativeNames();
      if (sans != null) {
        sans.forEach(san -> names.add(String.valueOf(san.get(1))));
      }
    } catch (GeneralSecurityException e) {
      // no readable names: the caller reports them missing
    }
    return names;
  }

  private boolean keyMatchesCertificate() {
    try {
      byte[] probe = "strata-webhook".getBytes(StandardCharsets.UTF_8);
      Signature signer = Signature.getInstance("SHA256withECDSA");
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance("SHA256withECDSA");
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  public String certificatePem() {
    return pem("CERTIFICATE", encoded(certificate));
  }

  public String caBundlePem() {
    StringBuilder out = new StringBuilder();
    caBundle.forEach(ca -> out.append(pem("CERTIFICATE", encoded(ca))));
    return out.toString();
  }

  /** The Secret's data (base64 values, as the API wants them). */
  public Map<String, String> toSecretData() {
    Map<String, String> data = new LinkedHashMap<>();
    data.put(CERT_KEY, base64(certificatePem()));
    data.put(KEY_KEY, base64(pem("PRIVATE KEY", key.getEncoded())));
    data.put(CA_KEY, base64(caBundlePem()));
    return data;
  }

  public static WebhookTls fromSecretData(Map<String, String> data) throws Unreadable {
    if (data == null || !data.containsKey(CERT_KEY) || !data.containsKey(KEY_KEY)) {
      throw new Unreadable("the Secret lacks one of " + List.of(CERT_KEY, KEY_KEY), null);
    }
    try {
      List<X509Certificate> certs = certificates(decode(data.get(CERT_KEY)));
      // No CA bundle (an issuer that writes none): an empty one, which the operator's own
      // certificates never have.
      List<X509Certificate> bundle =
          data.containsKey(CA_KEY) ? certificates(decode(data.get(CA_KEY))) : List.of();
      if (certs.isEmpty()) {
        throw new Unreadable(CERT_KEY + " holds no certificate", null);
      }
      String keyPem = new String(decode(data.get(KEY_KEY)), StandardCharsets.US_ASCII);
      byte[] der =
          Base64.getMimeDecoder().decode(keyPem.replaceAll("-----(BEGIN|END) [A-Z ]+-----", ""));
      PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
      return new WebhookTls(key, certs.get(0), bundle);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new Unreadable("the Secret's certificate or key cannot be read: " + e.getMessage(), e);
    }
  }

  /**
   * The CAs of this bundle that are still valid at {@code now}, to carry over into the next bundle.
   */
  public List<X509Certificate> validCas(Instant now) {
    return caBundle.stream().filter(ca -> ca.getNotAfter().toInstant().isAfter(now)).toList();
  }

  static List<X509Certificate> certificates(byte[] pem) throws GeneralSecurityException {
    List<X509Certificate> out = new ArrayList<>();
    for (var c :
        CertificateFactory.getInstance("X.509")
            .generateCertificates(new ByteArrayInputStream(pem))) {
      out.add((X509Certificate) c);
    }
    return out;
  }

  static String pem(String type, byte[] der) {
    String body =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }

  private static byte[] encoded(X509Certificate cert) {
    try {
      return cert.getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
  }

  private static byte[] decode(String base64) {
    return Base64.getDecoder().decode(base64);
  }
}
