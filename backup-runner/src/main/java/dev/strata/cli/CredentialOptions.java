package dev.strata.cli;

import dev.strata.engine.store.S3Credentials;
import dev.strata.engine.store.StsEndpoints;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * How an s3:// store's requests are signed. Secrets come only from the environment
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), never from a flag, so they never
 * show in a process list. A web identity is named by flags or the AWS variables an IRSA pod has
 * (AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ENDPOINT_URL_STS, AWS_ROLE_SESSION_NAME); a flag
 * wins over its variable.
 */
public final class CredentialOptions {

  /** Where the credentials come from. */
  enum Source {
    /** Access keys when AWS_ACCESS_KEY_ID is set, else a web identity when one is named. */
    auto,
    /** AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, with AWS_SESSION_TOKEN for temporary keys. */
    keys,
    /** A role assumed with a web identity token (IRSA and the like). */
    web_identity
  }

  @Option(
      names = "--credential-source",
      paramLabel = "SOURCE",
      converter = SourceConverter.class,
      description =
          "Where S3 credentials come from: auto (access keys when AWS_ACCESS_KEY_ID is set, else a web identity), "
              + "keys, or web-identity (default: auto).")
  Source source = Source.auto;

  @Option(
      names = "--role-arn",
      paramLabel = "ARN",
      description = "The role to assume with a web identity token (default: AWS_ROLE_ARN).")
  String roleArn;

  @Option(
      names = "--web-identity-token-file",
      paramLabel = "FILE",
      description =
          "The file holding the web identity token, read again before each refresh (default: AWS_WEB_IDENTITY_TOKEN_FILE).")
  Path tokenFile;

  @Option(
      names = "--sts-endpoint",
      paramLabel = "URL",
      description =
          "The STS that exchanges the token, e.g. a MinIO server's URL (default: AWS_ENDPOINT_URL_STS, "
              + "else AWS STS in --region or AWS_REGION).")
  String stsEndpoint;

  @Option(
      names = "--role-session-name",
      paramLabel = "NAME",
      description =
          "The role session's name, as audit logs show it (default: AWS_ROLE_SESSION_NAME, else strata-<time>).")
  String sessionName;

  /** Converts "web-identity" to its constant. */
  static final class SourceConverter implements picocli.CommandLine.ITypeConverter<Source> {
    @Override
    public Source convert(String value) {
      try {
        return Source.valueOf(value.strip().toLowerCase(Locale.ROOT).replace('-', '_'));
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException(
            "'" + value + "' is not a credential source: use auto, keys or web-identity");
      }
    }
  }

  /**
   * The credentials these options and the environment name.
   *
   * @param region the store's region (--region), which picks AWS's regional STS
   * @throws UsageException saying which variables or flags to set
   */
  S3Credentials resolve(String region, Map<String, String> env) {
    String arn = firstSet(roleArn, env.get("AWS_ROLE_ARN"));
    String file =
        firstSet(
            tokenFile == null ? null : tokenFile.toString(),
            env.get("AWS_WEB_IDENTITY_TOKEN_FILE"));
    boolean keysInEnv =
        set(env.get("AWS_ACCESS_KEY_ID"))
            || set(env.get("AWS_SECRET_ACCESS_KEY"))
            || set(env.get("AWS_SESSION_TOKEN"));
    Source chosen = source;
    if (chosen == Source.auto) {
      boolean identityByFlag = roleArn != null || tokenFile != null;
      chosen =
          identityByFlag || !keysInEnv && (arn != null || file != null)
              ? Source.web_identity
              : Source.keys;
      if (chosen == Source.keys && !keysInEnv) {
        throw new UsageException(
            "an s3:// store needs credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
                + "(and AWS_SESSION_TOKEN for temporary keys), or AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE "
                + "(or --role-arn and --web-identity-token-file) for a web identity");
      }
    }
    return chosen == Source.keys ? keys(env) : webIdentity(arn, file, region, env);
  }

  private static S3Credentials keys(Map<String, String> env) {
    String accessKey = blankToNull(env.get("AWS_ACCESS_KEY_ID"));
    String secretKey = blankToNull(env.get("AWS_SECRET_ACCESS_KEY"));
    String sessionToken = blankToNull(env.get("AWS_SESSION_TOKEN"));
    if (accessKey == null && secretKey == null) {
      throw new UsageException(
          sessionToken == null
              ? "access keys: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
              : "AWS_SESSION_TOKEN is set, but AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not: temporary keys need all three");
    }
    if (accessKey == null || secretKey == null) {
      throw new UsageException(
          (accessKey == null
                  ? "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not"
                  : "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
              + ": access keys need both");
    }
    return new S3Credentials.AccessKeys(accessKey, secretKey, sessionToken);
  }

  private S3Credentials webIdentity(
      String arn, String file, String region, Map<String, String> env) {
    if (arn == null || file == null) {
      throw new UsageException(
          "a web identity needs a role and a token file: set "
              + (arn == null
                  ? "--role-arn (or AWS_ROLE_ARN)"
                  : "--web-identity-token-file (or AWS_WEB_IDENTITY_TOKEN_FILE)"));
    }
    String sts = firstSet(stsEndpoint, env.get("AWS_ENDPOINT_URL_STS"));
    if (sts == null) {
      sts = StsEndpoints.aws(firstSet(region, env.get("AWS_REGION")));
    }
    String session = firstSet(sessionName, env.get("AWS_ROLE_SESSION_NAME"));
    try {
      return new S3Credentials.WebIdentity(
          arn,
          Path.of(file),
          sts,
          session == null ? "strata-" + System.currentTimeMillis() : session);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage());
    }
  }

  private static String firstSet(String flag, String variable) {
    return set(flag) ? flag.strip() : set(variable) ? variable.strip() : null;
  }

  private static boolean set(String s) {
    return s != null && !s.isBlank();
  }

  private static String blankToNull(String s) {
    return set(s) ? s : null;
  }
}
