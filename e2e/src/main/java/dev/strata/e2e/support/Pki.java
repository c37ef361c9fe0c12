package dev.strata.e2e.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The control plane's throw-away PKI: a CA, the API server's serving certificate (valid for
 * 127.0.0.1 and the in-cluster names), client certificates, and the service-account signing key.
 * Written as PEM files.
 */
public final class Pki {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Duration VALIDITY = Duration.ofDays(7);

  private final Path dir;
  private final KeyPair caKey;
  private final X509Certificate caCert;

  private Pki(Path dir, KeyPair caKey, X509Certificate caCert) {
    this.dir = dir;
    this.caKey = caKey;
    this.caCert = caCert;
  }

  /** A new CA in {@code dir} (ca.crt, ca.key). */
  public static Pki create(Path dir) {
    try {
      Files.createDirectories(dir);
      KeyPair key = rsa();
      X500Name name = name("strata-e2e-ca", null);
      X509v3CertificateBuilder builder = builder(name, name, key);
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      builder.addExtension(
          Extension.keyUsage,
          true,
          new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature));
      X509Certificate cert = sign(builder, key);
      Pki pki = new Pki(dir, key, cert);
      pki.write("ca.crt", pem("CERTIFICATE", cert.getEncoded()));
      pki.write("ca.key", pem("PRIVATE KEY", key.getPrivate().getEncoded()));
      return pki;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("Cannot create the test CA", e);
    }
  }

  public Path caCert() {
    return dir.resolve("ca.crt");
  }

  public Path caKey() {
    return dir.resolve("ca.key");
  }

  /** A serving certificate for {@code dnsNames} and {@code ips}; returns {cert, key} paths. */
  public CertFiles serving(
      String fileName, String commonName, List<String> dnsNames, List<String> ips) {
    List<GeneralName> names = new ArrayList<>();
    dnsNames.forEach(n -> names.add(new GeneralName(GeneralName.dNSName, n)));
    ips.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
    return issue(
        fileName,
        name(commonName, null),
        KeyPurposeId.id_kp_serverAuth,
        new GeneralNames(names.toArray(GeneralName[]::new)));
  }

  /** A client certificate: Kubernetes reads the user from CN and the groups from O. */
  public CertFiles client(String fileName, String user, String group) {
    return issue(fileName, name(user, group), KeyPurposeId.id_kp_clientAuth, null);
  }

  /** An RSA key pair for signing service-account tokens; returns {public, private} paths. */
  public CertFiles serviceAccountKey() {
    try {
      KeyPair key = rsa();
      Path pub = write("sa.pub", pem("PUBLIC KEY", key.getPublic().getEncoded()));
      Path priv = write("sa.key", pem("PRIVATE KEY", key.getPrivate().getEncoded()));
      return new CertFiles(pub, priv);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Cannot create the service-account key", e);
    }
  }

  private CertFiles issue(
      String fileName, X500Name subject, KeyPurposeId purpose, GeneralNames altNames) {
    try {
      KeyPair key = rsa();
      X509v3CertificateBuilder builder =
          builder(
              X500Name.getInstance(caCert.getSubjectX500Principal().getEncoded()), subject, key);
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(
          Extension.keyUsage,
          true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
      if (altNames != null) {
        builder.addExtension(Extension.subjectAlternativeName, false, altNames);
      }
      X509Certificate cert = sign(builder, caKey);
      Path certFile = write(fileName + ".crt", pem("CERTIFICATE", cert.getEncoded()));
      Path keyFile = write(fileName + ".key", pem("PRIVATE KEY", key.getPrivate().getEncoded()));
      return new CertFiles(certFile, keyFile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("Cannot issue " + fileName, e);
    }
  }

  private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair key) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(
        issuer,
        new BigInteger(64, RANDOM).abs().add(BigInteger.ONE),
        Date.from(now.minus(Duration.ofHours(1))),
        Date.from(now.plus(VALIDITY)),
        subject,
        key.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer)
      throws OperatorCreationException, GeneralSecurityException {
    return new JcaX509CertificateConverter()
        .getCertificate(
            builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(signer.getPrivate())));
  }

  private static X500Name name(String commonName, String organization) {
    X500NameBuilder builder = new X500NameBuilder(BCStyle.INSTANCE);
    if (organization != null) {
      builder.addRDN(BCStyle.O, organization);
    }
    builder.addRDN(BCStyle.CN, commonName);
    return builder.build();
  }

  private static KeyPair rsa() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048, RANDOM);
    return generator.generateKeyPair();
  }

  private static String pem(String type, byte[] der) {
    String body =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }

  private Path write(String fileName, String content) {
    try {
      Path file = dir.resolve(fileName);
      Files.writeString(file, content);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A certificate (or public key) file and its private key file. */
  public record CertFiles(Path cert, Path key) {}
}
