package dev.strata.e2e.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small OpenID Connect issuer on loopback, as an identity provider (or EKS's cluster OIDC
 * endpoint) looks to an STS: a discovery document at {@code /.well-known/openid-configuration} and
 * the signing keys at {@code /jwks}. It either signs tokens with a key of its own ({@link #issue}),
 * or publishes keys that sign elsewhere ({@link #publishing}, e.g. a Kubernetes API server's
 * service-account keys), so that an STS configured with {@link #configUrl()} trusts the tokens of
 * that API server as AWS trusts an EKS cluster's.
 */
public final class OidcIssuer implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private final HttpServer server;
  private final String issuer;
  private final KeyPair key;
  private final String kid = "strata-test-key";
  private final String jwks;
  private final AtomicInteger jwksRequests = new AtomicInteger();

  private OidcIssuer(KeyPair key, String publishedJwks, String issuerOverride) {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.key = key;
    this.issuer =
        issuerOverride != null
            ? issuerOverride
            : "http://127.0.0.1:" + server.getAddress().getPort();
    this.jwks = publishedJwks != null ? publishedJwks : ownJwks(key, kid);
    server.createContext(
        "/.well-known/openid-configuration",
        exchange -> {
          ObjectNode doc =
              JSON.createObjectNode()
                  .put("issuer", issuer)
                  .put("jwks_uri", "http://127.0.0.1:" + server.getAddress().getPort() + "/jwks");
          doc.putArray("response_types_supported").add("id_token");
          doc.putArray("subject_types_supported").add("public");
          doc.putArray("id_token_signing_alg_values_supported").add("RS256");
          respond(exchange, doc.toString());
        });
    server.createContext(
        "/jwks",
        exchange -> {
          jwksRequests.incrementAndGet();
          respond(exchange, jwks);
        });
    server.start();
  }

  /** An issuer with a fresh RSA key of its own, whose issuer URL is its own loopback address. */
  public static OidcIssuer withOwnKey() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return new OidcIssuer(generator.generateKeyPair(), null, null);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * An issuer named {@code issuer} that publishes keys signing elsewhere (a JWKS document) and
   * signs nothing itself.
   */
  public static OidcIssuer publishing(String issuer, String jwksJson) {
    return new OidcIssuer(null, jwksJson, issuer);
  }

  /**
   * The service-account issuer of the API server {@code client} talks to, with its keys, published
   * here as EKS publishes a cluster's: an STS trusting it accepts that API server's projected
   * tokens.
   */
  public static OidcIssuer publishingKeysOf(io.fabric8.kubernetes.client.KubernetesClient client) {
    try {
      String issuer =
          JSON.readTree(client.raw("/.well-known/openid-configuration")).path("issuer").asText();
      return publishing(issuer, client.raw("/openid/v1/jwks"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The discovery document's URL: MinIO's {@code MINIO_IDENTITY_OPENID_CONFIG_URL}. */
  public String configUrl() {
    return "http://127.0.0.1:"
        + server.getAddress().getPort()
        + "/.well-known/openid-configuration";
  }

  public String issuer() {
    return issuer;
  }

  /**
   * How often the keys were fetched (an STS fetches them at start and when it meets an unknown key
   * id).
   */
  public int jwksRequests() {
    return jwksRequests.get();
  }

  /**
   * A token for {@code subject} and {@code audiences}, valid from now for {@code lifetime}, signed
   * RS256.
   */
  public String issue(String subject, Duration lifetime, String... audiences) {
    if (key == null) {
      throw new IllegalStateException("this issuer publishes another's keys and signs nothing");
    }
    Instant now = Instant.now();
    ObjectNode header =
        JSON.createObjectNode().put("alg", "RS256").put("typ", "JWT").put("kid", kid);
    ObjectNode claims =
        JSON.createObjectNode()
            .put("iss", issuer)
            .put("sub", subject)
            .put("iat", now.getEpochSecond())
            .put("nbf", now.getEpochSecond())
            .put("exp", now.plus(lifetime).getEpochSecond());
    if (audiences.length == 1) {
      claims.put("aud", audiences[0]);
    } else {
      List.of(audiences).forEach(claims.putArray("aud")::add);
    }
    String signingInput =
        B64.encodeToString(header.toString().getBytes(StandardCharsets.UTF_8))
            + "."
            + B64.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8));
    try {
      Signature rsa = Signature.getInstance("SHA256withRSA");
      rsa.initSign(key.getPrivate());
      rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + B64.encodeToString(rsa.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String ownJwks(KeyPair key, String kid) {
    RSAPublicKey pub = (RSAPublicKey) key.getPublic();
    ObjectNode jwk =
        JSON.createObjectNode()
            .put("kty", "RSA")
            .put("alg", "RS256")
            .put("use", "sig")
            .put("kid", kid)
            .put("n", B64.encodeToString(unsigned(pub.getModulus())))
            .put("e", B64.encodeToString(unsigned(pub.getPublicExponent())));
    ObjectNode doc = JSON.createObjectNode();
    doc.putArray("keys").add(jwk);
    return doc.toString();
  }

  /** A JWK's big integers are unsigned big-endian: BigInteger's sign byte must go. */
  private static byte[] unsigned(BigInteger n) {
    byte[] bytes = n.toByteArray();
    return bytes.length > 1 && bytes[0] == 0 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
  }

  private static void respond(com.sun.net.httpserver.HttpExchange exchange, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
