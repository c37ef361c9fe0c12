package dev.strata.engine.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.minio.Xml;
import io.minio.credentials.Credentials;
import io.minio.credentials.Jwt;
import io.minio.credentials.WebIdentityProvider;
import io.minio.errors.XmlParserException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * Exchanges a web identity token for temporary credentials with AssumeRoleWithWebIdentity.
 * minio-java's {@link WebIdentityProvider} builds the request and its response type parses the
 * answer; this class sends it itself so that a refusal says what the STS said (minio-java reports
 * only the HTTP status), so that failures are {@link StoreException}s a retry understands, and with
 * the token in the body rather than the URL. The token file is read at every exchange: the kubelet
 * rewrites a projected token before it expires. Neither the token nor the keys are ever put in a
 * message; the token's claims (issuer, subject, audience) are, since they are what a trust policy
 * is checked against.
 */
final class StsWebIdentity implements RefreshingCredentials.Source {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final MediaType FORM = MediaType.get("application/x-www-form-urlencoded");
  private static final Pattern CODE = Pattern.compile("<Code>([^<]*)</Code>");
  private static final Pattern MESSAGE = Pattern.compile("<Message>([^<]*)</Message>");

  /** A JWT, or its start: the header is JSON, so base64url "{\"" ("eyJ"). */
  private static final Pattern JWT = Pattern.compile("eyJ[A-Za-z0-9_-]*(\\.[A-Za-z0-9_-]*){0,2}");

  private static final Pattern EXPIRATION = Pattern.compile("<Expiration>([^<]*)</Expiration>");
  private static final Set<String> TRANSIENT_CODES =
      Set.of(
          "IDPCommunicationError",
          "InternalError",
          "InternalFailure",
          "ServiceUnavailable",
          "Throttling",
          "RequestTimeout");
  private static final Set<String> TOKEN_CODES =
      Set.of("InvalidIdentityToken", "ExpiredTokenException", "IDPRejectedClaim", "ExpiredToken");

  /** What AWS says of a malformed request, and MinIO of any token or role it refuses. */
  private static final Set<String> PARAMETER_CODES =
      Set.of("InvalidParameterValue", "ValidationError", "MissingParameter");

  private final S3Credentials.WebIdentity identity;
  private final OkHttpClient http;

  StsWebIdentity(S3Credentials.WebIdentity identity, OkHttpClient http) {
    this.identity = identity;
    this.http = http;
  }

  @Override
  public RefreshingCredentials.Session fetch(boolean renewing) {
    String token = readToken();
    Request request = new Exchange(identity, token, http).request();
    String body;
    int status;
    try (Response response = http.newCall(request).execute()) {
      status = response.code();
      ResponseBody responseBody = response.body();
      body = responseBody == null ? "" : responseBody.string();
    } catch (IOException e) {
      throw unreachable(e, renewing);
    }
    if (status / 100 != 2) {
      throw refused(status, body, token);
    }
    try {
      Credentials credentials =
          Xml.unmarshal(WebIdentityProvider.WebIdentityResponse.class, body).getCredentials();
      if (credentials == null) {
        throw new XmlParserException(new IllegalStateException("no Credentials element"));
      }
      return new RefreshingCredentials.Session(credentials, expiration(body));
    } catch (XmlParserException | RuntimeException e) {
      throw new StoreException(
          StoreException.Kind.PERMANENT,
          StoreException.Reason.REJECTED,
          exchange()
              + " got an answer that is not an AssumeRoleWithWebIdentity response (HTTP "
              + status
              + "): is "
              + identity.stsEndpoint()
              + " an STS endpoint?",
          null);
    }
  }

  private String readToken() {
    try {
      String token = Files.readString(identity.tokenFile(), StandardCharsets.UTF_8).strip();
      if (token.isEmpty()) {
        throw new StoreException(
            StoreException.Kind.PERMANENT,
            StoreException.Reason.INVALID_CREDENTIALS,
            "the web identity token file " + identity.tokenFile() + " is empty",
            null);
      }
      return token;
    } catch (NoSuchFileException e) {
      throw new StoreException(
          StoreException.Kind.PERMANENT,
          StoreException.Reason.INVALID_CREDENTIALS,
          "the web identity token file "
              + identity.tokenFile()
              + " does not exist: mount a projected service-account"
              + " token there (the operator does for stores with spec.credentials.webIdentity)",
          null);
    } catch (IOException e) {
      throw new StoreException(
          StoreException.Kind.PERMANENT,
          StoreException.Reason.INVALID_CREDENTIALS,
          "cannot read the web identity token file "
              + identity.tokenFile()
              + ": "
              + dev.strata.engine.Names.reason(e, false),
          null);
    }
  }

  private String exchange() {
    return "exchanging the web identity token for role "
        + identity.roleArn()
        + " at "
        + identity.stsEndpoint();
  }

