package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.engine.store.S3Credentials;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Which credentials a command line and its environment choose; flags win over variables. */
class CredentialOptionsTest {

  static final Map<String, String> KEYS =
      Map.of("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY", "secret");
  static final Map<String, String> IRSA =
      Map.of(
          "AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/from-env",
          "AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/secrets/eks.amazonaws.com/serviceaccount/token");

  static CredentialOptions parse(String... args) {
    CredentialOptions options = new CredentialOptions();
    new CommandLine(options).parseArgs(args);
    return options;
  }

  static Map<String, String> merge(Map<String, String> a, Map<String, String> b) {
    Map<String, String> m = new java.util.HashMap<>(a);
    m.putAll(b);
    return m;
  }

  @Test
  void accessKeysFromTheEnvironment() {
    assertThat(parse().resolve(null, KEYS))
        .isEqualTo(new S3Credentials.AccessKeys("AKIAEXAMPLE", "secret", null));
  }

  @Test
  void aSessionTokenMakesThemTemporaryKeys() {
    S3Credentials c =
        parse()
            .resolve(
                null,
                Map.of(
                    "AWS_ACCESS_KEY_ID",
                    "ASIAEXAMPLE",
                    "AWS_SECRET_ACCESS_KEY",
                    "s3cr3t-value",
                    "AWS_SESSION_TOKEN",
                    "t0ken-value"));
    assertThat(c)
        .isEqualTo(new S3Credentials.AccessKeys("ASIAEXAMPLE", "s3cr3t-value", "t0ken-value"));
    assertThat(c.toString())
        .doesNotContain("s3cr3t-value")
        .doesNotContain("t0ken-value")
        .doesNotContain("ASIAEXAMPLE");
  }

  @Test
  void aWebIdentityFromTheVariablesAnIrsaPodHas() {
    S3Credentials c =
        parse().resolve(null, merge(IRSA, Map.of("AWS_ROLE_SESSION_NAME", "backup-1")));
    assertThat(c)
        .isEqualTo(
            new S3Credentials.WebIdentity(
                "arn:aws:iam::123456789012:role/from-env",
                Path.of("/var/run/secrets/eks.amazonaws.com/serviceaccount/token"),
                "https://sts.amazonaws.com",
                "backup-1"));
  }

  @Test
  void theStsIsAwsInTheStoresRegionUnlessNamed() {
    S3Credentials.WebIdentity regional =
        (S3Credentials.WebIdentity) parse().resolve("eu-west-1", IRSA);
    assertThat(regional.stsEndpoint()).isEqualTo("https://sts.eu-west-1.amazonaws.com");
    assertThat(regional.sessionName()).startsWith("strata-");
    S3Credentials.WebIdentity fromRegionVariable =
        (S3Credentials.WebIdentity)
            parse().resolve(null, merge(IRSA, Map.of("AWS_REGION", "us-west-2")));
    assertThat(fromRegionVariable.stsEndpoint()).isEqualTo("https://sts.us-west-2.amazonaws.com");
    S3Credentials.WebIdentity named =
        (S3Credentials.WebIdentity)
            parse()
                .resolve(
                    "eu-west-1",
                    merge(
                        IRSA, Map.of("AWS_ENDPOINT_URL_STS", "http://minio.strata-system:9000/")));
    assertThat(named.stsEndpoint()).isEqualTo("http://minio.strata-system:9000");
  }

  @Test
  void flagsWinOverVariables() {
    S3Credentials.WebIdentity c =
        (S3Credentials.WebIdentity)
            parse(
                    "--role-arn",
                    "arn:minio:iam:::role/flag",
                    "--web-identity-token-file",
                    "/flag/token",
                    "--sts-endpoint",
                    "http://127.0.0.1:9000",
                    "--role-session-name",
                    "flag-session")
                .resolve(
                    "eu-west-1",
                    merge(
                        IRSA,
                        Map.of(
                            "AWS_ENDPOINT_URL_STS",
                            "https://env.example",
                            "AWS_ROLE_SESSION_NAME",
                            "env")));
    assertThat(c)
        .isEqualTo(
            new S3Credentials.WebIdentity(
                "arn:minio:iam:::role/flag",
                Path.of("/flag/token"),
                "http://127.0.0.1:9000",
                "flag-session"));
  }

  @Test
  void keysInTheEnvironmentComeBeforeAWebIdentityInTheEnvironmentButNotBeforeOneOnTheCommandLine() {
    assertThat(parse().resolve(null, merge(KEYS, IRSA)))
        .isInstanceOf(S3Credentials.AccessKeys.class);
    assertThat(parse("--role-arn", "arn:aws:iam::1:role/r").resolve(null, merge(KEYS, IRSA)))
        .isInstanceOf(S3Credentials.WebIdentity.class);
    assertThat(parse("--credential-source", "web-identity").resolve(null, merge(KEYS, IRSA)))
        .isInstanceOf(S3Credentials.WebIdentity.class);
    assertThat(parse("--credential-source", "keys").resolve(null, merge(KEYS, IRSA)))
        .isInstanceOf(S3Credentials.AccessKeys.class);
  }

  @Test
  void missingPiecesAreNamed() {
    assertThatThrownBy(() -> parse().resolve(null, Map.of()))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
        .hasMessageContaining("AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE");
    assertThatThrownBy(() -> parse().resolve(null, Map.of("AWS_ACCESS_KEY_ID", "AKIA")))
        .hasMessage(
            "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not: access keys need both");
    assertThatThrownBy(() -> parse().resolve(null, Map.of("AWS_SESSION_TOKEN", "tok")))
        .hasMessageContaining("temporary keys need all three");
    assertThatThrownBy(() -> parse().resolve(null, Map.of("AWS_ROLE_ARN", "arn:aws:iam::1:role/r")))
        .hasMessageContaining("set --web-identity-token-file (or AWS_WEB_IDENTITY_TOKEN_FILE)");
    assertThatThrownBy(() -> parse("--web-identity-token-file", "/t").resolve(null, Map.of()))
        .hasMessageContaining("set --role-arn (or AWS_ROLE_ARN)");
    assertThatThrownBy(
            () ->
                parse("--role-arn", "role/r", "--web-identity-token-file", "/t")
                    .resolve(null, Map.of()))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("does not start with arn:");
    assertThatThrownBy(
            () ->
                parse(
                        "--role-arn",
                        "arn:aws:iam::1:role/r",
                        "--web-identity-token-file",
                        "/t",
                        "--sts-endpoint",
                        "sts.example")
                    .resolve(null, Map.of()))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("must be http(s)://host[:port]");
    assertThatThrownBy(() -> parse("--credential-source", "instance"))
        .hasMessageContaining("use auto, keys or web-identity");
  }
}
