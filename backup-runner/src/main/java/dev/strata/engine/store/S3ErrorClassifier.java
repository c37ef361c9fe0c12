package dev.strata.engine.store;

import io.minio.errors.ErrorResponseException;
import io.minio.errors.InsufficientDataException;
import io.minio.errors.InvalidResponseException;
import io.minio.errors.ServerException;
import io.minio.errors.XmlParserException;
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
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * The one place that turns minio-java's and OkHttp's exceptions into {@link StoreException}s, so
 * that no caller unwraps exception chains to decide on a retry (a weak point of Samza's design).
 * Messages name the operation, the key and what to do; they never contain a secret (only the first
 * four characters of the access key).
 *
 * <p>Two judgement calls:
 *
 * <ul>
 *   <li>An unknown host is PERMANENT in {@link #CHECK_ACCESS} (almost always a typo in the
 *       endpoint, and a person should hear about it in seconds, not after minutes of retries) and
 *       TRANSIENT in data operations (the name resolved when access was checked, so a failure later
 *       is a DNS blip, e.g. CoreDNS restarting).
 *   <li>Otherwise {@link #CHECK_ACCESS} is classified like any request: a 503 or a dropped
 *       connection at the start of a backup is retried like one in the middle. Callers that want a
 *       quick answer (the operator's store check) give their RetryingBlobStoreManager a short
 *       deadline.
 * </ul>
 */
public final class S3ErrorClassifier {

  /** The operation name checkAccess uses; see the class comment for why it is special. */
  public static final String CHECK_ACCESS = "checkAccess";

  private static final Set<String> NOT_FOUND_CODES =
      Set.of("NoSuchKey", "NoSuchVersion", "NoSuchUpload");

  private static final Set<String> TRANSIENT_CODES =
      Set.of(
          "SlowDown",
          "SlowDownRead",
          "SlowDownWrite",
          "InternalError",
          "ServiceUnavailable",
          "RequestTimeout",
          "Throttling",
          "ThrottlingException",
          "TooManyRequests",
          "RequestLimitExceeded",
          "OperationAborted",
          "IncompleteBody",
          "XMinioServerNotInitialized",
          "XMinioReadQuorum",
          "XMinioWriteQuorum",
          "XMinioBackendDown");

  private static final Set<String> INTEGRITY_CODES =
      Set.of(
          "BadDigest",
          "InvalidDigest",
          "XAmzContentSHA256Mismatch",
          "XAmzContentChecksumMismatch",
          "InvalidChecksum",
          "ContentSHA256Mismatch",
          "XAmzChecksumMismatch");

  private static final Pattern RESPONSE_CODE = Pattern.compile("Response code: (\\d{3})");

  private final String endpoint;
  private final String bucket;
  private final String location;
  private final String who;
  private final String whereToFix;
  private final boolean regionKnown;

  public S3ErrorClassifier(S3StoreConfig config) {
    this.endpoint = config.endpoint();
    this.bucket = config.bucket();
    this.location = config.location();
    this.who = config.credentials().who();
    this.whereToFix = config.credentials().whereToFix();
    this.regionKnown = config.region() != null;
  }

  /**
   * Classifies {@code error}, thrown while doing {@code operation} on {@code key} (a key relative
   * to the store root, or null for bucket-level operations). Restores the interrupt flag when the
   * error is an interruption.
   */
  public StoreException classify(String operation, String key, Throwable error) {
    Throwable e = unwrap(error);
    StoreException already = storeException(e);
    if (already != null) {
      return already;
    }
    String what = describe(operation, key);
    boolean preflight = CHECK_ACCESS.equals(operation);

    if (e instanceof InterruptedException
        || e instanceof InterruptedIOException && !(e instanceof SocketTimeoutException)) {
      Thread.currentThread().interrupt();
      return new StoreException(StoreException.Kind.PERMANENT, what + " was interrupted", e);
    }
    if (e instanceof ErrorResponseException ere) {
      return fromErrorResponse(what, ere, preflight);
    }
    if (e instanceof InvalidResponseException) {
      // A non-XML answer, typically from a proxy or load balancer in front of the store.
      int status = parseStatus(e.getMessage());
      return fromStatus(
          what,
          status,
          "a non-S3 answer (HTTP " + statusText(status) + ")",
          e,
          preflight,
          " (is the endpoint an S3 server, and not a proxy or web page?)");
    }
    if (e instanceof ServerException se) {
      return fromStatus(what, se.statusCode(), "HTTP " + se.statusCode(), e, preflight, "");
    }
    if (e instanceof XmlParserException || e instanceof InsufficientDataException) {
      return kind(
          preflight,
          StoreException.Kind.TRANSIENT,
          what + " got a truncated or garbled answer from " + endpoint + "; retrying may help",
          e);
    }
    if (e instanceof IOException io) {
      return fromIo(what, io, preflight);
    }
    if (e instanceof IllegalArgumentException) {
      return new StoreException(
          StoreException.Kind.PERMANENT, what + " was refused by the client: " + e.getMessage(), e);
    }
    return new StoreException(
        StoreException.Kind.PERMANENT,
        what + " failed unexpectedly: " + e.getClass().getSimpleName() + ": " + e.getMessage(),
        e);
  }

  private StoreException fromErrorResponse(
      String what, ErrorResponseException e, boolean preflight) {
    String code = e.errorResponse() == null ? null : e.errorResponse().code();
    int status = e.response() == null ? 0 : e.response().code();
    String serverSays = "(HTTP " + statusText(status) + (code == null ? "" : " " + code) + ")";
    if (code != null) {
      if (code.equals("NoSuchBucket")) {
        return new StoreException(
            StoreException.Kind.PERMANENT,
            StoreException.Reason.BUCKET_MISSING,
            what
                + " failed: bucket '"
                + bucket
                + "' does not exist at "
                + endpoint
                + ": create it or fix spec.bucket "
                + serverSays,
            e);
      }
      if (NOT_FOUND_CODES.contains(code)) {
        return new StoreException(
            StoreException.Kind.NOT_FOUND, what + " failed: no such object " + serverSays, e);
      }
      if (code.equals("InvalidRange")) {
        // A range past the object's end: the object is shorter than what refers to it (a truncated
        // pack).
        return new StoreException(
            StoreException.Kind.INTEGRITY,
            what + " failed: the object is shorter than expected " + serverSays,
            e);
      }
      if (INTEGRITY_CODES.contains(code)) {
        return new StoreException(
            StoreException.Kind.INTEGRITY,
            what
                + " failed: the store received bytes that do not match their checksum "
                + serverSays
                + "; resending may help",
            e);
      }
      switch (code) {
        case "AccessDenied", "AllAccessDisabled", "AccountProblem" -> {
          return new StoreException(
              StoreException.Kind.PERMANENT,
              StoreException.Reason.ACCESS_DENIED,
              what
                  + " failed: access denied for "
                  + who
                  + " "
                  + serverSays
                  + ": check "
                  + whereToFix
                  + " and that the policy of "
                  + who
                  + " allows this on bucket '"
                  + bucket
                  + "'"
                  // Without a region the client first asks for the bucket's location, which some
                  // policies forbid.
                  + (regionKnown
                      ? ""
                      : " (or set spec.region, if the key may not call GetBucketLocation)"),
              e);
        }
        case "InvalidAccessKeyId", "ExpiredToken", "InvalidToken" -> {
          return new StoreException(
              StoreException.Kind.PERMANENT,
              StoreException.Reason.INVALID_CREDENTIALS,
              what
                  + " failed: "
                  + who
                  + (code.equals("InvalidAccessKeyId")
                      ? " is unknown to " + endpoint
                      : "'s session token has expired or is not valid")
                  + " "
                  + serverSays
                  + ": check "
                  + whereToFix,
              e);
        }
        case "SignatureDoesNotMatch" -> {
          return new StoreException(
              StoreException.Kind.PERMANENT,
              StoreException.Reason.INVALID_CREDENTIALS,
              what
                  + " failed: the secret key does not match "
                  + who
                  + " "
                  + serverSays
                  + ": check "
                  + whereToFix,
              e);
        }
        case "RequestTimeTooSkewed" -> {
          return new StoreException(
              StoreException.Kind.PERMANENT,
              what
                  + " failed: this machine's clock differs too much from the store's "
                  + serverSays
                  + ": fix the node's time synchronisation",
              e);
        }
        case "PermanentRedirect",
            "AuthorizationHeaderMalformed",
            "IllegalLocationConstraintException" -> {
          return new StoreException(
              StoreException.Kind.PERMANENT,
              what
                  + " failed: bucket '"
                  + bucket
                  + "' is in another region or behind another endpoint "
                  + serverSays
                  + ": set spec.region (and spec.endpoint) to the bucket's",
              e);
        }
        case "InvalidBucketName" -> {
          return new StoreException(
              StoreException.Kind.PERMANENT,
              what
                  + " failed: the store rejects bucket name '"
                  + bucket
                  + "' "
                  + serverSays
                  + ": fix spec.bucket",
              e);
        }
        default -> {
          if (TRANSIENT_CODES.contains(code)) {
            return kind(
                preflight,
                StoreException.Kind.TRANSIENT,
                what
                    + " failed: the store is busy or failing "
                    + serverSays
                    + "; retrying with backoff",
                e);
          }
        }
      }
    }
    return fromStatus(
        what,
        status,
        serverSays.substring(1, serverSays.length() - 1)
            + ": "
            + (e.errorResponse() == null ? "" : e.errorResponse().message()),
        e,
        preflight,
        "");
  }

  private StoreException fromStatus(
      String what, int status, String serverSays, Throwable e, boolean preflight, String hint) {
    if (status >= 500 || status == 429 || status == 408) {
      return kind(
          preflight,
          StoreException.Kind.TRANSIENT,
          what
              + " failed: the store is busy or failing ("
              + serverSays
              + ")"
              + hint
              + "; retrying with backoff",
          e);
    }
    if (status == 404) {
      return new StoreException(
          StoreException.Kind.NOT_FOUND,
          what + " failed: not found (" + serverSays + ")" + hint,
          e);
    }
    if (status == 401 || status == 403) {
      return new StoreException(
          StoreException.Kind.PERMANENT,
          StoreException.Reason.ACCESS_DENIED,
          what
              + " failed: access denied for "
              + who
              + " ("
              + serverSays
              + ")"
              + hint
              + ": check "
              + whereToFix,
          e);
    }
    return new StoreException(
        StoreException.Kind.PERMANENT,
        what
            + " was rejected ("
            + serverSays
            + ")"
            + hint
            + ": check spec.endpoint, spec.bucket and spec.region",
        e);
  }

  private StoreException fromIo(String what, IOException e, boolean preflight) {
    String reach = what + " could not reach " + endpoint;
    if (e instanceof UnknownHostException) {
      return new StoreException(
          preflight ? StoreException.Kind.PERMANENT : StoreException.Kind.TRANSIENT,
          StoreException.Reason.UNREACHABLE,
          reach + " (unknown host " + e.getMessage() + "): check spec.endpoint",
          e);
    }
    if (e instanceof SSLPeerUnverifiedException) {
      return new StoreException(
          StoreException.Kind.PERMANENT,
          StoreException.Reason.UNTRUSTED_CERTIFICATE,
          reach
              + " (the TLS certificate does not match the host name: "
              + e.getMessage()
              + "): use the host name the certificate was issued for in spec.endpoint",
          e);
    }
    if (e instanceof SSLHandshakeException
        && hasCause(e, CertificateException.class, CertPathValidatorException.class)) {
      return new StoreException(
          StoreException.Kind.PERMANENT,
          StoreException.Reason.UNTRUSTED_CERTIFICATE,
          reach + " (its TLS certificate is not trusted): give the CA in spec.caBundle",
          e);
    }
    if (e instanceof SSLException
        && String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("unrecognized ssl")) {
      return new StoreException(
          StoreException.Kind.PERMANENT,
          StoreException.Reason.UNREACHABLE,
          reach + " (it does not speak TLS): use http:// rather than https:// in spec.endpoint",
          e);
    }
    if (e instanceof ConnectException) {
      return kind(
          preflight,
          StoreException.Kind.TRANSIENT,
          reach + " (connection refused): check spec.endpoint and that the server is running",
          e);
    }
    if (e instanceof NoRouteToHostException) {
      return kind(
          preflight,
          StoreException.Kind.TRANSIENT,
          reach + " (no route to host): check spec.endpoint and network policies",
          e);
    }
    if (e instanceof SocketTimeoutException) {
      return kind(
          preflight,
          StoreException.Kind.TRANSIENT,
          reach + " (timed out: " + e.getMessage() + "): check spec.endpoint and network policies",
          e);
    }
    String detail =
        e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    if (e instanceof EOFException || e instanceof SocketException || e instanceof SSLException) {
      return kind(
          preflight,
          StoreException.Kind.TRANSIENT,
          what + " lost its connection to " + endpoint + " (" + detail + ")",
          e);
    }
    // "unexpected end of stream", StreamResetException, ProtocolException and the like: the
    // connection broke.
    return kind(
        preflight,
        StoreException.Kind.TRANSIENT,
        what + " failed talking to " + endpoint + " (" + detail + ")",
        e);
  }

  private static StoreException kind(
      boolean preflight, StoreException.Kind kind, String message, Throwable e) {
    return new StoreException(kind, message, e);
  }

  private String describe(String operation, String key) {
    return operation + (key == null ? "" : " '" + key + "'") + " on " + location;
  }

  /**
   * A StoreException a credentials provider threw inside minio-java, which wraps it in a
   * RuntimeException on some paths (listing); such exceptions carry no cause of their own, so the
   * wrapper keeps them.
   */
  private static StoreException storeException(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof StoreException se) {
        return se;
      }
    }
    return null;
  }

  static Throwable unwrap(Throwable t) {
    Throwable e = t;
    while ((e instanceof ExecutionException || e instanceof CompletionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  @SafeVarargs
  private static boolean hasCause(Throwable t, Class<? extends Throwable>... types) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      for (Class<? extends Throwable> type : types) {
        if (type.isInstance(c)) {
          return true;
        }
      }
    }
    return false;
  }

  private static int parseStatus(String message) {
    Matcher m = RESPONSE_CODE.matcher(String.valueOf(message));
    return m.find() ? Integer.parseInt(m.group(1)) : 0;
  }

  private static String statusText(int status) {
    return status == 0 ? "?" : Integer.toString(status);
  }
}