  /**
   * No answer: a blip worth retrying, except an unknown host before anything ever worked (a typo,
   * not a blip).
   */
  private StoreException unreachable(IOException e, boolean renewing) {
    if (e instanceof InterruptedIOException && !(e instanceof SocketTimeoutException)) {
      Thread.currentThread().interrupt();
      return new StoreException(StoreException.Kind.PERMANENT, exchange() + " was interrupted");
    }
    String detail =
        e instanceof UnknownHostException
            ? "unknown host " + e.getMessage()
            : e instanceof ConnectException
                ? "connection refused"
                : e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage());
    boolean permanent = e instanceof UnknownHostException && !renewing || e instanceof SSLException;
    return new StoreException(
        permanent ? StoreException.Kind.PERMANENT : StoreException.Kind.TRANSIENT,
        permanent && e instanceof SSLException
            ? StoreException.Reason.UNTRUSTED_CERTIFICATE
            : StoreException.Reason.UNREACHABLE,
        exchange()
            + " could not reach the STS ("
            + detail
            + ")"
            + (permanent
                ? ": check the STS endpoint"
                    + (e instanceof SSLException ? " and the CA bundle" : "")
                : ""),
        null);
  }

  /** The STS answered with an error: what it said, what the token claims, and what to check. */
  private StoreException refused(int status, String body, String token) {
    String code = first(CODE, body);
    String message = redact(first(MESSAGE, body), token);
    String says =
        "(HTTP "
            + status
            + (code == null ? "" : " " + code)
            + (message == null ? "" : ": " + shorten(message))
            + ")";
    if (status >= 500 || status == 429 || code != null && TRANSIENT_CODES.contains(code)) {
      return new StoreException(
          StoreException.Kind.TRANSIENT,
          StoreException.Reason.UNREACHABLE,
          exchange() + " failed " + says + "; retrying",
          null);
    }
    String claims = claims(token);
    if ("AccessDenied".equals(code)) {
      return new StoreException(
          StoreException.Kind.PERMANENT,
          StoreException.Reason.ACCESS_DENIED,
          exchange()
              + " was refused "
              + says
              + ": the role's trust policy must allow this token "
              + claims
              + " to call sts:AssumeRoleWithWebIdentity",
          null);
    }
    if (code != null && TOKEN_CODES.contains(code)) {
      return new StoreException(
          StoreException.Kind.PERMANENT,
          StoreException.Reason.INVALID_CREDENTIALS,
          exchange()
              + " was refused "
              + says
              + ": the STS must trust the token's issuer, and accept its audience "
              + claims,
          null);
    }
    if (code != null && PARAMETER_CODES.contains(code)) {
      return new StoreException(
          StoreException.Kind.PERMANENT,
          StoreException.Reason.INVALID_CREDENTIALS,
          exchange()
              + " was refused "
              + says
              + ": check the role ARN, and that the STS trusts the token's issuer and"
              + " accepts its audience "
              + claims,
          null);
    }
    return new StoreException(
        StoreException.Kind.PERMANENT,
        StoreException.Reason.REJECTED,
        exchange() + " was refused " + says + ": check the STS endpoint and the role ARN",
        null);
  }

  /**
   * The claims a trust policy is written against, e.g. "(iss https://oidc..., sub
   * system:serviceaccount:a:b, aud sts.amazonaws.com)".
   */
  static String claims(String token) {
    String[] parts = token.split("\\.");
    if (parts.length < 2) {
      return "(not a JWT)";
    }
    try {
      JsonNode payload = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
      return "(iss "
          + text(payload.get("iss"))
          + ", sub "
          + text(payload.get("sub"))
          + ", aud "
          + text(payload.get("aud"))
          + ")";
    } catch (IOException | IllegalArgumentException e) {
      return "(not a JWT)";
    }
  }

  private static String text(JsonNode node) {
    if (node == null || node.isNull()) {
      return "-";
    }
    if (node.isArray()) {
      StringBuilder b = new StringBuilder();
      node.forEach(n -> b.append(b.length() == 0 ? "" : ",").append(n.asText()));
      return b.toString();
    }
    return node.asText();
  }

  static Instant expiration(String body) {
    String text = first(EXPIRATION, body);
    if (text == null) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      try {
        return java.time.OffsetDateTime.parse(text).toInstant();
      } catch (DateTimeParseException again) {
        return null;
      }
    }
  }

  private static String first(Pattern p, String body) {
    Matcher m = p.matcher(body);
    return m.find() ? unescape(m.group(1).strip()) : null;
  }

  private static String unescape(String s) {
    return s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&");
  }

  /**
   * The STS's message without the token, should the STS quote it back (some name what they
   * refused): the message ends up in logs and in resources' status. Any other JWT goes too, the
   * token's own parts included.
   */
  static String redact(String message, String token) {
    if (message == null) {
      return null;
    }
    return JWT.matcher(message.replace(token, "<token>")).replaceAll("<token>");
  }

  private static String shorten(String s) {
    return s.length() <= 300 ? s : s.substring(0, 300) + "…";
  }

  /**
   * minio-java's request for AssumeRoleWithWebIdentity, with this token, taken from its protected
   * builder.
   */
  private static final class Exchange extends WebIdentityProvider {
    Exchange(S3Credentials.WebIdentity identity, String token, OkHttpClient http) {
      // Expiry 0 and no DurationSeconds: the STS's default lifetime (AWS: one hour; MinIO: the
      // token's own expiry).
      super(
          () -> new Jwt(token, 0),
          identity.stsEndpoint(),
          null,
          null,
          identity.roleArn(),
          identity.sessionName(),
          http);
    }

    /**
     * minio-java's request with its parameters moved from the URL to a form body (STS takes
     * either): a token in a URL would end in the access log of every proxy on the way.
     */
    Request request() {
      Request request = getRequest();
      String form = request.url().encodedQuery();
      return request
          .newBuilder()
          .url(request.url().newBuilder().query(null).build())
          .post(RequestBody.create(form == null ? "" : form, FORM))
          .build();
    }
  }
}
