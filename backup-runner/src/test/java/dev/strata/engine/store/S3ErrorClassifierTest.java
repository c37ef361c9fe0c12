package dev.strata.engine.store;

import static dev.strata.engine.store.StoreException.Kind.INTEGRITY;
import static dev.strata.engine.store.StoreException.Kind.NOT_FOUND;
import static dev.strata.engine.store.StoreException.Kind.PERMANENT;
import static dev.strata.engine.store.StoreException.Kind.TRANSIENT;
import static org.assertj.core.api.Assertions.assertThat;

import io.minio.errors.ErrorResponseException;
import io.minio.errors.InsufficientDataException;
import io.minio.errors.InvalidResponseException;
import io.minio.errors.ServerException;
import io.minio.errors.XmlParserException;
import io.minio.messages.ErrorResponse;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.internal.http2.ErrorCode;
import okhttp3.internal.http2.StreamResetException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class S3ErrorClassifierTest {

  static final String SECRET = "s3cr3t-never-printed";
  static final S3StoreConfig CONFIG =
      new S3StoreConfig(
          "http://minio.example:9000",
          "snapshots",
          "team/app",
          null,
          true,
          "AKIAIOSFODNN7EXAMPLE",
          SECRET,
          null);
  static final S3ErrorClassifier classifier = new S3ErrorClassifier(CONFIG);

  @AfterEach
  void clearInterrupt() {
    Thread.interrupted();
  }

  static Stream<Arguments> s3ErrorCodes() {
    return Stream.of(
        Arguments.of("NoSuchKey", 404, NOT_FOUND),
        Arguments.of("NoSuchVersion", 404, NOT_FOUND),
        Arguments.of("SlowDown", 503, TRANSIENT),
        Arguments.of("SlowDown", 429, TRANSIENT),
        Arguments.of("InternalError", 500, TRANSIENT),
        Arguments.of("ServiceUnavailable", 503, TRANSIENT),
        Arguments.of("RequestTimeout", 400, TRANSIENT),
        Arguments.of("OperationAborted", 409, TRANSIENT),
        Arguments.of("XMinioServerNotInitialized", 503, TRANSIENT),
        Arguments.of("SomethingNew", 502, TRANSIENT),
        Arguments.of("SomethingNew", 500, TRANSIENT),
        Arguments.of("AccessDenied", 403, PERMANENT),
        Arguments.of("InvalidAccessKeyId", 403, PERMANENT),
        Arguments.of("SignatureDoesNotMatch", 403, PERMANENT),
        Arguments.of("NoSuchBucket", 404, PERMANENT),
        Arguments.of("RequestTimeTooSkewed", 403, PERMANENT),
        Arguments.of("PermanentRedirect", 301, PERMANENT),
        Arguments.of("InvalidBucketName", 400, PERMANENT),
        Arguments.of("SomethingNew", 400, PERMANENT),
        Arguments.of("SomethingNew", 404, NOT_FOUND),
        Arguments.of("BadDigest", 400, INTEGRITY),
        Arguments.of("InvalidDigest", 400, INTEGRITY),
        Arguments.of("XAmzContentSHA256Mismatch", 400, INTEGRITY),
        Arguments.of("XAmzContentChecksumMismatch", 400, INTEGRITY));
  }

  @ParameterizedTest(name = "{0} / HTTP {1} -> {2}")
  @MethodSource("s3ErrorCodes")
  void s3ErrorCodesMapToKinds(String code, int status, StoreException.Kind kind) {
    StoreException e = classifier.classify("put", "blobs/ab/abcd", errorResponse(code, status));
    assertThat(e.kind()).isEqualTo(kind);
    assertThat(e.getMessage())
        .startsWith("put 'blobs/ab/abcd' on s3://snapshots/team/app at http://minio.example:9000");
    assertThat(e.getCause()).isInstanceOf(ErrorResponseException.class);
    assertNoSecrets(e);
  }

  static Stream<Arguments> ioErrors() {
    return Stream.of(
        Arguments.of(new ConnectException("Connection refused"), TRANSIENT, "connection refused"),
        Arguments.of(new NoRouteToHostException("no route"), TRANSIENT, "no route to host"),
        Arguments.of(new SocketTimeoutException("timeout"), TRANSIENT, "timed out"),
        Arguments.of(new SocketException("Connection reset"), TRANSIENT, "Connection reset"),
        Arguments.of(new SocketException("Broken pipe"), TRANSIENT, "Broken pipe"),
        Arguments.of(new EOFException(), TRANSIENT, "EOFException"),
        Arguments.of(
            new IOException("unexpected end of stream on http://minio.example:9000/..."),
            TRANSIENT,
            "unexpected end of stream"),
        Arguments.of(
            new StreamResetException(ErrorCode.REFUSED_STREAM), TRANSIENT, "REFUSED_STREAM"),
        Arguments.of(new SSLException("Connection reset"), TRANSIENT, "Connection reset"),
        Arguments.of(
            new SSLException("Unsupported or unrecognized SSL message"), PERMANENT, "use http://"),
        Arguments.of(handshake(new CertificateException("unknown CA")), PERMANENT, "spec.caBundle"),
        Arguments.of(handshake(new CertPathValidatorException("path")), PERMANENT, "spec.caBundle"),
        Arguments.of(
            new SSLHandshakeException("Remote host terminated the handshake"),
            TRANSIENT,
            "handshake"),
        Arguments.of(
            new SSLPeerUnverifiedException("Hostname minio.example not verified"),
            PERMANENT,
            "host name"),
        // Once access has been checked, a failed lookup is a DNS blip (see the class comment).
        Arguments.of(
            new UnknownHostException("minio.example"), TRANSIENT, "unknown host minio.example"),
        Arguments.of(new InsufficientDataException("ended early"), TRANSIENT, "truncated"),
        Arguments.of(new XmlParserException(new Exception("bad xml")), TRANSIENT, "garbled"),
        Arguments.of(
            new InvalidResponseException(503, "text/html", "<html>busy</html>", "trace"),
            TRANSIENT,
            "HTTP 503"),
        Arguments.of(
            new InvalidResponseException(502, "text/html", "<html>bad gateway</html>", "trace"),
            TRANSIENT,
            "HTTP 502"),
        Arguments.of(
            new InvalidResponseException(403, "text/html", "<html>forbidden</html>", "trace"),
            PERMANENT,
            "check the credentials Secret"),
        Arguments.of(
            new InvalidResponseException(400, "text/html", "<html>?</html>", "trace"),
            PERMANENT,
            "not a proxy"),
        Arguments.of(new ServerException("server failed", 504, "trace"), TRANSIENT, "HTTP 504"),
        Arguments.of(
            new IllegalArgumentException("invalid object name"), PERMANENT, "invalid object name"),
        Arguments.of(new IllegalStateException("bug"), PERMANENT, "unexpectedly"));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("ioErrors")
  void transportAndClientErrorsMapToKinds(Throwable error, StoreException.Kind kind, String hint) {
    StoreException e = classifier.classify("get", "snapshots/x/1.json.gz", error);
    assertThat(e.kind()).isEqualTo(kind);
    assertThat(e.getMessage())
        .startsWith("get 'snapshots/x/1.json.gz' on s3://snapshots/team/app")
        .contains(hint);
    assertThat(e.getCause()).isSameAs(error);
    assertNoSecrets(e);
  }

  @ParameterizedTest(name = "{0} in checkAccess -> {1}")
  @MethodSource("ioErrors")
  void checkAccessIsClassifiedLikeAnyRequestSoAPassingOutageIsRetried(
      Throwable error, StoreException.Kind kind, String hint) {
    StoreException e = classifier.classify(S3ErrorClassifier.CHECK_ACCESS, null, error);
    StoreException.Kind expected = error instanceof UnknownHostException ? PERMANENT : kind;
    assertThat(e.kind()).isEqualTo(expected);
    assertThat(e.getMessage()).startsWith("checkAccess on s3://snapshots/team/app").contains(hint);
  }

  static Stream<Arguments> reasons() {
    return Stream.of(
        Arguments.of(errorResponse("AccessDenied", 403), StoreException.Reason.ACCESS_DENIED),
        Arguments.of(errorResponse("AllAccessDisabled", 403), StoreException.Reason.ACCESS_DENIED),
        Arguments.of(
            new InvalidResponseException(403, "text/html", "<html>forbidden</html>", "trace"),
            StoreException.Reason.ACCESS_DENIED),
        Arguments.of(
            errorResponse("InvalidAccessKeyId", 403), StoreException.Reason.INVALID_CREDENTIALS),
        Arguments.of(
            errorResponse("SignatureDoesNotMatch", 403), StoreException.Reason.INVALID_CREDENTIALS),
        Arguments.of(errorResponse("ExpiredToken", 400), StoreException.Reason.INVALID_CREDENTIALS),
        Arguments.of(errorResponse("NoSuchBucket", 404), StoreException.Reason.BUCKET_MISSING),
        Arguments.of(errorResponse("NoSuchKey", 404), StoreException.Reason.NOT_FOUND),
        Arguments.of(errorResponse("BadDigest", 400), StoreException.Reason.INTEGRITY),
        Arguments.of(errorResponse("RequestTimeTooSkewed", 403), StoreException.Reason.REJECTED),
        Arguments.of(errorResponse("PermanentRedirect", 301), StoreException.Reason.REJECTED),
        Arguments.of(errorResponse("SlowDown", 503), StoreException.Reason.UNREACHABLE),
        Arguments.of(
            handshake(new CertificateException("unknown CA")),
            StoreException.Reason.UNTRUSTED_CERTIFICATE),
        Arguments.of(
            new SSLPeerUnverifiedException("Hostname minio.example not verified"),
            StoreException.Reason.UNTRUSTED_CERTIFICATE),
        Arguments.of(
            new SSLException("Unsupported or unrecognized SSL message"),
            StoreException.Reason.UNREACHABLE),
        Arguments.of(new UnknownHostException("minio.example"), StoreException.Reason.UNREACHABLE),
        Arguments.of(new ConnectException("Connection refused"), StoreException.Reason.UNREACHABLE),
        Arguments.of(new SocketTimeoutException("timeout"), StoreException.Reason.UNREACHABLE));
  }

  /**
   * The reason is decided here, where the store's own code is known, so nobody reads a message to
   * tell them apart.
   */
  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("reasons")
  void everyFailureNamesItsReason(Throwable error, StoreException.Reason reason) {
    assertThat(classifier.classify("get", "k", error).reason()).isEqualTo(reason);
    assertThat(classifier.classify(S3ErrorClassifier.CHECK_ACCESS, null, error).reason())
        .isEqualTo(reason);
  }

  @Test
  void unknownHostInCheckAccessSaysToCheckTheEndpoint() {
    StoreException e =
        classifier.classify(
            S3ErrorClassifier.CHECK_ACCESS, null, new UnknownHostException("minio.exmaple"));
    assertThat(e.kind()).isEqualTo(PERMANENT);
    assertThat(e.getMessage())
        .contains("could not reach http://minio.example:9000")
        .contains("unknown host minio.exmaple")
        .contains("check spec.endpoint");
  }

  @Test
  void messagesSayWhatToDo() {
    assertThat(classifier.classify("put", "k", errorResponse("NoSuchBucket", 404)).getMessage())
        .contains(
            "bucket 'snapshots' does not exist at http://minio.example:9000: create it or fix spec.bucket");
    assertThat(classifier.classify("put", "k", errorResponse("AccessDenied", 403)).getMessage())
        .contains("access denied for access key AKIA…")
        .contains("check the credentials Secret");
    assertThat(
            classifier
                .classify("put", "k", errorResponse("SignatureDoesNotMatch", 403))
                .getMessage())
        .contains("secret key does not match access key AKIA…")
        .contains("check the credentials Secret");
    assertThat(
            classifier.classify("put", "k", errorResponse("InvalidAccessKeyId", 403)).getMessage())
        .contains("access key AKIA… is unknown");
    assertThat(
            classifier
                .classify("put", "k", errorResponse("RequestTimeTooSkewed", 403))
                .getMessage())
        .contains("clock");
    assertThat(
            classifier.classify("put", "k", errorResponse("PermanentRedirect", 301)).getMessage())
        .contains("spec.region");
    assertThat(classifier.classify("put", "k", errorResponse("SlowDown", 503)).getMessage())
        .contains("HTTP 503 SlowDown")
        .contains("retrying");
  }

  @Test
  void accessDeniedSuggestsARegionOnlyWhenNoneIsSet() {
    assertThat(classifier.classify("put", "k", errorResponse("AccessDenied", 403)).getMessage())
        .contains("set spec.region");
    S3ErrorClassifier withRegion =
        new S3ErrorClassifier(
            new S3StoreConfig(
                "http://minio.example:9000",
                "snapshots",
                "",
                "eu-west-1",
                true,
                "AKIAIOSFODNN7EXAMPLE",
                SECRET,
                null));
    assertThat(withRegion.classify("put", "k", errorResponse("AccessDenied", 403)).getMessage())
        .doesNotContain("spec.region");
  }

  @Test
  void wrappedExceptionsAreUnwrapped() {
    Throwable wrapped =
        new ExecutionException(new CompletionException(errorResponse("NoSuchKey", 404)));
    StoreException e = classifier.classify("get", "k", wrapped);
    assertThat(e.kind()).isEqualTo(NOT_FOUND);
    assertThat(e.getCause()).isInstanceOf(ErrorResponseException.class);
  }

  @Test
  void storeExceptionsPassThroughUnchanged() {
    StoreException original = new StoreException(INTEGRITY, "already classified");
    assertThat(classifier.classify("get", "k", new CompletionException(original)))
        .isSameAs(original);
  }

  @Test
  void interruptionIsPermanentAndKeepsTheInterruptFlag() {
    StoreException e = classifier.classify("put", "k", new InterruptedException());
    assertThat(e.kind()).isEqualTo(PERMANENT);
    assertThat(e.getMessage()).contains("interrupted");
    assertThat(Thread.interrupted()).isTrue();
    StoreException io = classifier.classify("put", "k", new InterruptedIOException("interrupted"));
    assertThat(io.kind()).isEqualTo(PERMANENT);
    assertThat(Thread.interrupted()).isTrue();
  }

  @Test
  void errorsWithoutAKeyNameTheStoreOnly() {
    StoreException e = classifier.classify("list", null, errorResponse("SlowDown", 503));
    assertThat(e.getMessage())
        .startsWith("list on s3://snapshots/team/app at http://minio.example:9000 failed");
  }

  private static void assertNoSecrets(StoreException e) {
    assertThat(e.getMessage()).doesNotContain(SECRET).doesNotContain("AKIAIOSFODNN7EXAMPLE");
  }

  @Test
  void refusalsNameTheCredentialsInUseAndWhereToFixThem() {
    S3ErrorClassifier session =
        new S3ErrorClassifier(
            CONFIG.withCredentials(
                new S3Credentials.AccessKeys(
                    "ASIAEXAMPLE", SECRET, "session-token-never-printed")));
    StoreException expired = session.classify("put", "k", errorResponse("ExpiredToken", 400));
    assertThat(expired.reason()).isEqualTo(StoreException.Reason.INVALID_CREDENTIALS);
    assertThat(expired.getMessage())
        .contains("temporary access key ASIA…'s session token has expired")
        .contains("renew them")
        .doesNotContain("session-token-never-printed")
        .doesNotContain(SECRET);

    S3ErrorClassifier role =
        new S3ErrorClassifier(
            CONFIG.withCredentials(
                new S3Credentials.WebIdentity(
                    "arn:aws:iam::123456789012:role/strata",
                    java.nio.file.Path.of("/var/run/token"),
                    "https://sts.amazonaws.com",
                    null)));
    assertThat(role.classify("put", "k", errorResponse("AccessDenied", 403)).getMessage())
        .contains("access denied for role arn:aws:iam::123456789012:role/strata (web identity)")
        .contains("check the role's permissions");
  }

  @Test
  void aStoreExceptionFromACredentialsProviderSurvivesMinioWrappingIt() {
    // minio-java's listing wraps what it does not know in a RuntimeException; a provider's
    // StoreException has no cause.
    StoreException fromProvider =
        new StoreException(
            PERMANENT, StoreException.Reason.INVALID_CREDENTIALS, "token file missing", null);
    assertThat(classifier.classify("list", "k", new RuntimeException(fromProvider)))
        .isSameAs(fromProvider);
    assertThat(
            classifier.classify(
                "list", "k", new ExecutionException(new CompletionException(fromProvider))))
        .isSameAs(fromProvider);
  }

  static ErrorResponseException errorResponse(String code, int status) {
    Request request =
        new Request.Builder().url("http://minio.example:9000/snapshots/team/app/k").build();
    Response response =
        new Response.Builder()
            .request(request)
            .protocol(Protocol.HTTP_1_1)
            .code(status)
            .message("status")
            .build();
    ErrorResponse error =
        new ErrorResponse(
            code,
            "message for " + code,
            "snapshots",
            "team/app/k",
            "/snapshots/team/app/k",
            "req-1",
            "host-1");
    return new ErrorResponseException(error, response, "trace");
  }

  static SSLHandshakeException handshake(Throwable cause) {
    SSLHandshakeException e = new SSLHandshakeException("PKIX path building failed");
    e.initCause(cause);
    return e;
  }
}
