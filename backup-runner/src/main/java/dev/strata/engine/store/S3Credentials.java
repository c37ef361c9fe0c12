package dev.strata.engine.store;

import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where an S3 store's requests get the keys they are signed with. Values of these types never print
 * a secret: their {@code toString} and {@link #who()} show at most the first four characters of an
 * access key.
 */
public sealed interface S3Credentials {

  /**
   * Who the requests are signed as, for messages: "access key AKIA…", "role arn:aws:iam::1:role/x
   * (web identity)".
   */
  String who();

  /**
   * What a person checks when the store refuses these credentials, e.g. "the credentials Secret".
   */
  String whereToFix();

  /** Unsigned requests: only a public bucket answers them. */
  record Anonymous() implements S3Credentials {
    @Override
    public String who() {
      return "anonymous access";
    }

    @Override
    public String whereToFix() {
      return "the store's credentials (none are set)";
    }
  }

  /**
   * An access key and its secret, with the session token of temporary credentials
   * (AWS_SESSION_TOKEN) or null.
   */
  record AccessKeys(String accessKey, String secretKey, String sessionToken)
      implements S3Credentials {
    public AccessKeys {
      if (accessKey == null || accessKey.isBlank() || secretKey == null || secretKey.isBlank()) {
        throw new IllegalArgumentException("an access key needs both its id and its secret");
      }
      sessionToken = sessionToken == null || sessionToken.isBlank() ? null : sessionToken;
    }

    /**
     * The first four characters of the access key, enough for a person to recognise it and useless
     * to anyone else.
     */
    public String hint() {
      return accessKey.length() <= 4 ? accessKey + "…" : accessKey.substring(0, 4) + "…";
    }

    @Override
    public String who() {
      return (sessionToken == null ? "access key " : "temporary access key ") + hint();
    }

    @Override
    public String whereToFix() {
      return sessionToken == null
          ? "the credentials Secret"
          : "the credentials Secret (temporary credentials expire: renew them)";
    }

    @Override
    public String toString() {
      return "AccessKeys[accessKey="
          + hint()
          + ", secretKey=****"
          + (sessionToken == null ? "" : ", sessionToken=****")
          + "]";
    }
  }

  /**
   * A role assumed with a web identity token (AssumeRoleWithWebIdentity): IRSA on EKS, or any
   * OpenID Connect issuer a store's STS trusts. The token file is read again at every exchange,
   * since the kubelet rotates it.
   *
   * @param roleArn the role to assume
   * @param tokenFile the file holding the token (a projected service-account token)
   * @param stsEndpoint the STS to ask, e.g. https://sts.eu-west-1.amazonaws.com or a MinIO server's
   *     URL
   * @param sessionName the role session's name (CloudTrail shows it), or null for a generated one
   */
  record WebIdentity(String roleArn, Path tokenFile, String stsEndpoint, String sessionName)
      implements S3Credentials {

    // AWS's rule for RoleSessionName: 2-64 characters of [\w+=,.@-].
    private static final Pattern SESSION_NAME = Pattern.compile("[\\w+=,.@-]{2,64}");

    public WebIdentity {
      if (roleArn == null || roleArn.isBlank()) {
        throw new IllegalArgumentException(
            "web identity needs a role ARN (like arn:aws:iam::123456789012:role/strata)");
      }
      roleArn = roleArn.strip();
      if (!roleArn.startsWith("arn:")) {
        throw new IllegalArgumentException(
            "role ARN '"
                + roleArn
                + "' does not start with arn: (like arn:aws:iam::123456789012:role/strata)");
      }
      Objects.requireNonNull(tokenFile, "web identity needs a token file");
      stsEndpoint = StsEndpoints.check(stsEndpoint);
      if (sessionName != null && !SESSION_NAME.matcher(sessionName).matches()) {
        throw new IllegalArgumentException(
            "role session name '"
                + sessionName
                + "' must be 2-64 letters, digits or any of _+=,.@-");
      }
    }

    @Override
    public String who() {
      return "role " + roleArn + " (web identity)";
    }

    @Override
    public String whereToFix() {
      return "the role's permissions";
    }
  }
}
