package dev.strata.engine.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exchange's protocol against a loopback server that answers as AWS STS documents it (the tier
 * above, e2e's StsCredentialsMinioTest, exchanges real tokens with MinIO's STS). Checks what is
 * sent, what is parsed, and that every refusal says what to fix without showing the token.
 */
class StsWebIdentityTest {

  static final String ROLE = "arn:aws:iam::123456789012:role/strata-backup";
  static final String TOKEN =
      jwt(
          "{\"iss\":\"https://oidc.example\",\"sub\":\"system:serviceaccount:team-a:strata-runner\","
              + "\"aud\":[\"sts.amazonaws.com\"]}");

  @TempDir Path tmp;
  HttpServer server;
  final BlockingQueue<Map<String, String>> requests = new LinkedBlockingQueue<>();
  volatile int status = 200;
  volatile String answer;
  Path tokenFile;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          Map<String, String> params = new LinkedHashMap<>();
          params.put("method", exchange.getRequestMethod());
          params.put("query", String.valueOf(exchange.getRequestURI().getRawQuery()));
          params.put(
              "content-type",
              String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type")));
          String form =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          for (String pair : form.isEmpty() ? new String[0] : form.split("&")) {
            String[] kv = pair.split("=", 2);
            params.put(
                URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                kv.length < 2 ? "" : URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
          }
          requests.add(params);
          byte[] body = answer.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "text/xml");
          exchange.sendResponseHeaders(status, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    tokenFile = tmp.resolve("token");
    Files.writeString(tokenFile, TOKEN + "\n");
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  StsWebIdentity sts() {
    return new StsWebIdentity(
        new S3Credentials.WebIdentity(
            ROLE,
            tokenFile,
            "http://127.0.0.1:" + server.getAddress().getPort(),
            "strata-backup-x"),
        new OkHttpClient());
  }

  @Test
  void sendsTheTokenOfTheFileAndParsesKeysAndExpiry() throws Exception {
    answer = success("ASIAFIRST", "2026-03-01T12:00:00Z");
    RefreshingCredentials.Session session = sts().fetch(false);
    assertThat(session.credentials().accessKey()).isEqualTo("ASIAFIRST");
    assertThat(session.credentials().secretKey()).isEqualTo("secret-1");
    assertThat(session.credentials().sessionToken()).isEqualTo("session-1");
    assertThat(session.expiration()).isEqualTo(Instant.parse("2026-03-01T12:00:00Z"));
    Map<String, String> sent = requests.take();
    assertThat(sent)
        .as("a form body, nothing in the URL")
        .containsEntry("query", "null")
        .hasEntrySatisfying(
            "content-type", t -> assertThat(t).startsWith("application/x-www-form-urlencoded"));
    assertThat(sent)
        .containsEntry("method", "POST")
        .containsEntry("Action", "AssumeRoleWithWebIdentity")
        .containsEntry("Version", "2011-06-15")
        .containsEntry("RoleArn", ROLE)
        .containsEntry("RoleSessionName", "strata-backup-x")
        .containsEntry("WebIdentityToken", TOKEN)
        .doesNotContainKey("DurationSeconds");
  }

  @Test
  void readsTheTokenFileAgainAtEveryExchange() throws Exception {
    answer = success("ASIA1", "2026-03-01T12:00:00Z");
    StsWebIdentity sts = sts();
    sts.fetch(false);
    String rotated = jwt("{\"sub\":\"rotated\"}");
    Files.writeString(tokenFile, rotated);
    sts.fetch(true);
    assertThat(requests.take().get("WebIdentityToken")).isEqualTo(TOKEN);
    assertThat(requests.take().get("WebIdentityToken")).isEqualTo(rotated);
  }

  @Test
  void aRoleThatDoesNotTrustTheTokenSaysWhatTheTokenClaims() {
    status = 403;
    answer =
        error("Sender", "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity");
    assertThatThrownBy(() -> sts().fetch(false))
        .isInstanceOfSatisfying(
            StoreException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(StoreException.Kind.PERMANENT);
              assertThat(e.reason()).isEqualTo(StoreException.Reason.ACCESS_DENIED);
            })
        .hasMessageContaining("role " + ROLE)
        .hasMessageContaining(
            "HTTP 403 AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity")
        .hasMessageContaining(
            "sub system:serviceaccount:team-a:strata-runner, aud sts.amazonaws.com")
        .hasMessageContaining("trust policy")
        .hasMessageNotContaining(TOKEN)
        .hasNoCause();
  }

  @Test
  void aTokenTheStsRejectsIsInvalidCredentials() {
    status = 400;
    answer =
        error(
            "Sender",
            "InvalidIdentityToken",
            "No OpenIDConnect provider found in your account for https://oidc.example");
    assertThatThrownBy(() -> sts().fetch(false))
        .isInstanceOfSatisfying(
            StoreException.class,
            e -> assertThat(e.reason()).isEqualTo(StoreException.Reason.INVALID_CREDENTIALS))
        .hasMessageContaining("No OpenIDConnect provider found")
        .hasMessageContaining("iss https://oidc.example")
        .hasMessageNotContaining(TOKEN);
  }

  @Test
  void neitherTheTokenNorTheKeysReachALogOrAMessageEvenWhenTheStsQuotesTheTokenBack() {
    RefreshingCredentialsTest.TestClock clock = new RefreshingCredentialsTest.TestClock();
    RefreshingCredentials credentials = new RefreshingCredentials(sts(), clock);
    answer = success("ASIAFIRST", RefreshingCredentialsTest.T0.plusSeconds(400).toString());
    String truncated = TOKEN.substring(0, TOKEN.length() - 5);
    PrintStream stderr = System.err;
    ByteArrayOutputStream logged = new ByteArrayOutputStream();
    Throwable thrown;
    System.setErr(
        new PrintStream(
            logged, true, StandardCharsets.UTF_8)); // the log's console appender writes here
    try {
      assertThat(credentials.fetch().accessKey()).isEqualTo("ASIAFIRST");
      status = 400;
      answer =
          error(
              "Sender",
              "InvalidIdentityToken",
              "token " + TOKEN + " (or " + truncated + ") is not valid");
      clock.advance(
          Duration.ofSeconds(
              310)); // the refresh is due while the keys are good: its failure is logged
      assertThat(credentials.fetch().accessKey()).isEqualTo("ASIAFIRST");
      clock.advance(Duration.ofSeconds(80)); // past the keys' last use: the failure is thrown
      thrown = catchThrowable(credentials::fetch);
    } finally {
      System.setErr(stderr);
    }
    assertThat(thrown)
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("token <token> (or <token>) is not valid");
    String log = logged.toString(StandardCharsets.UTF_8);
    assertThat(log)
        .contains("refreshing temporary credentials failed")
        .contains("token <token> (or <token>) is not valid");
    for (String text : List.of(log, thrown.getMessage())) {
      assertThat(text)
          .doesNotContain("eyJ")
          .doesNotContain(TOKEN.substring(TOKEN.lastIndexOf('.')))
          .doesNotContain("secret-1")
          .doesNotContain("session-1");
    }
  }

  @Test
  void aBusyStsIsRetried() {
    status = 503;
    answer = error("Receiver", "ServiceUnavailable", "try later");
    assertThatThrownBy(() -> sts().fetch(true))
        .isInstanceOfSatisfying(
            StoreException.class,
            e -> assertThat(e.kind()).isEqualTo(StoreException.Kind.TRANSIENT));
  }

  @Test
  void anEndpointThatIsNoStsSaysSo() {
    answer = "<html>hello</html>";
    assertThatThrownBy(() -> sts().fetch(false))
        .isInstanceOfSatisfying(
            StoreException.class,
            e -> assertThat(e.kind()).isEqualTo(StoreException.Kind.PERMANENT))
        .hasMessageContaining(
            "is http://127.0.0.1:" + server.getAddress().getPort() + " an STS endpoint?");
  }

  @Test
  void aMissingTokenFileSaysToMountOne() throws IOException {
    Files.delete(tokenFile);
    assertThatThrownBy(() -> sts().fetch(false))
        .isInstanceOfSatisfying(
            StoreException.class,
            e -> assertThat(e.reason()).isEqualTo(StoreException.Reason.INVALID_CREDENTIALS))
        .hasMessageContaining(
            tokenFile + " does not exist: mount a projected service-account token");
    assertThat(requests).isEmpty();
  }

  @Test
  void anUnknownStsHostIsATypoAtFirstAndABlipLater() {
    // A resolver that knows no name: the test asks no DNS server.
    OkHttpClient noDns =
        new OkHttpClient.Builder()
            .dns(
                host -> {
                  throw new java.net.UnknownHostException(host);
                })
            .build();
    StsWebIdentity typo =
        new StsWebIdentity(
            new S3Credentials.WebIdentity(ROLE, tokenFile, "http://sts.invalid", null), noDns);
    assertThatThrownBy(() -> typo.fetch(false))
        .isInstanceOfSatisfying(
            StoreException.class,
            e -> assertThat(e.kind()).isEqualTo(StoreException.Kind.PERMANENT))
        .hasMessageContaining("unknown host")
        .hasMessageContaining("check the STS endpoint");
    assertThatThrownBy(() -> typo.fetch(true))
        .isInstanceOfSatisfying(
            StoreException.class,
            e -> assertThat(e.kind()).isEqualTo(StoreException.Kind.TRANSIENT));
  }

  @Test
  void claimsOfSomethingThatIsNoJwtAreNotGuessed() {
    assertThat(StsWebIdentity.claims("opaque-token")).isEqualTo("(not a JWT)");
    assertThat(StsWebIdentity.claims("a.!!!.c")).isEqualTo("(not a JWT)");
  }

  static String success(String accessKey, String expiration) {
    return "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
        + "<AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>"
        + accessKey
        + "</AccessKeyId>"
        + "<SecretAccessKey>secret-1</SecretAccessKey><SessionToken>session-1</SessionToken>"
        + "<Expiration>"
        + expiration
        + "</Expiration></Credentials>"
        + "<SubjectFromWebIdentityToken>system:serviceaccount:team-a:strata-runner</SubjectFromWebIdentityToken>"
        + "</AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>"
        + "</AssumeRoleWithWebIdentityResponse>";
  }

  static String error(String type, String code, String message) {
    return "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>"
        + type
        + "</Type><Code>"
        + code
        + "</Code><Message>"
        + message
        + "</Message></Error><RequestId>r-2</RequestId></ErrorResponse>";
  }

  static String jwt(String payload) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    return b64.encodeToString("{\"alg\":\"RS256\",\"kid\":\"k\"}".getBytes(StandardCharsets.UTF_8))
        + "."
        + b64.encodeToString(payload.getBytes(StandardCharsets.UTF_8))
        + ".c2lnbmF0dXJl";
  }
}
